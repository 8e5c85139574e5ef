"""The add-evidence flow's every transition and refusal, without botbuilder, a store or a chat
(bot/chat/add_evidence_flow.py).

The dialog that carries it is tested through a chat in tests/bot/test_leader_flow.py and the
hostile tests (test_attachment_caps, test_evidence_race, test_orphans, test_long_names_and_cancel);
here each rule is one small case: who may begin, what a message means, that a message with files
leaves the state alone, what done and cancel say, and how much room a case has.

Elsewhere, because the report shares them or they come before any dialog: the files of one
message (refused attachments, the cap per message, the room granted) in
tests/unit/test_evidence_message.py; a file too large or of the wrong type in
tests/unit/test_evidence_intake.py; downloads that outlast the turn and an activity Teams
re-sends in tests/hostile/test_slow_download.py and tests/unit/services/test_seen.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.chat import add_evidence_flow as flow
from bot.chat import report_flow as rf
from bot.chat.add_evidence_flow import AddState, CountAdded, Counted, Refusal, Step, refusal, room
from bot.chat.report_flow import Say, say  # the report flow's events and effects, reused
from bot.guideline.model import Case, CaseStatus
from tests.unit.guideline.builders import evidence, opened

CASE = opened()  # KH-2026-0001, reported by u-reporter, one screenshot (evidence(0))
REPORTER = "u-reporter"
BEFORE = (evidence(0).sha256,)
STATE = AddState(CASE.id, "KH-2026-0001", BEFORE)
PROMPT = say("mycases.add_evidence.prompt", number="KH-2026-0001")


def with_files(n: int) -> Case:
    return replace(CASE, evidence=tuple(evidence(i) for i in range(n)))


# -- beginning: who may add to which case -----------------------------------------------------------


def test_the_reporter_of_an_open_case_is_prompted_and_the_cases_files_are_remembered() -> None:
    begun = flow.start(CASE.id, CASE, REPORTER)
    assert begun == Step(STATE, (PROMPT,))


def test_a_case_that_is_not_there_is_refused_and_the_dialog_ends_without_a_state() -> None:
    assert flow.start("no-such-case", None, REPORTER) == Step(None, (Say("error.not_found"), rf.End()))


def test_a_stranger_is_refused_before_anything_else_is_said() -> None:
    assert flow.start(CASE.id, CASE, "u-stranger") == Step(None, (Say("error.not_permitted"), rf.End()))
    assert flow.start(CASE.id, CASE, "") == Step(None, (Say("error.not_permitted"), rf.End()))  # no AAD id


def test_a_closed_case_is_refused_even_to_its_reporter() -> None:
    closed = replace(CASE, status=CaseStatus.CLOSED)
    assert flow.start(CASE.id, closed, REPORTER) == Step(None, (Say("error.case_closed"), rf.End()))


def test_a_stranger_hears_not_permitted_even_when_the_case_is_closed() -> None:
    """Whether a case someone else reported is closed is not the stranger's business."""
    assert refusal(replace(CASE, status=CaseStatus.CLOSED), "u-stranger") is Refusal.NOT_PERMITTED


@pytest.mark.parametrize(
    ("case", "user", "expected"),
    [
        (CASE, REPORTER, None),
        (None, REPORTER, Refusal.NOT_FOUND),
        (CASE, "u-leader", Refusal.NOT_PERMITTED),  # the leader works the case but adds no files
        (replace(CASE, status=CaseStatus.CLOSED), REPORTER, Refusal.CLOSED),
    ],
)
def test_refusal_is_asked_again_before_each_messages_downloads(case: Case | None, user: str, expected: object) -> None:
    """The same rule guards each reservation (`CaseTarget.reserve`): a case closed while the
    dialog waits refuses the next message's files."""
    assert refusal(case, user) is expected


def test_the_refusals_say_their_own_texts() -> None:
    assert {r.value for r in Refusal} == {"error.not_found", "error.not_permitted", "error.case_closed"}


# -- the room on a case ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "reserved", "count", "cap", "granted"),
    [
        (1, 0, 3, 50, 3),  # room for all
        (48, 0, 5, 50, 2),  # the surplus is refused
        (50, 0, 1, 50, 0),  # full
        (45, 4, 3, 50, 1),  # another message's reserved files count
        (45, 9, 3, 50, 0),  # ... and may fill the case
        (55, 0, 1, 50, 0),  # over the cap (a lower cap since): never negative
        (0, 0, 0, 50, 0),  # nothing asked
    ],
)
def test_room_is_the_cap_less_the_cases_files_and_other_messages_reservations(
    files: int, reserved: int, count: int, cap: int, granted: int
) -> None:
    assert room(with_files(files), reserved, count, cap) == granted


