"""More screenshots for a submitted case, started from "Mine sager".

Only the reporter may add evidence, and only to an open case: both are checked before anything
is downloaded (and the domain checks again when the file is added). Each file is stored
write-once under the case and added to the case with the ETag; a file the case then refuses is
deleted again. The dialog state is not touched by a message with files, so messages sent at the
same time never overwrite each other; the leader is told when the employee is done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.chat.routes import normalise, verb_of
from bot.errors import NotFound, NotPermitted
from bot.guideline.decisions import EvidenceAdded
from bot.guideline.errors import CaseAlreadyClosed
from bot.guideline.model import CaseStatus
from bot.intake.evidence import StoredEvidence
from bot.repositories.cases import CaseDoc
from bot.repositories.documents import Unchanged
from bot.services.case_actions import CaseActions
from bot.services.dispatch import Dispatcher
from bot.services.drafts import live_reservations, reservation
from bot.services.ports import Clock
from bot.services.reports import evidence_item
from bot.texts import Texts, language_for
from cards.verbs import Verb
from dialogs.evidence_chat import EvidenceChat
from dialogs.report import CANCEL_WORDS, DONE_WORDS


@dataclass
class AddEvidenceDeps:
    actions: CaseActions
    evidence: EvidenceChat
    clock: Clock
    default_language: str
    max_evidence: int
    dispatch: Dispatcher  # runs the follow-up work (tell the leader, update the cards)


@dataclass
class CaseTarget:
    """Files of one message, added to a submitted case. Room is reserved in the case document
    (its `intake`) before any download, so messages sent at the same time share the room."""

    actions: CaseActions
    user: str
    case_id: str
    activity_id: str
    cap: int
    now: datetime

    async def reserve(self, count: int) -> tuple[int, int]:
        granted: list[int] = []

        def reserve(doc: CaseDoc) -> tuple[CaseDoc, None]:
            granted.clear()
            case = doc.case
            if case.reporter.aad_object_id != self.user:
                raise NotPermitted(self.case_id)
            if case.status is CaseStatus.CLOSED:
                raise CaseAlreadyClosed(self.case_id)
            pending = live_reservations(doc.intake, self.now)
            used = len(case.evidence) + sum(int(p["n"]) for k, p in pending.items() if k != self.activity_id)
            granted.append(min(count, max(0, self.cap - used)))
            if not granted[0]:
                raise Unchanged
            return replace(doc, intake={**pending, self.activity_id: reservation(granted[0], self.now)}), None

        await self.actions.repo.change(self.case_id, reserve)
        return granted[0], self.cap

    async def record(self, stored: StoredEvidence) -> bool:
        decided = await self.actions.decide(self.case_id, self.user, EvidenceAdded(evidence_item(stored.meta)))
        return decided.changed

    async def release(self) -> None:
        def drop(doc: CaseDoc) -> tuple[CaseDoc, None]:
            if self.activity_id not in doc.intake:
                raise Unchanged
            return replace(doc, intake={k: v for k, v in doc.intake.items() if k != self.activity_id}), None

        await self.actions.repo.change(self.case_id, drop)

    async def discard(self, stored: StoredEvidence) -> None:
        case = (await self.actions.repo.get(self.case_id)).case
        if not any(item.sha256 == stored.meta.sha256 for item in case.evidence):
            await self.actions.repo.store.delete_evidence(stored.name)


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
        if case.case.status is CaseStatus.CLOSED:
            await dc.context.send_activity(tx("error.case_closed"))
            return await dc.end_dialog()
        before = [item.sha256 for item in case.case.evidence]
        dc.active_dialog.state.update({"case_id": case_id, "number": case.case.number, "before": before})
        await dc.context.send_activity(tx("mycases.add_evidence.prompt", number=case.case.number))
        return Dialog.end_of_turn

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        tx = self._texts(dc)
        state = dc.active_dialog.state
        activity = dc.context.activity
        words = normalise(activity.text or "")
        if activity.attachments:
            user = activity.from_property.aad_object_id or ""
            now = self.deps.clock.now()
            activity_id = activity.id or uuid.uuid4().hex
            target = CaseTarget(
                self.deps.actions, user, str(state["case_id"]), activity_id, self.deps.max_evidence, now
            )
            await self.deps.evidence.take(dc.context, target, tx, user, now)
            return Dialog.end_of_turn
        verb = verb_of(activity.value)
        if verb in (Verb.EVIDENCE_DONE, Verb.REPORT_CANCEL) or words in DONE_WORDS or words in CANCEL_WORDS:
            user = activity.from_property.aad_object_id or ""
            done = await self.deps.actions.evidence_done(state["case_id"], user, state.get("before") or [])
            if not done.count:  # nothing new: no "your leader is told", because nobody is
                await dc.context.send_activity(tx("mycases.add_evidence.none", number=state["number"]))
                return await dc.end_dialog()
            # Who is told is who `Notifications.evidence_added` tells: the leader, or HR while there is none.
            key = "mycases.add_evidence.done" if done.case.leader is not None else "mycases.add_evidence.done_hr"
            await dc.context.send_activity(tx(key, count=done.count, number=state["number"]))
            self.deps.dispatch.publish(*done.follow_ups)
            return await dc.end_dialog()
        await dc.context.send_activity(tx("mycases.add_evidence.prompt", number=state["number"]))
        return Dialog.end_of_turn
