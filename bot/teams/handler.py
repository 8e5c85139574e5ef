"""The Teams edge: one activity handler that routes by table and keeps no business rules.

Every turn: remember the user's conversation reference (for proactive messages; not on the app's
removal, which forgets it: bot/teams/lifecycle.py); then an active
dialog gets the message, unless the message is a menu command (help, my cases, the guideline),
which is answered without losing the dialog; else the command or card verb is routed; else a
kind pointer to the menu. Card actions on case cards (Action.Execute) arrive as invokes.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import ConversationState, InvokeResponse, MessageFactory, TurnContext, UserState
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.dialogs import Dialog, DialogContext, DialogSet
from botbuilder.schema import Activity, ChannelAccount

from bot.chat.routes import command_argument, command_for, strip_mentions, verb_of
from bot.errors import Conflict
from bot.guideline.model import MAX_NAME
from bot.guideline.overview import by_urgency
from bot.hosting.logs import correlation_id, fields
from bot.repositories.cases import CaseRepository
from bot.services.drafts import DraftIndex
from bot.services.ports import Clock
from bot.services.retention import DeletionUnderWay, Held, Retention
from bot.services.seen import SeenActivities
from bot.storage.store import Store
from bot.teams.activities import card_activity
from bot.teams.case_invoke import CaseInvokes, card_response
from bot.teams.export_edge import ExportEdge
from bot.teams.lifecycle import Lifecycle, is_install, is_removal
from bot.teams.med_edge import MedEdge, team_and_channel
from bot.teams.privacy import PERSONAL_ONLY, is_personal
from bot.teams.reference_book import ReferenceBook
from bot.teams.turn_reference import TurnReferences
from bot.texts import Texts, language_for
from cards.guideline import guideline_card
from cards.help import Audience, help_card
from cards.hr import hr_cases_card
from cards.my_cases import my_cases_card
from cards.refusal import refusal_card
from cards.verbs import HR_COMMANDS, Verb
from cards.welcome import welcome_card

log = logging.getLogger(__name__)
_CORRECT_NAME = re.compile(r"(?:ret navn|correct name)\s+(\S+)\s+(\S.*)", re.IGNORECASE | re.DOTALL)

Handler = Callable[[TurnContext, Texts], Awaitable[None]]
# Menu commands answered even while a dialog is waiting; the dialog stays where it was.
INTERRUPTIONS = frozenset({Verb.HELP, Verb.MY_CASES, Verb.GUIDELINE, *HR_COMMANDS})
MED_VERBS = frozenset({Verb.MED_REGISTER, Verb.MED_AGENDA, Verb.MED_DONE, Verb.MED_PLAN})
CASE_VERBS = frozenset(
    {
        Verb.DECIDE,
        Verb.REFRESH_CASE,
        Verb.HISTORY,
        Verb.EVIDENCE_LIST,
        Verb.EVIDENCE_PACK,
        Verb.HR_OPEN_CASE,
        Verb.OPEN_CASE,
    }
)


@dataclass
class BotDeps:
    conversation_state: ConversationState
    user_state: UserState
    store: Store
    cases: CaseRepository
    # The dialogs come from app.py, so the edge never imports `dialogs/` (which imports the edge).
    report_dialog: Dialog
    add_evidence_dialog: Dialog
    drafts: DraftIndex
    zone: ZoneInfo
    invokes: CaseInvokes
    med: MedEdge
    is_hr: Callable[[str], Awaitable[bool]]
    is_leader: Callable[[str], Awaitable[bool]]
    clock: Clock
    references: ReferenceBook
    default_language: str = "da"
    seen: SeenActivities | None = None  # re-sent activities with files are recognised (store-backed)
    retention: Retention | None = None  # HR's hold on a case's deletion
    exports: ExportEdge | None = None  # HR's export of a person's data


def tidy_sender(activity: Activity) -> None:
    """Teams sends display names of up to 256 characters (Entra's limit); a longer one is cut
    here, once, so every later use (the report's reporter, a MED notice) can rely on the limit."""
    sender = activity.from_property
    if sender is not None and isinstance(sender.name, str) and len(sender.name) > MAX_NAME:
        sender.name = sender.name[:MAX_NAME]
    if sender is not None and not isinstance(sender.name, (str, type(None))):
        sender.name = None


class GuidelineBot(TeamsActivityHandler):  # type: ignore[misc]  # botbuilder ships no type hints
    def __init__(self, deps: BotDeps) -> None:
        self._deps = deps
        self._references = deps.references
        self._turn_references = TurnReferences()
        self._lifecycle = Lifecycle(deps.references, deps.med.channels, deps.med.med)
        self._dialog_state = deps.conversation_state.create_property("DialogState")
        self._dialogs = DialogSet(self._dialog_state)
        self._dialogs.add(deps.report_dialog)
        self._dialogs.add(deps.add_evidence_dialog)
        self._routes: dict[Verb, Handler] = {
            Verb.HELP: self._help,
            Verb.MY_CASES: self._my_cases,
            Verb.GUIDELINE: self._guideline,
            Verb.HR_CASES: self._hr_cases,
            Verb.HR_MED_OVERVIEW: self._hr_med_overview,
            Verb.HR_MED_SEND: self._hr_med_send,
            Verb.HR_HOLD: self._hr_hold,
            Verb.HR_RELEASE: self._hr_release,
            Verb.HR_EXPORT: self._hr_export,
            Verb.HR_ERASE: self._hr_erase,
            Verb.HR_CORRECT_NAME: self._hr_correct_name,
            Verb.MED_REGISTER: self._med_register,
            Verb.MED_CARD: self._med_card,
        }

    def texts_for(self, activity: Activity) -> Texts:
        return Texts(language_for(activity.locale, self._deps.default_language))

    async def person_texts(self, activity: Activity) -> Texts:
        """The activity's locale, else the one stored for the person: install events may carry none."""
        locale = activity.locale
        sender = activity.from_property
        if not locale and sender and sender.aad_object_id:
            locale = await self._references.locale(sender.aad_object_id)
        return Texts(language_for(locale, self._deps.default_language))

    async def on_turn(self, turn_context: TurnContext) -> None:
        tidy_sender(turn_context.activity)
        # One correlation id per activity: the activity id Teams gave it, else the request's.
        if turn_context.activity.id:
            correlation_id.set(f"{correlation_id.get()}/{turn_context.activity.id}"[-80:])
        await self._remember_reference(turn_context)
        await super().on_turn(turn_context)
        try:
            await self._deps.conversation_state.save_changes(turn_context)
        except Conflict:
            await self._moved_meanwhile(turn_context)
        await self._deps.user_state.save_changes(turn_context)

    async def _moved_meanwhile(self, turn_context: TurnContext) -> None:
        """Another turn of this chat (a second click on the same card, on this instance or
        another) wrote the dialog state after this turn read it: the other turn's state stands,
        this one's is not written. A normal double click, so no apology for a fault: the person
        is told that one of the two was taken, that nothing saved is lost (files are recorded on
        the draft or the case in their own writes, never in this state), and how to go on."""
        log.info("dialog state moved by a simultaneous turn; this turn's state not written", extra=fields())
        tx = self.texts_for(turn_context.activity)
        await turn_context.send_activity(MessageFactory.text(tx("dialog.moved_meanwhile")))

    async def _remember_reference(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        sender = activity.from_property
        if not sender or not sender.aad_object_id or activity.conversation is None:
            return
        if activity.conversation.conversation_type not in (None, "personal"):
            return
        if is_removal(activity):
            return  # the app is being removed from their chat: its handler forgets the reference
        # Without the message's own id the reference is stable, so the memory below skips the
        # store on most turns (and turn_reference.py makes it once per chat, not per turn).
        reference = self._turn_references.of(activity)
        await self._references.remember(
            sender.aad_object_id, reference, activity.locale, installed=is_install(activity)
        )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        tx = self.texts_for(activity)
        verb = verb_of(activity.value) or command_for(activity.text or "")
        if not is_personal(activity):
            await self._shared_message(turn_context, verb, tx)
            return
        if activity.attachments and not await self._first_time(activity):
            log.info("repeated activity ignored", extra=fields(attachments=len(activity.attachments)))
            return
        # A menu command is answered whatever the dialog is doing, so its state is not even read
        # (nor, unchanged, hashed and compared at the end of the turn).
        if verb not in INTERRUPTIONS:
            dc = await self._dialogs.create_context(turn_context)
            if verb is Verb.REPORT_CANCEL:
                await self._cancel(dc, tx)
                return
            if dc.active_dialog is not None:
                await dc.continue_dialog()
                return
            if verb is Verb.REPORT:
                await dc.begin_dialog(self._deps.report_dialog.id)
                return
            if verb is Verb.ADD_EVIDENCE:
                case_id = activity.value.get("case_id") if isinstance(activity.value, dict) else None
                await dc.begin_dialog(self._deps.add_evidence_dialog.id, case_id if isinstance(case_id, str) else "")
                return
        handler = self._routes.get(verb) if verb else None
        if handler is None:
            log.info(
                "unrouted message",
                extra=fields(has_value=activity.value is not None, attachments=len(activity.attachments or [])),
            )
            await turn_context.send_activity(MessageFactory.text(tx("unknown.pointer")))
            return
        log.info("route", extra=fields(verb=verb.value if verb else None))
        await handler(turn_context, tx)

    async def _first_time(self, activity: Activity) -> bool:
        """Teams re-sends an activity whose turn ran long; its files are taken once."""
        if self._deps.seen is None or not activity.id or activity.conversation is None:
            return True
        return await self._deps.seen.first_time(activity.conversation.id or "", activity.id)

    async def _cancel(self, dc: DialogContext, tx: Texts) -> None:
        """`annuller`/`cancel` always gets the user out, whatever state the dialog is in.

        The dialog is asked first, so it cleans up after itself (the draft, its evidence). If it
        cannot (its state is damaged, it is no longer known, it fails), the stack is cleared here.
        """
        context = dc.context
        if dc.active_dialog is None:
            await context.send_activity(MessageFactory.text(tx("cancel.nothing")))
            return
        if await dc.find_dialog(dc.active_dialog.id) is not None:
            try:
                await dc.continue_dialog()
            except Exception as exc:  # the user's way out must not depend on the dialog working
                log.warning("dialog failed on cancel; ending it", extra=fields(error=type(exc).__name__))
            if dc.active_dialog is None:
                return
        await dc.cancel_all_dialogs()
        user = context.activity.from_property.aad_object_id
        if user:  # the draft's files and index go too: no reminder about a report the user ended
            await self._deps.drafts.discard(user, with_state=False)
        log.info("dialog ended on cancel", extra=fields())
        await context.send_activity(MessageFactory.text(tx("cancel.done")))

    async def _shared_message(self, turn_context: TurnContext, verb: Verb | None, tx: Texts) -> None:
        """A channel or group chat: no dialog runs here, and personal commands get only a pointer."""
        if verb in PERSONAL_ONLY:
            log.info("personal command in a shared conversation", extra=fields(verb=verb.value if verb else None))
            await turn_context.send_activity(MessageFactory.text(tx("privacy.personal_only")))
            return
        handler = self._routes.get(verb) if verb else None
        if handler is None:
            log.info("unrouted message", extra=fields(shared=True))
            await turn_context.send_activity(MessageFactory.text(tx("privacy.shared_pointer")))
            return
        log.info("route", extra=fields(verb=verb.value if verb else None, shared=True))
        await handler(turn_context, tx)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            response: InvokeResponse | None = await super().on_invoke_activity(turn_context)
            if response is None or response.status == 501:
                # botbuilder answers an invoke nobody handles with 501; it is the sender's mistake.
                return InvokeResponse(status=400)
            return response
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        raw_action = value.get("action")
        action: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
        try:
            verb = Verb(str(action.get("verb")))
        except ValueError:
            verb = None
        tx = self.texts_for(activity)
        log.info("card action", extra=fields(verb=verb.value if verb else None))
        if verb in PERSONAL_ONLY and not is_personal(activity):
            return card_response(refusal_card(tx, tx("privacy.personal_only")))
        if verb in CASE_VERBS:
            return await self._deps.invokes.handle(turn_context, verb, action.get("data"), tx)
        if verb in MED_VERBS:
            return await self._deps.med.invoke(turn_context, verb, action.get("data"), tx)
        return card_response(refusal_card(tx, tx("error.not_possible_now")))

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            conversation_type = turn_context.activity.conversation.conversation_type
            tx = await self.person_texts(turn_context.activity)
            if conversation_type in (None, "personal"):
                await self._welcome(turn_context, tx)
            elif team_and_channel(turn_context) is not None:
                await self._deps.med.registration_prompt(turn_context, tx)  # added to a team

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        if not is_removal(turn_context.activity):
            return  # someone else left: nothing of theirs is kept by conversation
        await self._removed(turn_context)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._removed(turn_context)

    async def _removed(self, turn_context: TurnContext) -> None:
        """The app was removed: from a person's personal scope, or from a team."""
        activity = turn_context.activity
        where = team_and_channel(turn_context)
        if where is not None:
            await self._lifecycle.team_gone(where[0], "bot removed from the team")
            return
        sender = activity.from_property
        personal = activity.conversation is not None and activity.conversation.conversation_type in (None, "personal")
        if personal and sender is not None and sender.aad_object_id:
            await self._lifecycle.person_removed_app(sender.aad_object_id)

    async def on_teams_team_deleted(self, team_info: Any, turn_context: TurnContext) -> None:
        if team_info and team_info.id:
            await self._lifecycle.team_gone(team_info.id, "team deleted")

    async def on_teams_team_hard_deleted(self, team_info: Any, turn_context: TurnContext) -> None:
        if team_info and team_info.id:
            await self._lifecycle.team_gone(team_info.id, "team deleted")

    async def on_teams_channel_deleted(self, channel_info: Any, team_info: Any, turn_context: TurnContext) -> None:
        if team_info and channel_info:
            await self._lifecycle.team_gone(team_info.id, "channel deleted", channel_info.id)

    async def on_teams_channel_renamed(self, channel_info: Any, team_info: Any, turn_context: TurnContext) -> None:
        if team_info and channel_info:
            await self._deps.med.med.renamed(team_info.id, channel_info.id, channel_info.name or "")

    async def _welcome(self, turn_context: TurnContext, tx: Texts) -> None:
        await turn_context.send_activity(card_activity(welcome_card(tx)))

    async def _help(self, turn_context: TurnContext, tx: Texts) -> None:
        """The commands that fit who asks: the employee's, a leader's, HR's; the MED ones in a channel."""
        activity = turn_context.activity
        sender = activity.from_property
        user = (sender.aad_object_id or "") if sender else ""
        channel = activity.conversation is not None and activity.conversation.conversation_type not in (
            None,
            "personal",
        )
        hr = bool(user) and await self._deps.is_hr(user)
        leader = not channel and await self._deps.is_leader(user)
        bot_name = activity.recipient.name if activity.recipient and activity.recipient.name else ""
        who = Audience(leader=leader, hr=hr, channel=channel)
        await turn_context.send_activity(card_activity(help_card(tx, who, bot_name)))

    async def _guideline(self, turn_context: TurnContext, tx: Texts) -> None:
        await turn_context.send_activity(card_activity(guideline_card(tx)))

    async def _hr_cases(self, turn_context: TurnContext, tx: Texts) -> None:
        if not await self._require_hr(turn_context, tx):
            return
        cases = await self._deps.cases.open_cases()
        ordered = by_urgency(cases, self._deps.clock.now(), self._deps.cases.policy)
        await turn_context.send_activity(card_activity(hr_cases_card(tx, ordered, self._deps.zone)))

    async def _require_hr(self, turn_context: TurnContext, tx: Texts) -> bool:
        if await self._deps.is_hr(turn_context.activity.from_property.aad_object_id or ""):
            return True
        await turn_context.send_activity(tx("hr.only"))
        return False

    async def _hr_med_overview(self, turn_context: TurnContext, tx: Texts) -> None:
        if await self._require_hr(turn_context, tx):
            await self._deps.med.overview(turn_context, tx)

    async def _hr_med_send(self, turn_context: TurnContext, tx: Texts) -> None:
        if await self._require_hr(turn_context, tx):
            unit = command_argument(turn_context.activity.text or "")
            await self._deps.med.send_now(turn_context, tx, unit or None)

    async def _hr_hold(self, turn_context: TurnContext, tx: Texts) -> None:
        await self._hold(turn_context, tx, True)

    async def _hr_release(self, turn_context: TurnContext, tx: Texts) -> None:
        await self._hold(turn_context, tx, False)

    async def _hr_export(self, turn_context: TurnContext, tx: Texts) -> None:
        """HR asks for everything the bot holds about one person, by their Entra object id."""
        if not await self._require_hr(turn_context, tx) or self._deps.exports is None:
            return
        person = command_argument(turn_context.activity.text or "")
        try:
            person = str(uuid.UUID(person))
        except ValueError:
            await turn_context.send_activity(tx("export.usage"))
            return
        hr_id = turn_context.activity.from_property.aad_object_id or ""
        await turn_context.send_activity(self._deps.exports.request(person, hr_id, tx))

    async def _hr_correct_name(self, turn_context: TurnContext, tx: Texts) -> None:
        """HR corrects a person's name on every case they are on (rectification on request)."""
        if not await self._require_hr(turn_context, tx) or self._deps.exports is None:
            return
        # The name keeps its letters' case, so it is read from the text as typed, not normalised.
        found = _CORRECT_NAME.match(strip_mentions(turn_context.activity.text or "").strip())
        try:
            person = str(uuid.UUID(found.group(1))) if found else ""
            name = found.group(2) if found else ""
            count = await self._deps.exports.exports.correct_name(
                person, name, turn_context.activity.from_property.aad_object_id or ""
            )
        except ValueError:
            await turn_context.send_activity(tx("correct.usage"))
            return
        await turn_context.send_activity(tx("correct.done", count=count))

    async def _hr_erase(self, turn_context: TurnContext, tx: Texts) -> None:
        """HR deletes a case now because a person asked (GDPR art. 17); asks for confirmation first."""
        if not await self._require_hr(turn_context, tx) or self._deps.retention is None:
            return
        words = command_argument(turn_context.activity.text or "").split()
        number = words[0].upper() if words else ""
        case_id = await self._deps.cases.id_of_number(number)
        if case_id is None:
            await turn_context.send_activity(tx("erase.not_found" if number else "erase.usage"))
            return
        if words[1:2] not in (["bekræft"], ["bekraeft"], ["confirm"]):
            await turn_context.send_activity(tx("erase.confirm", number=number))
            return
        try:
            await self._deps.retention.erase(case_id, turn_context.activity.from_property.aad_object_id or "")
        except Held:
            await turn_context.send_activity(tx("erase.held", number=number))
            return
        await turn_context.send_activity(tx("erase.done", number=number))

    async def _hold(self, turn_context: TurnContext, tx: Texts, on: bool) -> None:
        """HR stops (or allows again) the deletion of one case, named by its number."""
        if not await self._require_hr(turn_context, tx) or self._deps.retention is None:
            return
        number = command_argument(turn_context.activity.text or "").upper()
        case_id = await self._deps.cases.id_of_number(number)
        if case_id is None:
            await turn_context.send_activity(tx("retention.not_found" if number else "retention.usage"))
            return
        who = turn_context.activity.from_property.aad_object_id or ""
        try:
            changed = await self._deps.retention.hold(case_id, who, on)
        except DeletionUnderWay:
            await turn_context.send_activity(tx("retention.under_way", number=number))
            return
        if on:
            key = "retention.held" if changed else "retention.already_held"
        else:
            key = "retention.released" if changed else "retention.not_held"
        await turn_context.send_activity(tx(key, number=number))

    async def _med_register(self, turn_context: TurnContext, tx: Texts) -> None:
        await self._deps.med.registration_prompt(turn_context, tx)

    async def _med_card(self, turn_context: TurnContext, tx: Texts) -> None:
        await self._deps.med.channel_cards(turn_context, tx)

    async def _my_cases(self, turn_context: TurnContext, tx: Texts) -> None:
        """The person's own reports, and for a leader (or a deputy brought in) the cases they lead.

        Both come from the index tags (reporter; leader and deputy of open cases): no scan. The
        leader section is shown to whoever leads an open case now."""
        user = turn_context.activity.from_property.aad_object_id or ""
        cases = await self._deps.cases.reported_by(user) if user else []
        led_cases = await self._deps.cases.open_led_by(user) if user else []
        led = by_urgency(led_cases, self._deps.clock.now(), self._deps.cases.policy) if led_cases else None
        await turn_context.send_activity(card_activity(my_cases_card(tx, cases, self._deps.zone, led)))
