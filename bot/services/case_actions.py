"""Decisions on a case: one service call per card action.

The domain checks the actor, the step and the transition; this layer reads the case, applies the
decision, writes it with the ETag (re-reading and re-applying when someone else wrote first),
appends the audit lines and queues the notifications the change causes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot.guideline import case as domain
from bot.guideline.decisions import Decision, EvidenceFinished
from bot.guideline.events import Event
from bot.guideline.model import Actor, Case
from bot.guideline.policy import DeadlinePolicy
from bot.hosting.logs import fields
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.documents import Unchanged
from bot.services import audit
from bot.services.notifications import owed_retries
from bot.services.outcomes import CaseDecided
from bot.services.ports import Clock

log = logging.getLogger(__name__)

HrCheck = Callable[[str], Awaitable[bool]]
DocChange = Callable[[CaseDoc], CaseDoc]


@dataclass(frozen=True)
class Decided:
    """What a decision did: the case as written and the domain's events (none: nothing changed)."""

    case: Case
    events: list[Event]
    actor_id: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.events)

    @property
    def follow_ups(self) -> tuple[CaseDecided, ...]:
        """For the dispatcher: the other people's cards and what became due (only after a change)."""
        return (CaseDecided(self.case, tuple(self.events), self.actor_id),) if self.events else ()


@dataclass(frozen=True)
class EvidenceDone:
    """The reporter said they are done adding files: how many they added since they began. When
    some were, the notice to the leader (HR while none) is already kept in the case (`decided`),
    so the reply may say they are told: the delivery retries it like any due item."""

    case: Case
    count: int
    decided: Decided | None = None

    @property
    def follow_ups(self) -> tuple[CaseDecided, ...]:
        """For the dispatcher: send the owed notice now and update the others' cards."""
        return self.decided.follow_ups if self.decided is not None else ()


class CaseActions:
    def __init__(self, repo: CaseRepository, policy: DeadlinePolicy, clock: Clock, is_hr: HrCheck) -> None:
        self.repo = repo
        self.policy = policy
        self.clock = clock
        self.is_hr = is_hr

    async def actor(self, aad_object_id: str) -> Actor:
        return Actor(aad_object_id=aad_object_id, is_hr=await self.is_hr(aad_object_id))

    async def decide(
        self, case_id: str, actor_id: str, decision: Decision, *, alongside: DocChange | None = None
    ) -> Decided:
        """Apply one decision. DomainError (refused, invalid) propagates with nothing written.

        The same decision twice yields no events and no write (idempotent). `alongside` changes
        the case document in the same write, also when the decision changes nothing (it returns
        the document it was given when it has nothing to change): a file added from a chat
        message takes its place off the message's reservation (`intake`) as it goes in."""
        actor = await self.actor(actor_id)
        now = self.clock.now()

        unchanged: list[Decided] = []

        def apply(doc: CaseDoc) -> tuple[CaseDoc, Decided]:
            new_case, events = domain.decide(doc.case, actor, decision, now, self.policy)
            beside = alongside(doc) if alongside is not None else doc
            if not events:
                unchanged.append(Decided(doc.case, [], actor_id))
                if beside is doc:
                    raise Unchanged
                return beside, unchanged[-1]
            # The audit lines go into the case in the same write: a crash after it loses none. So
            # does the end of the retries of what the case no longer owes (see owed_retries).
            retry = owed_retries(beside.retry, new_case, self.policy)
            lines = [*beside.audit, *audit.event_lines(events)]
            return replace(beside, case=new_case, retry=retry, audit=lines), Decided(new_case, events, actor_id)

        decided = await self.repo.change(case_id, apply) or unchanged[-1]
        if decided.events:
            await audit.flush(self.repo, case_id)
            log.info(
                "decision",
                extra=fields(case_id=case_id, decision=type(decision).__name__, events=len(decided.events)),
            )
        return decided

    async def evidence_done(self, case_id: str, user: str, before: list[str]) -> EvidenceDone:
        """The files `user` added since the add-evidence dialog began (whose hashes were `before`),
        counted on the case itself: the dialog keeps no counter, so messages sent at the same time
        cannot lose each other's count. When some were added, the notice owed to the leader is
        written into the case (with the ETag) before this returns."""
        case = (await self.repo.get(case_id)).case
        known = set(before)
        added = sum(1 for item in case.evidence if item.uploaded_by == user and item.sha256 not in known)
        if not added:
            return EvidenceDone(case, 0)
        decided = await self.decide(case_id, user, EvidenceFinished(added))
        return EvidenceDone(decided.case, added, decided)