# -- what a message means ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text", "files", "expected"),
    [
        (None, "", True, rf.Files(rf.Other())),
        (None, "færdig", True, rf.Files(rf.Other())),  # files first: taken, and the dialog goes on
        (None, "annuller", True, rf.Files(rf.Other())),
        ({"verb": "evidence_done"}, "", True, rf.Files(rf.Other())),
        ({"verb": "evidence_done"}, "", False, rf.EvidenceDone()),
        (None, "Færdig!", False, rf.EvidenceDone()),
        (None, "faerdig", False, rf.EvidenceDone()),
        (None, "done", False, rf.EvidenceDone()),
        ({"verb": "report_cancel"}, "", False, rf.Cancel()),
        (None, "Afbryd", False, rf.Cancel()),
        (None, "<at>Bot</at> stop", False, rf.Cancel()),
        ({"verb": "review_edit"}, "færdig", False, rf.EvidenceDone()),  # the words count beside any verb
        ({"verb": "add_evidence", "case_id": "x"}, "", False, rf.Other()),  # the "Mine sager" button again
        ({"verb": "no_such_verb"}, "", False, rf.Other()),
        ("not a dict", "", False, rf.Other()),
        (None, "hej", False, rf.Other()),
        (None, "", False, rf.Other()),
    ],
)
def test_event_of(value: object, text: str, files: bool, expected: flow.Event) -> None:
    assert flow.event_of(value, text, files) == expected


# -- a turn -------------------------------------------------------------------------------------------------


def test_a_message_with_files_is_taken_and_leaves_the_state_alone() -> None:
    assert flow.step(STATE, rf.Files(rf.Other())) == Step(STATE, (rf.TakeEvidence(),))


@pytest.mark.parametrize("answered", [True, False])
def test_the_taking_says_its_own_answers_and_nothing_follows(answered: bool) -> None:
    """Answered in the turn, or later as a proactive message (the downloads ran long): the flow
    adds nothing, and the dialog waits for more files or "færdig"."""
    assert flow.step(STATE, rf.EvidenceTaken(answered)) == Step(STATE)


@pytest.mark.parametrize("event", [rf.EvidenceDone(), rf.Cancel()])
def test_done_and_cancel_count_what_was_added_since_the_start(event: flow.Event) -> None:
    """Cancel cannot take back files already on the case (write-once), so it ends like done."""
    assert flow.step(STATE, event) == Step(STATE, (CountAdded(BEFORE),))


def test_nothing_added_ends_without_telling_anyone() -> None:
    assert flow.step(STATE, Counted(0)) == Step(
        STATE, (say("mycases.add_evidence.none", number="KH-2026-0001"), rf.End())
    )


def test_files_added_end_with_the_count_and_the_leader_told() -> None:
    told = object()  # the service's event; the dispatcher tells the leader and updates the cards
    assert flow.step(STATE, Counted(2, (told,))) == Step(
        STATE,
        (say("mycases.add_evidence.done", count=2, number="KH-2026-0001"), rf.Publish((told,)), rf.End()),
    )


def test_files_added_to_a_case_without_a_leader_say_that_hr_is_told() -> None:
    told = object()
    assert flow.step(STATE, Counted(1, (told,), to_hr=True)) == Step(
        STATE,
        (say("mycases.add_evidence.done_hr", count=1, number="KH-2026-0001"), rf.Publish((told,)), rf.End()),
    )


def test_anything_else_is_shown_the_prompt_again() -> None:
    assert flow.step(STATE, rf.Other()) == Step(STATE, (PROMPT,))


def test_no_event_changes_the_state() -> None:
    """The state is written once, when the dialog begins; every turn after leaves it (so turns
    running at the same time never overwrite each other)."""
    events: list[flow.Event] = [
        rf.Files(rf.Other()),
        rf.EvidenceTaken(True),
        rf.EvidenceDone(),
        rf.Cancel(),
        Counted(1),
        rf.Other(),
    ]
    assert all(flow.step(STATE, event).state == STATE for event in events)


# -- the stored form -------------------------------------------------------------------------------------


def test_the_state_is_stored_as_the_dialog_stored_it_before_the_flow() -> None:
    stored = {"case_id": CASE.id, "number": "KH-2026-0001", "before": list(BEFORE)}
    assert STATE.to_dict() == stored
    assert AddState.from_dict(stored) == STATE


def test_a_state_stored_without_files_before_reads_as_none() -> None:
    assert AddState.from_dict({"case_id": "c", "number": "KH-2026-0002", "before": None}).before == ()
    assert AddState.from_dict({"case_id": "c", "number": "KH-2026-0002"}).before == ()
