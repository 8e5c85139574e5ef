"""Decisions: one typed value per thing a person can decide on a case.

Why one class per outcome: a card's payload is parsed into exactly one of these, and each
validates its own values on construction (raising `InvalidDecision` with the field's name), so
no service or handler ever sees a half-valid decision. Texts are stripped; a value that differs
only in surrounding blanks is therefore "the same value" for idempotence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Literal

from bot.guideline import _validate as v
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import FOLLOWUP_STEPS, MAX_NOTE, MAX_SHORT, EvidenceItem, Outcome, Person, StepId

MAX_JOURNAL = 64
MAX_REFERENCE = 200
MAX_INSUBIZ_TEXT = 8000
MAX_MEASURES = 4000
_HAS_DIGIT = re.compile(r"\d")


class RemovalOutcome(StrEnum):
    REMOVED = Outcome.REMOVED.value
    REQUESTED = Outcome.REQUESTED.value


class CitizenUnreachable(StrEnum):
    """Why the citizen cannot be contacted: the guideline's two cases."""

    UNKNOWN = "unknown"
    ANONYMOUS = "anonymous"


class OfferChannel(StrEnum):
    """How the leader made the offer to take part in the police report."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    BOT = "bot"


class OfferAnswer(StrEnum):
    """The employee's answer to the offer: only the third one decides the police step."""

    TAKE_PART = "take_part"
    FILE_WITHOUT_ME = "file_without_me"
    NO_REPORT = "no_report"


class Keep(Enum):
    """Sentinel: leave the current value as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class RemovalDecided:
    """The content was removed, or its removal was requested (which keeps the step in progress)."""

    outcome: RemovalOutcome
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.outcome, RemovalOutcome):
            raise InvalidDecision("outcome", "invalid_choice")
        _set(self, "note", v.optional_text(self.note, "note", MAX_NOTE))


@dataclass(frozen=True)
class RemovalNotPossible:
    """Removal is not possible: why, and what was tried."""

    why: str
    tried: str

    def __post_init__(self) -> None:
        _set(self, "why", v.text(self.why, "why", MAX_NOTE))
        _set(self, "tried", v.text(self.tried, "tried", MAX_NOTE))


@dataclass(frozen=True)
class CitizenContacted:
    """The citizen was told how to contact the municipality in future: `channel` says how."""

    channel: str

    def __post_init__(self) -> None:
        _set(self, "channel", v.text(self.channel, "channel", MAX_NOTE))


@dataclass(frozen=True)
class CitizenContactNotPossible:
    """The sender is unknown or anonymous; `reason` says why contact is not possible."""

    cause: CitizenUnreachable
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.cause, CitizenUnreachable):
            raise InvalidDecision("cause", "invalid_choice")
        _set(self, "reason", v.text(self.reason, "reason", MAX_NOTE))


@dataclass(frozen=True)
class PoliceReported:
    """The episode was reported: the journal number (loose format, it must hold a digit) and who filed it."""

    journal_number: str
    filed_by: str

    def __post_init__(self) -> None:
        number = v.text(self.journal_number, "journal_number", MAX_JOURNAL)
        if not _HAS_DIGIT.search(number):
            raise InvalidDecision("journal_number", "invalid_format")
        _set(self, "journal_number", number)
        _set(self, "filed_by", v.text(self.filed_by, "filed_by", MAX_SHORT))


@dataclass(frozen=True)
class PoliceOfferMade:
    """The leader offered the employee to take part in the police report; the employee answers next."""

    channel: OfferChannel

    def __post_init__(self) -> None:
        if not isinstance(self.channel, OfferChannel):
            raise InvalidDecision("channel", "invalid_choice")


@dataclass(frozen=True)
class PoliceOfferAnswered:
    """The employee's own answer to the offer. NO_REPORT is the only way the police step ends
    without a report: neither the leader nor HR can decide it."""

    answer: OfferAnswer

    def __post_init__(self) -> None:
        if not isinstance(self.answer, OfferAnswer):
            raise InvalidDecision("answer", "invalid_choice")


@dataclass(frozen=True)
class InsuBizNoteDrafted:
    text: str

    def __post_init__(self) -> None:
        _set(self, "text", v.text(self.text, "text", MAX_INSUBIZ_TEXT))


@dataclass(frozen=True)
class InsuBizRegistered:
    reference: str

    def __post_init__(self) -> None:
        _set(self, "reference", v.text(self.reference, "reference", MAX_REFERENCE))


@dataclass(frozen=True)
class ApvMeasuresSet:
    measures: str

    def __post_init__(self) -> None:
        _set(self, "measures", v.text(self.measures, "measures", MAX_MEASURES))


@dataclass(frozen=True)
class ApvFiled:
    """The APV action plan was filed in DEFGO; `reference` says where."""

    reference: str

    def __post_init__(self) -> None:
        _set(self, "reference", v.text(self.reference, "reference", MAX_REFERENCE))


def _followup_step(step: object) -> None:
    if step not in FOLLOWUP_STEPS:
        raise InvalidDecision("step", "not_followup_step")


def _a_date(value: object, field: str) -> None:
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise InvalidDecision(field, "not_date")


@dataclass(frozen=True)
class FollowUpScheduled:
    step: StepId
    date: date

    def __post_init__(self) -> None:
        _followup_step(self.step)
        _a_date(self.date, "date")


@dataclass(frozen=True)
class FollowUpDone:
    step: StepId
    date: date
    note: str

    def __post_init__(self) -> None:
        _followup_step(self.step)
        _a_date(self.date, "date")
        _set(self, "note", v.text(self.note, "note", MAX_NOTE))


@dataclass(frozen=True)
class NoColleaguesAffected:
    """The follow-up with colleagues is settled because nobody else was affected; `reason` says why."""

    reason: str

    def __post_init__(self) -> None:
        _set(self, "reason", v.text(self.reason, "reason", MAX_NOTE))


@dataclass(frozen=True)
class RemovalStillThere:
    """The leader checked a takedown request: the content is still there (the request stays open)."""


@dataclass(frozen=True)
class SavedOnCase:
    """The evidence was saved on the relevant case in the municipality's case system; `reference`
    is that case's (or journal) number. The bot does not save it there: a person does, and says so."""

    reference: str

    def __post_init__(self) -> None:
        _set(self, "reference", v.text(self.reference, "reference", MAX_REFERENCE))


