"""The case and its parts: frozen values, changed only through `dataclasses.replace`.

Why frozen: a decision is a function old case -> new case plus events. Nothing mutates a case
in place, so a lost storage race can simply re-apply the decision to the fresh copy.
Mappings inside frozen values are wrapped read-only for the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from bot.guideline import _validate as v
from bot.guideline.definitions import Category, Platform
from bot.guideline.errors import InvalidDecision

MAX_DESCRIPTION = 4000
MAX_NOTE = 2000
MAX_SHORT = 200
MAX_NAME = 256  # Entra ID allows display names of up to 256 characters
MAX_LINK = 2048


class StepId(StrEnum):
    REMOVAL = "removal"
    CITIZEN_CONTACT = "citizen_contact"
    POLICE_REPORT = "police_report"
    POLICE_OFFER = "police_offer"
    INSUBIZ_NOTE = "insubiz_note"
    APV_PLAN = "apv_plan"
    FOLLOWUP_EMPLOYEE = "followup_employee"
    FOLLOWUP_COLLEAGUES = "followup_colleagues"
    SAVED_ON_CASE = "saved_on_case"  # where the evidence was saved in the municipality's case system


IMMEDIATE_STEPS: tuple[StepId, ...] = (
    StepId.REMOVAL,
    StepId.CITIZEN_CONTACT,
    StepId.POLICE_REPORT,
    StepId.POLICE_OFFER,
    StepId.APV_PLAN,
)
FOLLOWUP_STEPS: tuple[StepId, ...] = (StepId.FOLLOWUP_EMPLOYEE, StepId.FOLLOWUP_COLLEAGUES)


class StepStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WAIVED = "waived"  # only in cases stored before waivers were removed: shown, never settled
    NOT_APPLICABLE = "not_applicable"


# A waiver is not an outcome the guideline allows: an old waived step still needs a real one.
SETTLED: frozenset[StepStatus] = frozenset({StepStatus.DONE, StepStatus.NOT_APPLICABLE})
UNDECIDED: frozenset[StepStatus] = frozenset({StepStatus.OPEN, StepStatus.WAIVED})


class Outcome(StrEnum):
    """Every value `StepState.outcome` can hold."""

    REMOVED = "removed"
    REQUESTED = "requested"
    NOT_POSSIBLE = "not_possible"
    CONTACTED = "contacted"
    CONTACT_NOT_POSSIBLE = "contact_not_possible"
    REPORTED = "reported"
    DECLINED_BY_EMPLOYEE = "declined_by_employee"
    OFFERED = "offered"
    WANTS_TO_JOIN = "wants_to_join"
    DECLINED_TO_JOIN = "declined_to_join"  # the leader files the report without the employee
    NO_REPORT = "no_report"
    UNANSWERED = "unanswered"  # the report was filed before the employee answered the offer
    DRAFTED = "drafted"
    REGISTERED = "registered"
    MEASURES_SET = "measures_set"
    FILED = "filed"
    SCHEDULED = "scheduled"
    DONE = "done"
    NO_COLLEAGUES_AFFECTED = "no_colleagues_affected"
    SAVED = "saved"
    WAIVED = "waived"  # stored cases only


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Role(StrEnum):
    REPORTER = "reporter"
    LEADER = "leader"
    DEPUTY = "deputy"
    HR = "hr"
    LEADER_MANAGER = "leader_manager"


class DeputyReason(StrEnum):
    """Why the deputy was brought into a case: until then the deputy sees nothing of it."""

    LEADER_ABSENT = "leader_absent"  # the directory marks the leader absent at the report
    HR = "hr"  # HR brought the deputy in
    ACK_OVERDUE = "ack_overdue"  # the leader did not acknowledge the case in time


@dataclass(frozen=True)
class Person:
    aad_object_id: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "aad_object_id", v.text(self.aad_object_id, "aad_object_id", MAX_SHORT))
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME:
            raise InvalidDecision("name", "too_long" if isinstance(self.name, str) else "not_text")
        object.__setattr__(self, "name", self.name.strip())


@dataclass(frozen=True)
class Actor:
    """Whoever acts; the role is derived from the case, HR membership from the directory."""

    aad_object_id: str
    is_hr: bool = False


@dataclass(frozen=True)
class Facts:
    category: Category
    description: str
    occurred_at: datetime
    platform: Platform
    link: str | None
    offender: str | None
    outside_working_hours: bool
    family_threatened: bool

    def __post_init__(self) -> None:
        if not isinstance(self.category, Category):
            raise InvalidDecision("category", "invalid_choice")
        if not isinstance(self.platform, Platform):
            raise InvalidDecision("platform", "invalid_choice")
        object.__setattr__(self, "description", v.text(self.description, "description", MAX_DESCRIPTION))
        v.aware(self.occurred_at, "occurred_at")
        object.__setattr__(self, "link", v.optional_text(self.link, "link", MAX_LINK))
        object.__setattr__(self, "offender", v.optional_text(self.offender, "offender", MAX_SHORT))


@dataclass(frozen=True)
class EvidenceItem:
    """Metadata of one stored screenshot; the bytes live under evidence/{case}/{sha256}."""

    sha256: str
    size: int
    content_type: str
    original_name: str
    uploaded_by: str
    uploaded_at: datetime

    def __post_init__(self) -> None:
        v.sha256_hex(self.sha256, "sha256")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size <= 0:
            raise InvalidDecision("size", "invalid_size")
        object.__setattr__(self, "content_type", v.text(self.content_type, "content_type", 100))
        object.__setattr__(self, "original_name", v.text(self.original_name, "original_name", 255))
        object.__setattr__(self, "uploaded_by", v.text(self.uploaded_by, "uploaded_by", MAX_SHORT))
        v.aware(self.uploaded_at, "uploaded_at")


@dataclass(frozen=True)
class EvidenceNotice:
    """The reporter finished adding `count` files to the submitted case at `at`: the leader (and
    an active deputy; HR while the case has no leader) is owed a notice, kept in the case until it
    is sent like every other due item (`due.DueKind.EVIDENCE_ADDED`)."""

    at: datetime
    count: int

    def __post_init__(self) -> None:
        v.aware(self.at, "at")
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count <= 0:
            raise InvalidDecision("count", "invalid_count")


@dataclass(frozen=True)
class LeaderReplaced:
    """HR handed the case from `leader` to `successor` at `at`: the replaced leader is owed a
    notice that the case is no longer theirs, kept in the case until it is sent like every other
    due item (`due.DueKind.LEADER_REPLACED`), so a failed send is retried, not lost."""

    leader: Person
    successor: Person
    at: datetime

    def __post_init__(self) -> None:
        v.aware(self.at, "at")
        if self.leader.aad_object_id == self.successor.aad_object_id:
            raise InvalidDecision("successor", "same_leader")


@dataclass(frozen=True)
class DeputyRemoved:
    """HR's hand-over at `at` took `deputy`, who had been brought in, off the case, now led by
    `leader`: the deputy is owed a notice that they are no longer on it (their card turns into a
    refusal), kept in the case until it is sent (`due.DueKind.DEPUTY_REMOVED`), as a replaced
    leader's is."""

    deputy: Person
    leader: Person
    at: datetime

    def __post_init__(self) -> None:
        v.aware(self.at, "at")
        if self.deputy.aad_object_id == self.leader.aad_object_id:
            raise InvalidDecision("deputy", "deputy_is_leader")


