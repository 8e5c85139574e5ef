"""More screenshots for a submitted case, started from "Mine sager": the dialog that carries
`bot.chat.add_evidence_flow`.

The flow decides (who may add, what a message means, what is said at the end); this dialog keeps
its state in the dialog state, turns each activity into the flow's event and performs the
effects: texts, taking the message's files onto the case, counting what was added, handing the
follow-up work to the dispatcher. Who may add and how much room is left are asked again before
anything is downloaded, inside the case's ETag-guarded write (`CaseTarget.reserve`). Each file is
stored write-once under the case and added to the case with the ETag; a file the case then
refuses is deleted again. The dialog state is not touched by a message with files, so messages
sent at the same time never overwrite each other; the leader is told when the employee is done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import assert_never

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult

from bot.chat import add_evidence_flow as flow
from bot.chat.report_flow import End, EvidenceTaken, Publish, Say, TakeEvidence, spoken
from bot.errors import NotFound, NotPermitted
from bot.guideline.decisions import EvidenceAdded
from bot.guideline.errors import CaseAlreadyClosed
from bot.guideline.model import Case
from bot.intake.evidence import StoredEvidence
from bot.repositories.cases import CaseDoc
from bot.repositories.documents import Unchanged
from bot.services.case_actions import CaseActions
from bot.services.dispatch import Dispatcher
from bot.services.drafts import live_reservations, one_taken, reservation
from bot.services.ports import Clock
from bot.services.reports import evidence_item
from bot.texts import Texts, language_for
from dialogs.evidence_chat import EvidenceChat


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
            refused = flow.refusal(doc.case, self.user)
            if refused is flow.Refusal.NOT_PERMITTED:
                raise NotPermitted(self.case_id)
            if refused is not None:
                raise CaseAlreadyClosed(self.case_id)
            pending = live_reservations(doc.intake, self.now)
            others = sum(int(p["n"]) for k, p in pending.items() if k != self.activity_id)
            granted.append(flow.room(doc.case, others, count, self.cap))
            if not granted[0]:
                raise Unchanged
            return replace(doc, intake={**pending, self.activity_id: reservation(granted[0], self.now)}), None

        await self.actions.repo.change(self.case_id, reserve)
        return granted[0], self.cap

    async def record(self, stored: StoredEvidence) -> bool:
        """Add the file to the case; the same write takes it off this message's reservation (also
        when the case had it already), so it is never counted both on the case and as coming."""

        def take_place(doc: CaseDoc) -> CaseDoc:
            intake = one_taken(doc.intake, self.activity_id)
            return doc if intake is None else replace(doc, intake=intake)

        item = evidence_item(stored.meta)
        decided = await self.actions.decide(self.case_id, self.user, EvidenceAdded(item), alongside=take_place)
        return decided.changed

    async def give_back(self) -> None:
        """A file refused by its download: its place comes off this message's reservation now."""

        def take_place(doc: CaseDoc) -> tuple[CaseDoc, None]:
            intake = one_taken(doc.intake, self.activity_id)
            if intake is None:
                raise Unchanged
            return replace(doc, intake=intake), None

        await self.actions.repo.change(self.case_id, take_place)

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
    """Carries `bot.chat.add_evidence_flow`: its state lives in the dialog state; this class turns
    activities into the flow's events and performs its effects."""

    ID = "add_evidence"

    def __init__(self, deps: AddEvidenceDeps) -> None:
        super().__init__(self.ID)
        self.deps = deps

    # -- botbuilder Dialog API -------------------------------------------------------------------
    async def begin_dialog(self, dc: DialogContext, options: object = None) -> DialogTurnResult:
        case_id = options if isinstance(options, str) else ""
        case: Case | None
        try:
            case = (await self.deps.actions.repo.get(case_id)).case
        except NotFound:
            case = None
        return await self._carry(dc, None, flow.start(case_id, case, self._user(dc)))

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        activity = dc.context.activity
        state = flow.AddState.from_dict(dc.active_dialog.state)
        event = flow.event_of(activity.value, activity.text or "", bool(activity.attachments))
        return await self._carry(dc, state, flow.step(state, event))

    # -- the carrier ---------------------------------------------------------------------------
    async def _carry(self, dc: DialogContext, before: flow.AddState | None, step: flow.Step) -> DialogTurnResult:
        """Keep the new state (only when the flow changed it), then perform the effects in order;
        an effect with an outcome feeds it back to the flow as the next event."""
        if step.state is not None and step.state != before:
            stored = dc.active_dialog.state
            stored.clear()
            stored.update(step.state.to_dict())
        for effect in step.effects:
            if isinstance(effect, End):
                return await dc.end_dialog(effect.result)
            outcome = await self._perform(dc, step.state, effect)
            if outcome is not None:
                return await self._carry(dc, step.state, flow.step(_begun(step.state), outcome))
        return Dialog.end_of_turn

    async def _perform(self, dc: DialogContext, state: flow.AddState | None, effect: flow.Effect) -> flow.Event | None:
        context = dc.context
        tx = self._texts(dc)
        match effect:
            case Say():
                await context.send_activity(spoken(tx, effect))
            case TakeEvidence():
                user = self._user(dc)
                now = self.deps.clock.now()
                activity_id = context.activity.id or uuid.uuid4().hex
                target = CaseTarget(
                    self.deps.actions, user, _begun(state).case_id, activity_id, self.deps.max_evidence, now
                )
                return EvidenceTaken(await self.deps.evidence.take(context, target, tx, user, now))
            case flow.CountAdded(before):
                done = await self.deps.actions.evidence_done(_begun(state).case_id, self._user(dc), list(before))
                return flow.Counted(done.count, done.follow_ups, to_hr=done.case.leader is None)
            case Publish(follow_ups):
                self.deps.dispatch.publish(*follow_ups)
            case End():  # pragma: no cover  (ends the dialog in _carry)
                raise AssertionError("End is performed by the carrier")
            case _:
                assert_never(effect)
        return None

    # -- helpers ------------------------------------------------------------------------------
    def _texts(self, dc: DialogContext) -> Texts:
        return Texts(language_for(dc.context.activity.locale, self.deps.default_language))

    @staticmethod
    def _user(dc: DialogContext) -> str:
        return str(dc.context.activity.from_property.aad_object_id or "")


def _begun(state: flow.AddState | None) -> flow.AddState:
    """Only a refusal at the start has no state, and it only says a text and ends."""
    if state is None:  # pragma: no cover  (the flow never asks for more before the dialog began)
        raise AssertionError("the add-evidence dialog has not begun")
    return state
