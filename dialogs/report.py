"""The report dialog: form card -> screenshots in the chat -> review -> submit.

A small state machine kept in botbuilder's dialog state, which lives in our store: the employee
can leave halfway and continue another day, on any bot instance. Every card verb is checked
against the stage, so a stale button from an older card re-shows the current step instead of
failing. No business rules here: validation and submit are service calls.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.chat.forms import ReportForm
from bot.chat.routes import normalise, verb_of
from bot.errors import InvalidInput
from bot.guideline.acknowledgement import expectations
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import Case, DeputyReason, Person
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

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"afbryd", "annuller", "cancel", "stop"})
DONE_WORDS = frozenset({"færdig", "faerdig", "done", "færdig med billeder", "finished"})

FORM, EVIDENCE, REVIEW = "form", "evidence", "review"
INDEX_EVERY = timedelta(minutes=10)


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
        return (await self.drafts.record(self.user, self.case_id, stored.meta, self.cap)).new

    async def release(self) -> None:
        await self.drafts.release(self.user, self.case_id, self.activity_id)

    async def discard(self, stored: StoredEvidence) -> None:
        await self.drafts.store.delete_evidence(stored.name)


class ReportDialog(Dialog):  # type: ignore[misc]  # botbuilder ships no type hints
    ID = "report"

    def __init__(self, deps: ReportDeps) -> None:
        super().__init__(self.ID)
        self.deps = deps

    # -- botbuilder Dialog API -------------------------------------------------------------------
    async def begin_dialog(self, dc: DialogContext, options: object = None) -> DialogTurnResult:
        now = self.deps.clock.now()
        local = now.astimezone(self.deps.zone)
        state = dc.active_dialog.state
        state.update(
            {
                "stage": FORM,
                "case_id": new_draft_id(),
                "touched": now.isoformat(),
                "form": ReportForm(date=local.date().isoformat(), time=local.strftime("%H:%M")).to_dict(),
            }
        )
        user = self._user(dc.context).aad_object_id
        await self.deps.drafts.start(user, state["case_id"], now, self.deps.state_doc(dc.context))
        state["indexed"] = now.isoformat()
        await self._show(dc, state)
        return Dialog.end_of_turn

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        activity = dc.context.activity
        state = dc.active_dialog.state
        tx = self._texts(dc.context)
        now = self.deps.clock.now()
        user = self._user(dc.context).aad_object_id
        if await self._expired(user, state, now):
            await dc.context.send_activity(tx("report.expired"))
            await self.deps.drafts.discard(user, state["case_id"], with_state=False)
            return await dc.end_dialog()
        verb = verb_of(activity.value)
        words = normalise(activity.text or "")
        if verb is Verb.REPORT_CANCEL or (verb is None and words in CANCEL_WORDS):
            await self.deps.drafts.discard(user, state["case_id"], with_state=False)
            await dc.context.send_activity(tx("report.cancelled"))
            return await dc.end_dialog()
        stage = state["stage"]
        if activity.attachments and stage in (EVIDENCE, REVIEW):
            # The dialog state is left untouched, so turns running at the same time never
            # overwrite each other: the files are recorded on the draft document.
            answered = await self._take_evidence(dc, state)
            if stage == REVIEW and answered:
                await self._show(dc, state)
            return Dialog.end_of_turn
        state["touched"] = now.isoformat()
        await self._migrate_legacy_evidence(user, state)
        await self._touch(dc, state)
        if stage == FORM and verb is Verb.REPORT_FORM:
            return await self._on_form(dc, state, tx)
        if stage == EVIDENCE and (verb is Verb.EVIDENCE_DONE or (verb is None and words in DONE_WORDS)):
            if not await self.deps.drafts.evidence(self._user(dc.context).aad_object_id, state["case_id"]):
                await dc.context.send_activity(tx("evidence.none_yet"))
            state["stage"] = REVIEW
            await self._show(dc, state)
            return Dialog.end_of_turn
        if stage == REVIEW and verb is Verb.REVIEW_EDIT:
            state["stage"] = FORM
            await self._show(dc, state)
            return Dialog.end_of_turn
        if stage == REVIEW and verb is Verb.REVIEW_SUBMIT:
            return await self._submit(dc, state, tx)
        # Anything else (a stale button, "rapportér" again, other text): show where we are.
        await dc.context.send_activity(tx("report.resumed"))
        await self._show(dc, state)
        return Dialog.end_of_turn

    # -- steps -------------------------------------------------------------------------------
    async def _on_form(self, dc: DialogContext, state: dict[str, Any], tx: Texts) -> DialogTurnResult:
        form = ReportForm.from_payload(dc.context.activity.value)
        state["form"] = form.to_dict()
        try:
            validate_report(form, self.deps.clock.now(), self.deps.zone)
        except InvalidInput as exc:
            problem = tx(f"invalid.{exc.reason}", field=tx(f"field.{exc.field}"))
            log.info("report form refused", extra=fields(field=exc.field, reason=exc.reason))
            await self._show(dc, state, problem=problem)
            return Dialog.end_of_turn
        state["stage"] = EVIDENCE
        await self._show(dc, state)
        return Dialog.end_of_turn

    async def _expired(self, user: str, state: dict[str, Any], now: datetime) -> bool:
        """Untouched for the time-to-live. Messages with files touch only the draft document (they
        leave the dialog state alone), so a draft that looks old here asks the document too."""
        if now - datetime.fromisoformat(state["touched"]) <= self.deps.draft_ttl:
            return False
        draft = await self.deps.drafts.get(user, state["case_id"])
        stamp = str((draft or {}).get("touched") or "")
        if not stamp:
            return True
        touched = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        return now - touched > self.deps.draft_ttl

    async def _take_evidence(self, dc: DialogContext, state: dict[str, Any]) -> bool:
        user = self._user(dc.context).aad_object_id
        now = self.deps.clock.now()
        activity_id = dc.context.activity.id or new_draft_id()
        target = DraftTarget(self.deps.drafts, user, state["case_id"], activity_id, self.deps.max_evidence, now)
        return await self.deps.evidence.take(dc.context, target, self._texts(dc.context), user, now)

    async def _migrate_legacy_evidence(self, user: str, state: dict[str, Any]) -> None:
        """Drafts begun before evidence moved to the draft document kept it in the dialog state."""
        legacy = state.pop("evidence", None)
        for item in legacy or []:
            with contextlib.suppress(DraftGone, InvalidDecision):
                await self.deps.drafts.record(user, state["case_id"], meta_from_json(item), self.deps.max_evidence)

    async def _submit(self, dc: DialogContext, state: dict[str, Any], tx: Texts) -> DialogTurnResult:
        form = ReportForm.from_payload(state["form"])
        now = self.deps.clock.now()
        try:
            facts = validate_report(form, now, self.deps.zone)
        except InvalidInput as exc:  # e.g. a stored draft from before a rule changed
            state["stage"] = FORM
            await self._show(dc, state, problem=tx(f"invalid.{exc.reason}", field=tx(f"field.{exc.field}")))
            return Dialog.end_of_turn
        reporter = self._user(dc.context)
        try:
            evidence = await self.deps.drafts.close(reporter.aad_object_id, state["case_id"], now)
        except StillReceiving:
            await dc.context.send_activity(tx("evidence.still_receiving"))
            return Dialog.end_of_turn
        except DraftGone:
            await dc.context.send_activity(tx("report.expired"))
            return await dc.end_dialog()
        value = dc.context.activity.value if isinstance(dc.context.activity.value, dict) else {}
        chosen = await self.deps.reports.chosen_leader(reporter.aad_object_id, value.get("leader"))
        submitted = await self.deps.reports.submit(state["case_id"], reporter, facts, evidence, now, chosen)
        case = submitted.case
        view = receipt_view(case, self.deps.reports.policy, self.deps.zone, tx)
        await dc.context.send_activity(card_activity(receipt_card(tx, view)))
        await self.deps.drafts.forget(reporter.aad_object_id)
        self.deps.dispatch.publish(*submitted.follow_ups)
        return await dc.end_dialog(case.id)

    # -- helpers ------------------------------------------------------------------------------
    async def _show(self, dc: DialogContext, state: dict[str, Any], problem: str = "") -> None:
        tx = self._texts(dc.context)
        form = ReportForm.from_payload(state["form"])
        if state["stage"] == FORM:
            max_date = self.deps.clock.now().astimezone(self.deps.zone).date().isoformat()
            content = report_card(tx, form, max_date=max_date, problem=problem)
        elif state["stage"] == EVIDENCE:
            content = evidence_prompt_card(tx, self.deps.evidence.per_message)
        else:
            user = self._user(dc.context).aad_object_id
            choices = await self.deps.reports.leader_choices(user)
            evidence = await self.deps.drafts.evidence(user, state["case_id"])
            content = review_card(tx, form, evidence_lines(evidence), choices)
        await dc.context.send_activity(card_activity(content))

    async def _touch(self, dc: DialogContext, state: dict[str, Any]) -> None:
        """Keep the draft index fresh, but write it at most every few minutes, not every turn:
        the time-to-live is counted in hours."""
        now = self.deps.clock.now()
        indexed = state.get("indexed")
        if indexed and now - datetime.fromisoformat(indexed) < INDEX_EVERY:
            return
        await self.deps.drafts.touch(self._user(dc.context).aad_object_id, state["case_id"], now)
        state["indexed"] = now.isoformat()

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
