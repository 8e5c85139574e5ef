"""More screenshots for a submitted case ("Mine sager" -> add screenshots) as a pure state machine.

Why pure: who may add files to which case, how much room a case has left, what "færdig",
"afbryd", a stale button or a message with files mean, and what the employee is told at the end
used to live inside the botbuilder dialog, testable only through a chat. Here they are functions
of values: no botbuilder, no storage, no clock. `dialogs/add_evidence.py` only carries the flow:
it keeps the state in the dialog state, turns each activity into an event (`event_of`), performs
the effects and feeds their outcomes back (`EvidenceTaken`, `Counted`); its `CaseTarget` asks
`refusal` and `room` inside the case's ETag-guarded write.

The events and effects are the report flow's where they mean the same (`Cancel`, `EvidenceDone`,
`Files`, `Other`, `TakeEvidence`, `EvidenceTaken`, `Say`, `Publish`, `End`). The state's
dictionary form is what the dialog stored before this module, so a dialog begun before a deploy
continues after it.

What this flow does not decide, and where it is decided: the files of one message (attachments
that are no file, the cap per message, the room granted) in `bot/chat/evidence_message.py`, shared
with the report; a file too large or of a type its bytes do not prove, in `bot/intake/evidence.py`
while it downloads; a turn whose downloads outlast Teams' patience (the answers follow as a
proactive message) in `dialogs/evidence_chat.py`; an activity Teams re-sends, in the handler
(`bot/teams/handler.py`, `SeenActivities`) before any dialog sees it. The dialog has no
time-to-live: files for a case closed meanwhile are refused by `refusal` when room is reserved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, assert_never

from bot.chat.report_flow import (
    CANCEL_WORDS,
    DONE_WORDS,
    Cancel,
    End,
    EvidenceDone,
    EvidenceTaken,
    Files,
    Other,
    Publish,
    Say,
    TakeEvidence,
    say,
)
from bot.chat.routes import normalise, verb_of
from bot.guideline.model import Case, CaseStatus
from cards.verbs import Verb

# -- state ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddState:
    """The case files are added to, its number (for the texts) and the hashes of the files it had
    when the dialog began: what was added since is counted on the case itself at the end, so the
    state is never written by a message with files (messages at the same time cannot lose each
    other's count)."""

    case_id: str
    number: str
    before: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AddState:
        return cls(str(data["case_id"]), str(data["number"]), tuple(str(h) for h in data.get("before") or ()))

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "number": self.number, "before": list(self.before)}


# -- who may add, and how much ---------------------------------------------------------------------


class Refusal(StrEnum):
    """Why files may not be added to a case by this person; the value is the text said."""

    NOT_FOUND = "error.not_found"
    NOT_PERMITTED = "error.not_permitted"
    CLOSED = "error.case_closed"


def refusal(case: Case | None, user: str) -> Refusal | None:
    """Only the reporter adds files, and only to an open case (the domain checks again on each
    file). Asked when the dialog begins and again before each message's downloads."""
    if case is None:
        return Refusal.NOT_FOUND
    if case.reporter.aad_object_id != user:
        return Refusal.NOT_PERMITTED
    if case.status is CaseStatus.CLOSED:
        return Refusal.CLOSED
    return None


def room(case: Case, reserved_by_others: int, count: int, cap: int) -> int:
    """How many of a message's `count` files fit: the cap less the case's files and the files
    other messages have reserved but not yet recorded."""
    used = len(case.evidence) + reserved_by_others
    return min(count, max(0, cap - used))


# -- events and effects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """`CountAdded` is done: how many files the reporter added since the dialog began, and the
    service's events (tell the leader, update the cards), present when some were added. `to_hr`:
    the case has no leader, so the notice goes to HR (`Notifications.evidence_added`)."""

    count: int
    follow_ups: tuple[object, ...] = ()
    to_hr: bool = False


Event = Files | Cancel | EvidenceDone | Other | EvidenceTaken | Counted


@dataclass(frozen=True)
class CountAdded:
    """Count the reporter's files on the case that are not in `before`; answer with `Counted`."""

    before: tuple[str, ...]


Effect = Say | TakeEvidence | CountAdded | Publish | End


@dataclass(frozen=True)
class Step:
    """The state after a turn (None: the dialog never began) and what to do, in order."""

    state: AddState | None
    effects: tuple[Effect, ...] = field(default=())


# -- the machine ------------------------------------------------------------------------------------


def start(case_id: str, case: Case | None, user: str) -> Step:
    """The dialog begins for `case` (None: not found) and `user`: refused, or the prompt."""
    refused = refusal(case, user)
    if refused is not None or case is None:
        return Step(None, (Say((refused or Refusal.NOT_FOUND).value), End()))
    state = AddState(case_id, case.number, tuple(item.sha256 for item in case.evidence))
    return Step(state, (_prompt(state),))


def event_of(value: object, text: str, has_files: bool) -> Event:
    """A message with files is files, whatever its text says; else "færdig" and "afbryd" (typed,
    or the buttons) both end the dialog with the count, and anything else is shown the prompt."""
    if has_files:
        return Files(Other())
    verb = verb_of(value)
    words = normalise(text)
    if verb is Verb.REPORT_CANCEL or words in CANCEL_WORDS:
        return Cancel()
    if verb is Verb.EVIDENCE_DONE or words in DONE_WORDS:
        return EvidenceDone()
    return Other()


def step(state: AddState, event: Event) -> Step:
    """The next state and what to do, for one event. The state never changes once begun."""
    match event:
        case Files():
            return Step(state, (TakeEvidence(),))
        case EvidenceTaken():
            return Step(state)  # the files' answers were said (or follow) by the taking
        case Cancel() | EvidenceDone():
            # The files are on the case already (write-once): cancel cannot take them back, so it
            # ends like "done", and the leader hears of what was added.
            return Step(state, (CountAdded(state.before),))
        case Counted(count, follow_ups, to_hr):
            if not count:  # nothing new: no "your leader is told", because nobody is
                return Step(state, (say("mycases.add_evidence.none", number=state.number), End()))
            # Who the text says is told is who is told: the leader, or HR while there is none.
            key = "mycases.add_evidence.done_hr" if to_hr else "mycases.add_evidence.done"
            done = say(key, count=count, number=state.number)
            return Step(state, (done, *_published(follow_ups), End()))
        case Other():
            return Step(state, (_prompt(state),))
    assert_never(event)


def _prompt(state: AddState) -> Say:
    return say("mycases.add_evidence.prompt", number=state.number)


def _published(follow_ups: Sequence[object]) -> tuple[Publish, ...]:
    return (Publish(tuple(follow_ups)),) if follow_ups else ()
