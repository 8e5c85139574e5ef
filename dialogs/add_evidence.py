"""More screenshots for a submitted case, started from "Mine sager".

Only the reporter may add evidence (the domain refuses anyone else). Each file is stored
write-once under the case and added to the case with the ETag; the leader is told afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.errors import NotFound
from bot.evidence import EvidenceIntake, StoredEvidence
from bot.guideline.decisions import EvidenceAdded
from bot.guideline.model import Case
from bot.ports import Clock
from bot.services.case_actions import CaseActions
from bot.services.reports import evidence_item
from bot.teams.routes import normalise, verb_of
from bot.texts import Texts, language_for
from cards.verbs import Verb
from dialogs.evidence_chat import take_attachments
from dialogs.report import CANCEL_WORDS, DONE_WORDS


@dataclass
class AddEvidenceDeps:
    actions: CaseActions
    intake: EvidenceIntake
    clock: Clock
    default_language: str
    max_evidence_mb: int
    after_added: Callable[[Case, int], Awaitable[None]]


class AddEvidenceDialog(Dialog):  # type: ignore[misc]  # botbuilder ships no type hints
    ID = "add_evidence"

    def __init__(self, deps: AddEvidenceDeps) -> None:
        super().__init__(self.ID)
        self.deps = deps

    def _texts(self, dc: DialogContext) -> Texts:
        return Texts(language_for(dc.context.activity.locale, self.deps.default_language))

    async def begin_dialog(self, dc: DialogContext, options: object = None) -> DialogTurnResult:
        tx = self._texts(dc)
        case_id = options if isinstance(options, str) else ""
        user = dc.context.activity.from_property.aad_object_id or ""
        try:
            case = await self.deps.actions.repo.get(case_id)
        except NotFound:
            await dc.context.send_activity(tx("error.not_found"))
            return await dc.end_dialog()
        if case.case.reporter.aad_object_id != user:
            await dc.context.send_activity(tx("error.not_permitted"))
            return await dc.end_dialog()
        dc.active_dialog.state.update({"case_id": case_id, "number": case.case.number, "added": 0})
        await dc.context.send_activity(tx("mycases.add_evidence.prompt", number=case.case.number))
        return Dialog.end_of_turn

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        tx = self._texts(dc)
        state = dc.active_dialog.state
        activity = dc.context.activity
        words = normalise(activity.text or "")
        if activity.attachments:
            await self._take(dc, state, tx)
            return Dialog.end_of_turn
        if verb_of(activity.value) is Verb.EVIDENCE_DONE or words in DONE_WORDS or words in CANCEL_WORDS:
            await dc.context.send_activity(
                tx("mycases.add_evidence.done", count=state["added"], number=state["number"])
            )
            if state["added"]:
                case = (await self.deps.actions.repo.get(state["case_id"])).case
                await self.deps.after_added(case, state["added"])
            return await dc.end_dialog()
        await dc.context.send_activity(tx("mycases.add_evidence.prompt", number=state["number"]))
        return Dialog.end_of_turn

    async def _take(self, dc: DialogContext, state: dict[str, object], tx: Texts) -> None:
        user = dc.context.activity.from_property.aad_object_id or ""
        case_id = str(state["case_id"])

        async def add(stored: StoredEvidence) -> bool:
            decided = await self.deps.actions.decide(case_id, user, EvidenceAdded(evidence_item(stored.meta)))
            return decided.changed

        added = await take_attachments(
            dc.context, self.deps.intake, case_id, user, self.deps.clock.now(), tx, self.deps.max_evidence_mb, add
        )
        state["added"] = int(str(state["added"])) + added
