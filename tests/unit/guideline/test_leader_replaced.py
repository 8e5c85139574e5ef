"""The notice to a leader HR replaced is a due item kept in the case (`Case.replaced_leaders`,
`DueKind.LEADER_REPLACED`): owed until sent, once per replacement, never to the person who leads
the case again, and naming the leader who took the case over."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.guideline import (
    BringInDeputy,
    CaseClosed,
    CaseStatus,
    DeputyRemoved,
    DueItem,
    DueKind,
    InvalidDecision,
    LeaderReassigned,
    LeaderReplaced,
    Person,
    case_from_dict,
    case_to_dict,
    due_items,
    mark_sent,
    next_due_at,
    pending_items,
)
from bot.guideline.due import leader_replaced_key
from bot.guideline.model import Actor, Case
from tests.unit.guideline.builders import (
    AS_HR,
    DEPUTY,
    LEADER,
    OTHER_LEADER,
    apply,
    at,
    opened,
    settled_outcomes,
)

THIRD = Person("u-leader3", "Tove Tredje")
AS_NEW_LEADER = Actor(OTHER_LEADER.aad_object_id)
MOVED = at(2026, 3, 3, 9)


def replaced_items(case: Case, now: datetime = MOVED) -> list[DueItem]:
    return [i for i in due_items([case], now) if i.kind is DueKind.LEADER_REPLACED]


def told(case: Case) -> Case:
    """Every due item sent and recorded, as a delivery round does."""
    for item in pending_items(case):
        case = mark_sent(case, item.key)
    return case


def test_the_replaced_leader_is_owed_a_notice_naming_the_new_one_until_it_is_sent() -> None:
    case = apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    assert case.replaced_leaders == (LeaderReplaced(LEADER, OTHER_LEADER, MOVED),)
    [item] = replaced_items(case)
    key = "replaced:case-1:u-leader:u-leader2:2026-03-03T08:00:00Z"
    assert item == DueItem(DueKind.LEADER_REPLACED, "case-1", None, key, (), MOVED, to=LEADER)
    assert replaced_items(case, MOVED - timedelta(seconds=1)) == []  # not before the replacement
    assert next_due_at(mark_sent(case, "assigned:case-1:u-leader2")) == MOVED  # the scheduler's index finds it
    sent = mark_sent(case, key)
    assert replaced_items(sent, MOVED + timedelta(days=30)) == []  # sent: never again
    assert case_from_dict(case_to_dict(case)) == case


def test_the_new_leader_gets_the_case_and_the_old_one_the_notice() -> None:
    case = apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    assert {(i.kind, i.to) for i in due_items([case], MOVED)} == {
        (DueKind.CASE_ASSIGNED, None),
        (DueKind.LEADER_REPLACED, LEADER),
    }


def test_no_notice_when_the_leader_stays() -> None:
    """HR changing the deputy (or the manager) while the leader stays replaces nobody."""
    with_deputy = told(opened(deputy=DEPUTY))
    kept = apply(with_deputy, AS_HR, LeaderReassigned(LEADER, None), now=MOVED)
    assert kept.deputy is None and kept.replaced_leaders == () and replaced_items(kept) == []
    renamed = apply(with_deputy, AS_HR, LeaderReassigned(Person("u-leader", "Lene Nyt-Navn"), None), now=MOVED)
    assert renamed.replaced_leaders == ()  # the same person under a new name is not replaced


def test_a_case_without_a_leader_owes_nobody_a_notice_when_it_gets_one() -> None:
    case = apply(opened(leader=None, deputy=None), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    assert case.replaced_leaders == () and replaced_items(case) == []


def test_a_notice_still_owed_is_sent_after_the_case_is_closed() -> None:
    """The new leader may close the case before a failed notice gets through: it is still true."""
    case = apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    closed = apply(settled_outcomes(case, MOVED, by=AS_NEW_LEADER), AS_NEW_LEADER, CaseClosed(), now=MOVED)
    assert closed.status is CaseStatus.CLOSED
    assert [i.to for i in replaced_items(closed, MOVED + timedelta(days=2))] == [LEADER]
    assert next_due_at(closed) == MOVED


def test_notices_already_sent_are_dropped_at_the_next_replacement() -> None:
    first = apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    later = MOVED + timedelta(hours=2)
    second = apply(told(first), AS_HR, LeaderReassigned(THIRD, None), now=later)
    assert second.replaced_leaders == (LeaderReplaced(OTHER_LEADER, THIRD, later),)


def test_a_leader_who_gets_the_case_back_is_not_told_it_is_no_longer_theirs() -> None:
    away = apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    back = apply(away, AS_HR, LeaderReassigned(LEADER, None), now=MOVED + timedelta(minutes=5))
    assert [i.to for i in replaced_items(back, MOVED + timedelta(minutes=5))] == [OTHER_LEADER]
    # Even a notice kept in a stored case is not sent to whoever leads the case now.
    stale = replace(back, replaced_leaders=(LeaderReplaced(LEADER, OTHER_LEADER, MOVED),))
    assert replaced_items(stale) == []


def test_a_replacement_needs_two_people_and_an_aware_moment() -> None:
    with pytest.raises(InvalidDecision):
        LeaderReplaced(LEADER, Person("u-leader", "Lene"), MOVED)
    with pytest.raises(InvalidDecision):
        LeaderReplaced(LEADER, OTHER_LEADER, datetime(2026, 3, 3, 9))


def test_a_case_stored_before_the_notice_was_kept_owes_none() -> None:
    raw = case_to_dict(apply(told(opened()), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED))
    del raw["replaced_leaders"]
    assert case_from_dict(raw).replaced_leaders == ()


# -- a deputy brought in whom the hand-over takes off the case ---------------------------------
def removed_items(case: Case, now: datetime = MOVED) -> list[DueItem]:
    return [i for i in due_items([case], now) if i.kind is DueKind.DEPUTY_REMOVED]


def brought_in(case: Case) -> Case:
    return told(apply(case, AS_HR, BringInDeputy(), now=MOVED - timedelta(hours=1)))


def test_a_deputy_brought_in_and_taken_off_is_owed_a_notice_naming_the_leader() -> None:
    case = apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    assert case.active_deputy is None
    assert case.removed_deputies == (DeputyRemoved(DEPUTY, OTHER_LEADER, MOVED),)
    [item] = removed_items(case)
    key = "deputy_removed:case-1:u-deputy:2026-03-03T08:00:00Z"
    assert item == DueItem(DueKind.DEPUTY_REMOVED, "case-1", None, key, (), MOVED, to=DEPUTY)
    assert removed_items(mark_sent(case, key), MOVED + timedelta(days=30)) == []  # sent: never again
    assert case_from_dict(case_to_dict(case)) == case
    # The leader kept, the deputy dropped (HR's card names no deputy): the deputy is off it too.
    kept = apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(LEADER, None), now=MOVED)
    assert [i.to for i in removed_items(kept)] == [DEPUTY]
    # The same deputy named again under a new leader is off the case until brought in again.
    again = apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(OTHER_LEADER, DEPUTY), now=MOVED)
    assert [i.to for i in removed_items(again)] == [DEPUTY]
    assert removed_items(apply(again, AS_HR, BringInDeputy(), now=MOVED)) == []  # on it again: not told


def test_no_notice_to_a_deputy_who_was_never_brought_in_or_who_now_leads() -> None:
    """A deputy never brought in knew nothing of the case and is told nothing of it now."""
    quiet = apply(told(opened(deputy=DEPUTY)), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    assert quiet.removed_deputies == () and removed_items(quiet) == []
    promoted = apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(DEPUTY, None), now=MOVED)
    assert promoted.removed_deputies == () and removed_items(promoted) == []


def test_a_removed_deputy_s_notice_is_kept_until_sent_and_then_dropped() -> None:
    first = apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(OTHER_LEADER, None), now=MOVED)
    later = MOVED + timedelta(hours=2)
    unsent = apply(first, AS_HR, LeaderReassigned(THIRD, None), now=later)
    assert unsent.removed_deputies == first.removed_deputies  # still owed
    sent = apply(told(first), AS_HR, LeaderReassigned(THIRD, None), now=later)
    assert sent.removed_deputies == ()
    back = apply(first, AS_HR, LeaderReassigned(DEPUTY, None), now=later)
    assert back.removed_deputies == () and removed_items(back, later) == []  # leads it now


def test_a_removal_needs_two_people_and_an_aware_moment_and_old_cases_owe_none() -> None:
    with pytest.raises(InvalidDecision):
        DeputyRemoved(DEPUTY, Person("u-deputy", "Dan"), MOVED)
    with pytest.raises(InvalidDecision):
        DeputyRemoved(DEPUTY, LEADER, datetime(2026, 3, 3, 9))
    raw = case_to_dict(apply(brought_in(told(opened(deputy=DEPUTY))), AS_HR, LeaderReassigned(THIRD, None), now=MOVED))
    del raw["removed_deputies"]
    assert case_from_dict(raw).removed_deputies == ()


# -- exhaustive: every sequence of up to four hand-overs among three leaders, with or without a
# delivery round after each, against a model of what each person must be told ------------------
PEOPLE = (LEADER, OTHER_LEADER, THIRD)
MOVES = [(person, deliver) for person in PEOPLE for deliver in (False, True)]


def _sequences() -> list[tuple[tuple[Person, bool], ...]]:
    return [seq for n in range(1, 5) for seq in itertools.product(MOVES, repeat=n)]


def test_every_sequence_of_hand_overs_owes_exactly_what_each_person_must_hear() -> None:
    """Model: a person is owed a notice when they were replaced, do not lead the case now, and
    no delivery round ran since their latest replacement; the notice names who took it over then.
    All 1,554 sequences in one test (as many parametrized cases cost seconds of collection)."""
    for sequence in _sequences():
        _check(sequence)


def _check(sequence: tuple[tuple[Person, bool], ...]) -> None:
    case = told(opened())
    owed: dict[str, str] = {}  # person id -> id of the successor named in the notice they are owed
    now = MOVED
    for person, deliver in sequence:
        now += timedelta(minutes=10)
        old = case.leader
        case = apply(case, AS_HR, LeaderReassigned(person, None), now=now)
        if old is not None and old.aad_object_id != person.aad_object_id:
            owed[old.aad_object_id] = person.aad_object_id
        owed.pop(person.aad_object_id, None)
        if deliver:
            case = told(case)
            owed.clear()
        where = [(p.aad_object_id, d) for p, d in sequence]
        assert len(case.replaced_leaders) <= len(PEOPLE), where  # bounded: what was sent is dropped
        items = replaced_items(case, now)
        notices = {leader_replaced_key(case.id, n): n for n in case.replaced_leaders}
        said = {n.leader.aad_object_id: n.successor.aad_object_id for n in (notices[i.key] for i in items)}
        assert said == owed, where
        assert [i.to for i in items] == [notices[i.key].leader for i in items], where
        assert len({i.key for i in items}) == len(items), where
        assert case_from_dict(case_to_dict(case)) == case, where
