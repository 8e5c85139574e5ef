"""The report dialog: form card -> screenshots in the chat -> review -> submit.

A small state machine kept in botbuilder's dialog state, which lives in our store: the employee
can leave halfway and continue another day, on any bot instance. Every card verb is checked
against the stage, so a stale button from an older card re-shows the current step instead of
failing. No business rules here: validation and submit are service calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.errors import InvalidInput
from bot.evidence import EvidenceIntake, StoredEvidence
from bot.forms import ReportForm
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import Case, Person
from bot.logs import fields
from bot.ports import Clock
from bot.services.reports import DraftIndex, ReportService, new_draft_id, validate_report
from bot.storage.store import EvidenceMeta
from bot.teams.activities import card_activity
from bot.teams.routes import normalise, verb_of
from bot.texts import Texts, language_for
from cards.common import Card, card, submit, text
from cards.report import report_card
from cards.review import EvidenceLine, ReceiptView, receipt_card, review_card
from cards.verbs import Verb
from dialogs.evidence_chat import take_attachments

log = logging.getLogger(__name__)

CANCEL_WORDS = frozenset({"afbryd", "annuller", "cancel", "stop"})
DONE_WORDS = frozenset({"færdig", "faerdig", "done", "færdig med billeder", "finished"})

FORM, EVIDENCE, REVIEW = "form", "evidence", "review"
INDEX_EVERY = timedelta(minutes=10)


@dataclass
class ReportDeps:
    reports: ReportService
    intake: EvidenceIntake
    drafts: DraftIndex
    clock: Clock
    zone: ZoneInfo
    draft_ttl: timedelta
    default_language: str
    max_evidence: int
    max_evidence_mb: int
    after_submit: Callable[[Case], Awaitable[None]]


def meta_to_json(meta: EvidenceMeta) -> dict[str, Any]:
    return {
        "sha256": meta.sha256,
        "size": meta.size,
        "content_type": meta.content_type,
        "original_name": meta.original_name,
        "uploaded_by": meta.uploaded_by,
        "uploaded_at": meta.uploaded_at.isoformat(),
    }


def meta_from_json(data: dict[str, Any]) -> EvidenceMeta:
    return EvidenceMeta(
        data["sha256"],
        int(data["size"]),
        data["content_type"],
        data["original_name"],
        data["uploaded_by"],
        datetime.fromisoformat(data["uploaded_at"]),
    )


def evidence_lines(state: dict[str, Any]) -> list[EvidenceLine]:
    return [EvidenceLine(e["original_name"], int(e["size"]), e["sha256"]) for e in state["evidence"]]


def evidence_prompt_card(tx: Texts) -> Card:
    return card([text(tx("evidence.advice"))], [submit(tx("evidence.done_button"), Verb.EVIDENCE_DONE)])


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
                "evidence": [],
                "touched": now.isoformat(),
                "form": ReportForm(date=local.date().isoformat(), time=local.strftime("%H:%M")).to_dict(),
            }
        )
        await self._touch(dc, state)
        await self._show(dc, state)
        return Dialog.end_of_turn

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        activity = dc.context.activity
        state = dc.active_dialog.state
        tx = self._texts(dc.context)
        now = self.deps.clock.now()
        if now - datetime.fromisoformat(state["touched"]) > self.deps.draft_ttl:
            await dc.context.send_activity(tx("report.expired"))
            await self.deps.drafts.forget(self._user(dc.context).aad_object_id)
            return await dc.end_dialog()
        state["touched"] = now.isoformat()
        verb = verb_of(activity.value)
        words = normalise(activity.text or "")
        if verb is Verb.REPORT_CANCEL or (verb is None and words in CANCEL_WORDS):
            await dc.context.send_activity(tx("report.cancelled"))
            await self.deps.drafts.forget(self._user(dc.context).aad_object_id)
            return await dc.end_dialog()
        await self._touch(dc, state)
        stage = state["stage"]
        if activity.attachments and stage in (EVIDENCE, REVIEW):
            await self._take_evidence(dc, state, tx)
            if stage == REVIEW:
                await self._show(dc, state)
            return Dialog.end_of_turn
        if stage == FORM and verb is Verb.REPORT_FORM:
            return await self._on_form(dc, state, tx)
        if stage == EVIDENCE and (verb is Verb.EVIDENCE_DONE or (verb is None and words in DONE_WORDS)):
            if not state["evidence"]:
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

    async def _take_evidence(self, dc: DialogContext, state: dict[str, Any], tx: Texts) -> None:
        async def keep(stored: StoredEvidence) -> bool:
            if any(e["sha256"] == stored.meta.sha256 for e in state["evidence"]):
                return False
            if len(state["evidence"]) >= self.deps.max_evidence:
                raise InvalidDecision("evidence", "too_many")
            state["evidence"].append(meta_to_json(stored.meta))
            return True

        user = self._user(dc.context).aad_object_id
        await take_attachments(
            dc.context,
            self.deps.intake,
            state["case_id"],
            user,
            self.deps.clock.now(),
            tx,
            self.deps.max_evidence_mb,
            keep,
        )

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
        evidence = [meta_from_json(e) for e in state["evidence"]]
        value = dc.context.activity.value if isinstance(dc.context.activity.value, dict) else {}
        chosen = await self.deps.reports.chosen_leader(reporter.aad_object_id, value.get("leader"))
        submitted = await self.deps.reports.submit(state["case_id"], reporter, facts, evidence, now, chosen)
        case = submitted.case
        view = ReceiptView(
            number=case.number,
            received_local=case.created_at.astimezone(self.deps.zone).strftime("%d-%m-%Y %H:%M"),
            evidence=[EvidenceLine(e.original_name, e.size, e.sha256) for e in case.evidence],
            leader_name=case.leader.name if case.leader else None,
        )
        await dc.context.send_activity(card_activity(receipt_card(tx, view)))
        await self.deps.drafts.forget(reporter.aad_object_id)
        if not submitted.already:
            await self.deps.after_submit(case)
        return await dc.end_dialog(case.id)

    # -- helpers ------------------------------------------------------------------------------
    async def _show(self, dc: DialogContext, state: dict[str, Any], problem: str = "") -> None:
        tx = self._texts(dc.context)
        form = ReportForm.from_payload(state["form"])
        if state["stage"] == FORM:
            max_date = self.deps.clock.now().astimezone(self.deps.zone).date().isoformat()
            content = report_card(tx, form, max_date=max_date, problem=problem)
        elif state["stage"] == EVIDENCE:
            content = evidence_prompt_card(tx)
        else:
            user = self._user(dc.context).aad_object_id
            choices = await self.deps.reports.leader_choices(user)
            content = review_card(tx, form, evidence_lines(state), choices)
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