@dataclass(frozen=True)
class StepState:
    """One step of the guideline on one case.

    `decided_at`/`decided_by` record the latest decision; `first_decided_at` the first time the
    step left OPEN (the MED figure "decided within the deadline" is measured on it).
    """

    step: StepId
    status: StepStatus
    outcome: str | None = None
    fields: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    due_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    first_decided_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce(self)

    @property
    def settled(self) -> bool:
        return self.status in SETTLED


@dataclass(frozen=True)
class Wait:
    """The case waited for the employee's answer on `step` from `started_at` to `ended_at`.

    Why recorded: the time the employee takes never counts against the leader's deadlines, so the
    deadlines of the steps in `PAUSED_BY[step]` stop while a wait is open and move on by its length
    when it ends. The record stays for the MED figures and the history.
    """

    step: StepId
    started_at: datetime
    ended_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.step, StepId):
            raise InvalidDecision("step", "invalid_choice")
        v.aware(self.started_at, "started_at")
        if self.ended_at is not None and v.aware(self.ended_at, "ended_at") < self.started_at:
            raise InvalidDecision("ended_at", "before_start")

    @property
    def open(self) -> bool:
        return self.ended_at is None


# Waiting on the employee's answer to the police offer pauses the leader's police report deadline.
PAUSED_BY: Mapping[StepId, tuple[StepId, ...]] = MappingProxyType({StepId.POLICE_OFFER: (StepId.POLICE_REPORT,)})


@dataclass(frozen=True)
class Acknowledgement:
    """The leader (or a deputy brought in) has seen the case: "Jeg har set sagen"."""

    by: str
    at: datetime


@dataclass(frozen=True)
class DeputyInvolvement:
    reason: DeputyReason
    at: datetime