@dataclass(frozen=True)
class Acknowledge:
    """The leader (or a deputy brought in) has seen the new case: "Jeg har set sagen"."""


@dataclass(frozen=True)
class BringInDeputy:
    """HR brings the leader's deputy into the case (the deputy sees nothing of it before)."""


@dataclass(frozen=True)
class CaseClosed:
    """Close the case; refused while any step still needs a decision."""


@dataclass(frozen=True)
class LeaderReassigned:
    """HR hands the case to another leader. `new_leader_manager` defaults to keeping the current one."""

    new_leader: Person
    new_deputy: Person | None
    new_leader_manager: Person | Literal[Keep.KEEP] | None = KEEP

    def __post_init__(self) -> None:
        if not isinstance(self.new_leader, Person):
            raise InvalidDecision("new_leader", "missing")
        if self.new_deputy is not None and self.new_deputy.aad_object_id == self.new_leader.aad_object_id:
            raise InvalidDecision("new_deputy", "deputy_is_leader")


@dataclass(frozen=True)
class EvidenceAdded:
    item: EvidenceItem

    def __post_init__(self) -> None:
        if not isinstance(self.item, EvidenceItem):
            raise InvalidDecision("item", "missing")


@dataclass(frozen=True)
class EvidenceFinished:
    """The reporter is done adding files to a submitted case; `count` of them are new since the
    leader was last told. The notice is kept in the case until it is sent (`Case.evidence_notice`)."""

    count: int

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count <= 0:
            raise InvalidDecision("count", "invalid_count")


Decision = (
    RemovalDecided
    | RemovalNotPossible
    | CitizenContacted
    | CitizenContactNotPossible
    | PoliceReported
    | PoliceOfferMade
    | PoliceOfferAnswered
    | InsuBizNoteDrafted
    | InsuBizRegistered
    | ApvMeasuresSet
    | ApvFiled
    | FollowUpScheduled
    | FollowUpDone
    | NoColleaguesAffected
    | Acknowledge
    | BringInDeputy
    | CaseClosed
    | LeaderReassigned
    | EvidenceAdded
    | EvidenceFinished
    | RemovalStillThere
    | SavedOnCase
)
