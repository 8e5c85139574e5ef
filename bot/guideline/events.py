"""Events: what a decision changed, with everything one audit line needs.

Each event says who (`actor`, the roles they acted in), what (the event type, the step, the
decision's name), when (`at`) and the value before and after. They are facts about the past:
the service writes them to the audit log and turns them into notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.guideline.definitions import Category
from bot.guideline.model import CaseStatus, DeputyReason, EvidenceItem, Person, Role, StepId, StepState


@dataclass(frozen=True)
class Leadership:
    """Who leads a case: the value LeaderChanged records before and after."""

    leader: Person | None
    deputy: Person | None
    leader_manager: Person | None


@dataclass(frozen=True)
class CaseOpened:
    case_id: str
    number: str
    actor: str
    roles: tuple[Role, ...]
    at: datetime
    category: Category
    unit: str | None
    leadership: Leadership
    evidence_count: int
    immediate_due_at: datetime


@dataclass(frozen=True)
class StepDecided:
    case_id: str
    step: StepId
    before: StepState
    after: StepState
    actor: str
    roles: tuple[Role, ...]
    at: datetime
    decision: str


@dataclass(frozen=True)
class CaseClosedEvent:
    case_id: str
    actor: str
    roles: tuple[Role, ...]
    at: datetime
    before: CaseStatus
    after: CaseStatus


@dataclass(frozen=True)
class LeaderChanged:
    case_id: str
    before: Leadership
    after: Leadership
    actor: str
    roles: tuple[Role, ...]
    at: datetime


@dataclass(frozen=True)
class EvidenceAttached:
    case_id: str
    item: EvidenceItem
    actor: str
    roles: tuple[Role, ...]
    at: datetime
    count_before: int
    count_after: int


@dataclass(frozen=True)
class EvidenceNoticeOwed:
    """The reporter finished adding files: the leader (HR while none) is owed a notice of `count`."""

    case_id: str
    count: int
    actor: str
    roles: tuple[Role, ...]
    at: datetime


@dataclass(frozen=True)
class Acknowledged:
    """The leader (or a deputy brought in) acknowledged the case; `deadline` is when it was due."""

    case_id: str
    actor: str
    roles: tuple[Role, ...]
    at: datetime
    deadline: datetime
    in_time: bool


@dataclass(frozen=True)
class DeputyBroughtIn:
    """The deputy joined the case: from now on they see it, are told, and may act on it.

    `actor` is "bot" when the acknowledgement deadline passed, HR's id when HR decided it, the
    reporter's when the report found the leader marked absent."""

    case_id: str
    deputy: Person
    reason: DeputyReason
    actor: str
    roles: tuple[Role, ...]
    at: datetime


Event = (
    CaseOpened
    | StepDecided
    | CaseClosedEvent
    | LeaderChanged
    | EvidenceAttached
    | EvidenceNoticeOwed
    | Acknowledged
    | DeputyBroughtIn
)