@dataclass(frozen=True)
class Case:
    """One reported incident.

    `assigned_at` is when the current leader got the case (None: at `created_at`); the
    acknowledgement clock runs from it. The deputy is on the case only once `deputy_in` is set.
    """

    id: str
    number: str
    unit: str | None
    reporter: Person
    leader: Person | None
    deputy: Person | None
    leader_manager: Person | None
    facts: Facts
    evidence: tuple[EvidenceItem, ...]
    steps: Mapping[StepId, StepState]
    status: CaseStatus
    created_at: datetime
    closed_at: datetime | None = None
    reminders_sent: frozenset[str] = frozenset()
    revision: int = 1
    waits: tuple[Wait, ...] = ()
    assigned_at: datetime | None = None
    acknowledged: Acknowledgement | None = None
    deputy_in: DeputyInvolvement | None = None
    evidence_notice: EvidenceNotice | None = None
    # Leaders HR replaced whose notice is owed or was sent since (a key in `reminders_sent`).
    replaced_leaders: tuple[LeaderReplaced, ...] = ()
    # Deputies brought in whom a hand-over took off the case, whose notice is owed.
    removed_deputies: tuple[DeputyRemoved, ...] = ()

    def __post_init__(self) -> None:
        steps = dict(self.steps)
        if set(steps) != set(StepId) or any(state.step is not key for key, state in steps.items()):
            raise ValueError("a case holds exactly one state per step")
        object.__setattr__(self, "steps", MappingProxyType({s: steps[s] for s in StepId}))
        object.__setattr__(self, "evidence", tuple(self.evidence))
        object.__setattr__(self, "reminders_sent", frozenset(self.reminders_sent))
        object.__setattr__(self, "waits", tuple(self.waits))
        object.__setattr__(self, "replaced_leaders", tuple(self.replaced_leaders))
        object.__setattr__(self, "removed_deputies", tuple(self.removed_deputies))

    def __reduce__(self) -> tuple[Any, ...]:
        return _reduce(self)

    def step(self, step: StepId) -> StepState:
        return self.steps[step]

    def open_wait(self, step: StepId) -> Wait | None:
        """The wait for the employee's answer on `step` that has not ended, if any."""
        return next((w for w in self.waits if w.step is step and w.open), None)

    def paused(self, step: StepId) -> bool:
        """Whether `step`'s deadline is stopped now, because the case waits for the employee."""
        return any(w.open and step in PAUSED_BY.get(w.step, ()) for w in self.waits)

    def waited(self, step: StepId, until: datetime) -> timedelta:
        """How long `step`'s deadline has been stopped by waits still open at `until`.

        Waits that ended have already moved the step's `due_at`; only open ones count here.
        """
        total = timedelta(0)
        for w in self.waits:
            if w.open and step in PAUSED_BY.get(w.step, ()) and until > w.started_at:
                total += until - w.started_at
        return total

    @property
    def active_deputy(self) -> Person | None:
        """The deputy, once brought in; None while the leader handles the case alone."""
        return self.deputy if self.deputy_in is not None else None

    @property
    def ack_clock_from(self) -> datetime:
        return self.assigned_at or self.created_at

    def with_step(self, state: StepState) -> Case:
        """A copy with one step replaced (revision untouched: `decide` bumps it once)."""
        steps = dict(self.steps)
        steps[state.step] = state
        return replace(self, steps=steps)


def _reduce(value: Any) -> tuple[Any, ...]:
    """Pickle and deepcopy support: read-only mapping views cannot be pickled, plain dicts can.

    (botbuilder's MemoryStorage deep-copies whatever a dialog keeps in its state.)
    """
    args = []
    for f in fields(value):
        item = getattr(value, f.name)
        args.append(dict(item) if isinstance(item, MappingProxyType) else item)
    return (type(value), tuple(args))


def roles_of(case: Case, actor: Actor) -> frozenset[Role]:
    """Every role the actor holds on this case (a person may hold several).

    The deputy holds a role only once brought in (`Case.deputy_in`): before that they are an
    outsider to the case, like anyone else."""
    roles: set[Role] = set()
    who = actor.aad_object_id
    if who == case.reporter.aad_object_id:
        roles.add(Role.REPORTER)
    if case.leader is not None and who == case.leader.aad_object_id:
        roles.add(Role.LEADER)
    if case.active_deputy is not None and who == case.active_deputy.aad_object_id:
        roles.add(Role.DEPUTY)
    if case.leader_manager is not None and who == case.leader_manager.aad_object_id:
        roles.add(Role.LEADER_MANAGER)
    if actor.is_hr:
        roles.add(Role.HR)
    return frozenset(roles)
