"""The report dialog: it carries the report flow (`bot.chat.report_flow`) in botbuilder.

The flow's state is kept in botbuilder's dialog state, which lives in our store: the employee can
leave halfway and continue another day, on any bot instance. The flow decides (which button counts
at which step, what a stale button or "afbryd" does); this dialog turns each activity into the
flow's event and performs the effects: cards, texts, the draft's writes and the submit, which are
service calls.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import assert_never
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.chat import report_flow as flow
from bot.chat.report_flow import CANCEL_WORDS, DONE_WORDS
from bot.guideline.acknowledgement import expectations
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import Case, DeputyReason, Facts, Person
from bot.guideline.policy import DeadlinePolicy
from bot.hosting.logs import fields
from bot.intake.evidence import StoredEvidence
from bot.services.dispatch import Dispatcher
from bot.services.drafts import DraftGone, DraftIndex, StillReceiving, meta_from_json
from bot.services.ports import Clock
from bot.services.reports import ReportService, new_draft_id, validate_report
from bot.storage.store import EvidenceMeta
from bot.teams.activities import card_activity
from bot.texts import Texts, language_for
from cards.common import Card, card, submit, text, when
from cards.report import report_card
from cards.review import EvidenceLine, ReceiptView, receipt_card, review_card
from cards.verbs import Verb
from dialogs.evidence_chat import EvidenceChat

__all__ = [
    "CANCEL_WORDS",  # the report flow's words (bot/chat/add_evidence_flow.py uses them too)
    "DONE_WORDS",
    "DraftTarget",
    "ReportDeps",
    "ReportDialog",
    "evidence_lines",
    "evidence_prompt_card",
    "receipt_view",
]

log = logging.getLogger(__name__)


@dataclass
class ReportDeps:
    reports: ReportService
    evidence: EvidenceChat
    drafts: DraftIndex
    clock: Clock
    zone: ZoneInfo
    draft_ttl: timedelta
    default_language: str
    max_evidence: int
    dispatch: Dispatcher  # runs the follow-up work (the leader's notification, the reporter's card)
    state_doc: Callable[[TurnContext], str] = lambda _context: ""  # where this chat's dialog state is stored


def evidence_lines(evidence: list[EvidenceMeta]) -> list[EvidenceLine]:
    return [EvidenceLine(e.original_name, e.size, e.sha256) for e in evidence]


def evidence_prompt_card(tx: Texts, per_message: int = 10) -> Card:
    advice = tx("evidence.advice", per_message=per_message)
    return card([text(advice)], [submit(tx("evidence.done_button"), Verb.EVIDENCE_DONE)])


@dataclass
class DraftTarget:
    """Files of one message, recorded on the draft document (not in the dialog state)."""

    drafts: DraftIndex
    user: str
    case_id: str
    activity_id: str
    cap: int
    now: datetime

    async def reserve(self, count: int) -> tuple[int, int]:
        reservation = await self.drafts.reserve(self.user, self.case_id, self.activity_id, count, self.cap, self.now)
        return reservation.granted, self.cap

    async def record(self, stored: StoredEvidence) -> bool:
        return (await self.drafts.record(self.user, self.case_id, stored.meta, self.cap, self.activity_id)).new

    async def give_back(self) -> None:
        await self.drafts.give_back(self.user, self.case_id, self.activity_id)

    async def release(self) -> None:
        await self.drafts.release(self.user, self.case_id, self.activity_id)

    async def discard(self, stored: StoredEvidence) -> None:
        await self.drafts.store.delete_evidence(stored.name)


class ReportDialog(Dialog):  # type: ignore[misc]  # botbuilder ships no type hints
    """Carries `bot.chat.report_flow`: the flow's state lives in the dialog state; this class turns
    activities into the flow's events and performs its effects."""

    ID = "report"

    def __init__(self, deps: ReportDeps) -> None:
        super().__init__(self.ID)
        self.deps = deps

    # -- botbuilder Dialog API -------------------------------------------------------------------
    async def begin_dialog(self, dc: DialogContext, options: object = None) -> DialogTurnResult:
        context = self._context()
        return await self._carry(dc, None, flow.start(new_draft_id(), context), context)

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        activity = dc.context.activity
        state = flow.FlowState.from_dict(dc.active_dialog.state)
        context = self._context()
        event: flow.Event
        if await self._expired(dc.context, state, context.now):
            event = flow.Expire()
        else:
            event = flow.event_of(activity.value, activity.text or "", bool(activity.attachments))
        return await self._carry(dc, state, flow.step(state, event, context), context)

    # -- the carrier ---------------------------------------------------------------------------
    async def _carry(
        self, dc: DialogContext, before: flow.FlowState | None, step: flow.Step, context: flow.Context
    ) -> DialogTurnResult:
        """Keep the new state, then perform the effects in order; an effect with an outcome
        (the files taken, the submit) feeds it back to the flow as the next event. One moment
        (`context.now`) serves the whole turn.

        The dialog state is written only when the flow changed it: a message with files leaves
        it alone, so turns running at the same time never overwrite each other."""
        if step.state != before:
            stored = dc.active_dialog.state
            stored.clear()
            stored.update(step.state.to_dict())
        for effect in step.effects:
            if isinstance(effect, flow.End):
                return await dc.end_dialog(effect.result)
            outcome = await self._perform(dc, step.state, effect, context.now)
            if outcome is not None:
                return await self._carry(dc, step.state, flow.step(step.state, outcome, context), context)
        return Dialog.end_of_turn

    async def _perform(
        self, dc: DialogContext, state: flow.FlowState, effect: flow.Effect, now: datetime
    ) -> flow.Event | None:
        context = dc.context
        tx = self._texts(context)
        user = self._user(context).aad_object_id
        match effect:
            case flow.StartDraft():
                await self.deps.drafts.start(user, state.case_id, now, self.deps.state_doc(context))
            case flow.TouchDraft():
                await self.deps.drafts.touch(user, state.case_id, now)
            case flow.DiscardDraft():
                await self.deps.drafts.discard(user, state.case_id, with_state=False)
            case flow.MigrateLegacyEvidence(items):
                for item in items:
                    with contextlib.suppress(DraftGone, InvalidDecision):
                        await self.deps.drafts.record(user, state.case_id, meta_from_json(item), self.deps.max_evidence)
            case flow.ShowForm(form, max_date, problem):
                shown = tx(f"invalid.{problem.reason}", field=tx(f"field.{problem.field}")) if problem else ""
                await context.send_activity(card_activity(report_card(tx, form, max_date=max_date, problem=shown)))
            case flow.ShowEvidencePrompt():
                await context.send_activity(card_activity(evidence_prompt_card(tx, self.deps.evidence.per_message)))
            case flow.ShowReview(form, if_no_evidence):
                evidence = await self.deps.drafts.evidence(user, state.case_id)
                if if_no_evidence and not evidence:
                    await context.send_activity(tx(if_no_evidence))
                choices = await self.deps.reports.leader_choices(user)
                await context.send_activity(card_activity(review_card(tx, form, evidence_lines(evidence), choices)))
            case flow.Say():
                await context.send_activity(flow.spoken(tx, effect))
            case flow.LogFormRefused(problem):
                log.info("report form refused", extra=fields(field=problem.field, reason=problem.reason))
            case flow.TakeEvidence():
                activity_id = context.activity.id or new_draft_id()
                target = DraftTarget(self.deps.drafts, user, state.case_id, activity_id, self.deps.max_evidence, now)
                return flow.EvidenceTaken(await self.deps.evidence.take(context, target, tx, user, now))
            case flow.SubmitReport(facts, leader):
                return await self._submit(self._user(context), state.case_id, facts, leader, now)
            case flow.ShowReceipt(case):
                view = receipt_view(case, self.deps.reports.policy, self.deps.zone, tx)
                await context.send_activity(card_activity(receipt_card(tx, view)))
            case flow.ForgetDrafts():
                await self.deps.drafts.forget(user)
            case flow.Publish(follow_ups):
                self.deps.dispatch.publish(*follow_ups)
            case flow.End():  # pragma: no cover  (ends the dialog in _carry)
                raise AssertionError("End is performed by the carrier")
            case _:
                assert_never(effect)
        return None

    async def _submit(self, reporter: Person, case_id: str, facts: Facts, leader: object, now: datetime) -> flow.Event:
        try:
            evidence, first = await self.deps.drafts.close_once(reporter.aad_object_id, case_id, now)
        except StillReceiving:
            return flow.SubmitRefused(flow.SubmitOutcome.STILL_RECEIVING)
        except DraftGone:
            return flow.SubmitRefused(flow.SubmitOutcome.DRAFT_GONE)
        chosen = await self.deps.reports.chosen_leader(reporter.aad_object_id, leader)
        submitted = await self.deps.reports.submit(case_id, reporter, facts, evidence, now, chosen, first=first)
        return flow.Submitted(submitted.case, submitted.follow_ups)

    # -- helpers ------------------------------------------------------------------------------
    def _context(self) -> flow.Context:
        zone = self.deps.zone
        now = self.deps.clock.now()
        return flow.Context(now, zone, lambda form: validate_report(form, now, zone))

    async def _expired(self, context: TurnContext, state: flow.FlowState, now: datetime) -> bool:
        """Untouched for the time-to-live. Messages with files touch only the draft document (they
        leave the dialog state alone), so a draft that looks old here asks the document too."""
        if not flow.needs_draft_check(state, now, self.deps.draft_ttl):
            return False
        draft = await self.deps.drafts.get(self._user(context).aad_object_id, state.case_id)
        stamp = str((draft or {}).get("touched") or "")
        touched = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if stamp else None
        return flow.draft_expired(touched, now, self.deps.draft_ttl)

    def _texts(self, context: TurnContext) -> Texts:
        return Texts(language_for(context.activity.locale, self.deps.default_language))

    @staticmethod
    def _user(context: TurnContext) -> Person:
        sender = context.activity.from_property
        return Person(aad_object_id=(sender.aad_object_id or sender.id), name=sender.name or "")


def receipt_view(case: Case, policy: DeadlinePolicy, zone: ZoneInfo, tx: Texts) -> ReceiptView:
    """The receipt's promises come from the same policy the scheduler keeps (no promise not kept)."""
    expect = expectations(case, policy)

    def shown(moment: datetime | None) -> str:
        return when(tx, moment, zone) if moment else ""

    absent = case.deputy_in is not None and case.deputy_in.reason is DeputyReason.LEADER_ABSENT
    return ReceiptView(
        number=case.number,
        received_local=case.created_at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
        evidence=[EvidenceLine(e.original_name, e.size, e.sha256) for e in case.evidence],
        leader_name=case.leader.name if case.leader else None,
        clock_from=shown(expect.clock_from) if expect.outside_office_hours else "",
        ack_by=shown(expect.ack_by),
        deputy_then_hr_at=shown(expect.hr_at) if expect.deputy_at else "",
        absent_leader_deputy=case.deputy.name if absent and case.deputy else "",
        steps_due=shown(expect.steps_due),
    )
