""" "Straks" means today: office hours, the acknowledgement, bringing in the deputy, then HR.

Office hours are the default 08:00-16:00, Monday to Friday, Danish holidays off; the leader has
two office hours to acknowledge a new case.
"""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.guideline import (
    Acknowledge,
    Acknowledged,
    BringInDeputy,
    CitizenContacted,
    DeadlinePolicy,
    DeputyBroughtIn,
    DeputyReason,
    DueKind,
    InvalidTransition,
    LeaderReassigned,
    Role,
    RoleRefused,
    StepId,
    StepStatus,
    ack_schedule,
    add_office_time,
    bring_in_deputy_if_due,
    by_urgency,
    case_from_dict,
    case_to_dict,
    decide,
    due_items,
    expectations,
    mark_sent,
    next_due,
    next_due_at,
    office_clock_start,
    roles_of,
)
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    OTHER_LEADER,
    POLICY,
    apply,
    at,
    opened,
)

H = timedelta(hours=1)
OFFICE = (time(8), time(16))


def office(moment: datetime, hours: float) -> datetime:
    return add_office_time(moment, timedelta(hours=hours), *OFFICE)


@pytest.mark.parametrize(
    ("moment", "hours", "expected"),
    [
        (at(2026, 3, 2, 10), 2, at(2026, 3, 2, 12)),  # inside office hours
        (at(2026, 3, 2, 14), 2, at(2026, 3, 2, 16)),  # ends exactly at closing time
        (at(2026, 3, 2, 15), 2, at(2026, 3, 3, 9)),  # carries over to the next morning
        (at(2026, 3, 6, 15, 30), 2, at(2026, 3, 9, 9, 30)),  # Friday -> Monday
        (at(2026, 3, 7, 12), 2, at(2026, 3, 9, 10)),  # Saturday: from Monday's opening
        (at(2026, 3, 2, 6), 2, at(2026, 3, 2, 10)),  # before opening
        (at(2026, 3, 2, 22, 55), 0, at(2026, 3, 3, 8)),  # the clock starts next morning
        (at(2026, 12, 23, 15), 2, at(2026, 12, 28, 9)),  # Christmas: 24th-27th off
        (at(2026, 4, 1, 15), 2, at(2026, 4, 7, 9)),  # Easter: 2nd-6th April off
        (at(2026, 3, 2, 10), 16, at(2026, 3, 4, 10)),  # more than a day
    ],
)
def test_office_time(moment: datetime, hours: float, expected: datetime) -> None:
    assert office(moment, hours) == expected


def test_office_clock_start_keeps_a_moment_inside_office_hours() -> None:
    assert office_clock_start(at(2026, 3, 2, 11, 7), *OFFICE) == at(2026, 3, 2, 11, 7)
    assert office_clock_start(at(2026, 3, 2, 16), *OFFICE) == at(2026, 3, 3, 8)  # closing time is closed
    assert office_clock_start(at(2026, 12, 31, 9), *OFFICE) == at(2027, 1, 4, 8)  # New Year's Eve, Day, weekend


def test_office_time_refuses_naive_moments_and_negative_amounts() -> None:
    with pytest.raises(ValueError):
        add_office_time(datetime(2026, 3, 2, 10), H, *OFFICE)
    with pytest.raises(ValueError):
        add_office_time(at(2026, 3, 2, 10), -H, *OFFICE)


def test_policy_refuses_empty_office_hours_and_zero_hours() -> None:
    with pytest.raises(ValueError):
        DeadlinePolicy(office_start=time(16), office_end=time(8))
    with pytest.raises(ValueError):
        DeadlinePolicy(ack_working_hours=0)


# ---- the acknowledgement and who is told when ----------------------------------------------


def test_escalation_order_in_office_hours() -> None:
    case = opened(at(2026, 3, 2, 10))  # Monday 10:00
    schedule = ack_schedule(case, POLICY)
    assert schedule is not None
    assert (schedule.ack_by, schedule.deputy_at, schedule.hr_at) == (
        at(2026, 3, 2, 12),
        at(2026, 3, 2, 12),
        at(2026, 3, 2, 14),
    )


def test_outside_office_hours_the_clock_starts_next_morning() -> None:
    case = opened(at(2026, 11, 24, 22, 55), occurred_at=at(2026, 11, 24, 22))  # Tuesday evening
    expect = expectations(case, POLICY)
    assert expect.outside_office_hours
    assert (expect.clock_from, expect.ack_by, expect.deputy_at, expect.hr_at) == (
        at(2026, 11, 25, 8),
        at(2026, 11, 25, 10),
        at(2026, 11, 25, 10),
        at(2026, 11, 25, 12),
    )
    assert expect.steps_due == at(2026, 11, 26, 16)  # the end of the next working day after that


def test_across_christmas_the_deputy_and_hr_wait_for_the_office_to_open() -> None:
    case = opened(at(2026, 12, 23, 15), occurred_at=at(2026, 12, 23, 14))  # Wednesday before Christmas
    schedule = ack_schedule(case, POLICY)
    assert schedule is not None
    assert (schedule.deputy_at, schedule.hr_at) == (at(2026, 12, 28, 9), at(2026, 12, 28, 11))
    assert case.step(StepId.REMOVAL).due_at == at(2026, 12, 28, 16)
    assert bring_in_deputy_if_due(case, at(2026, 12, 27, 23), POLICY) == (case, [])


def test_the_deputy_is_brought_in_when_the_acknowledgement_is_overdue_then_hr() -> None:
    case = mark_sent(opened(at(2026, 3, 2, 10)), "assigned:case-1:u-leader")
    assert case.active_deputy is None
    assert roles_of(case, AS_DEPUTY) == frozenset()
    assert next_due_at(case) == at(2026, 3, 2, 12)  # the index wakes the scheduler for the deputy
    assert bring_in_deputy_if_due(case, at(2026, 3, 2, 11, 59), POLICY) == (case, [])
    assert due_items([case], at(2026, 3, 2, 11, 59)) == []

    joined, events = bring_in_deputy_if_due(case, at(2026, 3, 2, 12), POLICY)
    assert joined.deputy_in is not None and joined.deputy_in.reason is DeputyReason.ACK_OVERDUE
    assert joined.revision == case.revision + 1
    [event] = events
    assert isinstance(event, DeputyBroughtIn)
    assert (event.actor, event.reason, event.deputy, event.at) == (
        "bot",
        DeputyReason.ACK_OVERDUE,
        case.deputy,
        at(2026, 3, 2, 12),
    )
    assert roles_of(joined, AS_DEPUTY) == {Role.DEPUTY}
    [item] = due_items([joined], at(2026, 3, 2, 12))
    assert (item.kind, item.recipients, item.key) == (DueKind.DEPUTY_IN, (Role.DEPUTY,), "deputy:case-1:u-deputy")
    assert bring_in_deputy_if_due(joined, at(2026, 3, 2, 13), POLICY) == (joined, [])  # once

    joined = mark_sent(joined, item.key)
    assert due_items([joined], at(2026, 3, 2, 13, 59)) == []
    [hr] = due_items([joined], at(2026, 3, 2, 14))
    assert (hr.kind, hr.recipients) == (DueKind.ACK_ESCALATION, (Role.HR,))
    assert hr.key == "ack_hr:case-1:u-leader:2026-03-02T09:00:00Z"


def test_acknowledged_in_time_nobody_else_hears() -> None:
    case = mark_sent(opened(at(2026, 3, 2, 10)), "assigned:case-1:u-leader")
    acked, events = decide(case, AS_LEADER, Acknowledge(), at(2026, 3, 2, 11), POLICY)
    assert acked.acknowledged is not None and acked.acknowledged.by == "u-leader"
    [event] = events
    assert isinstance(event, Acknowledged)
    assert (event.deadline, event.in_time, event.roles) == (at(2026, 3, 2, 12), True, (Role.LEADER,))
    assert bring_in_deputy_if_due(acked, at(2026, 3, 3, 12), POLICY) == (acked, [])
    assert due_items([acked], at(2026, 3, 2, 15)) == []
    assert decide(acked, AS_LEADER, Acknowledge(), at(2026, 3, 2, 11, 30), POLICY) == (acked, [])  # idempotent


def test_a_late_acknowledgement_is_recorded_as_late_and_stops_hr() -> None:
    case = mark_sent(opened(at(2026, 3, 2, 10)), "assigned:case-1:u-leader")
    case, _ = bring_in_deputy_if_due(case, at(2026, 3, 2, 12), POLICY)
    case = mark_sent(case, "deputy:case-1:u-deputy")
    acked, [event] = decide(case, AS_DEPUTY, Acknowledge(), at(2026, 3, 2, 13), POLICY)
    assert isinstance(event, Acknowledged) and not event.in_time and event.roles == (Role.DEPUTY,)
    assert due_items([acked], at(2026, 3, 2, 15)) == []


def test_without_a_deputy_hr_is_told_after_the_first_period() -> None:
    case = mark_sent(opened(at(2026, 3, 2, 10), deputy=None), "assigned:case-1:u-leader")
    [hr] = due_items([case], at(2026, 3, 2, 12))
    assert (hr.kind, hr.recipients) == (DueKind.ACK_ESCALATION, (Role.HR,))


def test_an_absent_leader_brings_the_deputy_in_at_once() -> None:
    case = opened(at(2026, 3, 2, 10), leader_absent=True)
    assert case.deputy_in is not None and case.deputy_in.reason is DeputyReason.LEADER_ABSENT
    kinds = {i.kind: i.recipients for i in due_items([case], at(2026, 3, 2, 10))}
    assert kinds == {DueKind.CASE_ASSIGNED: (Role.LEADER,), DueKind.DEPUTY_IN: (Role.DEPUTY,)}
    schedule = ack_schedule(case, POLICY)
    assert schedule is not None and (schedule.deputy_at, schedule.hr_at) == (None, at(2026, 3, 2, 12))


def test_the_report_records_the_absent_leader_as_an_audit_event() -> None:
    from bot.guideline import new_case
    from tests.unit.guideline.builders import DEPUTY, LEADER, REPORTER, evidence, facts

    _case, events = new_case(
        "c", "KH-1", REPORTER, LEADER, DEPUTY, None, facts(), [evidence(0)], at(2026, 3, 2, 10), leader_absent=True
    )
    assert [type(e).__name__ for e in events] == ["CaseOpened", "DeputyBroughtIn"]


def test_hr_brings_the_deputy_in() -> None:
    case = opened()
    with pytest.raises(RoleRefused):
        decide(case, AS_LEADER, BringInDeputy(), at(2026, 3, 2, 11), POLICY)
    joined, [event] = decide(case, AS_HR, BringInDeputy(), at(2026, 3, 2, 11), POLICY)
    assert isinstance(event, DeputyBroughtIn) and event.reason is DeputyReason.HR and event.actor == "u-hr"
    assert roles_of(joined, AS_DEPUTY) == {Role.DEPUTY}
    assert decide(joined, AS_HR, BringInDeputy(), at(2026, 3, 2, 12), POLICY) == (joined, [])
    with pytest.raises(InvalidTransition):
        decide(opened(deputy=None), AS_HR, BringInDeputy(), at(2026, 3, 2, 11), POLICY)


def test_a_deputy_not_brought_in_is_an_outsider() -> None:
    case = opened()
    for decision in (Acknowledge(), CitizenContacted("x")):
        with pytest.raises(RoleRefused):
            decide(case, AS_DEPUTY, decision, at(2026, 3, 2, 11), POLICY)
    with pytest.raises(RoleRefused):
        decide(case, AS_HR, Acknowledge(), at(2026, 3, 2, 11), POLICY)  # HR does not acknowledge for the leader


def test_reassignment_restarts_the_clock_for_the_new_leader() -> None:
    case = apply(opened(at(2026, 3, 2, 10)), AS_LEADER, Acknowledge(), now=at(2026, 3, 2, 10))
    case = apply(case, AS_HR, BringInDeputy(), now=at(2026, 3, 2, 10))
    moved = apply(case, AS_HR, LeaderReassigned(OTHER_LEADER, None), now=at(2026, 3, 3, 15))
    assert (moved.acknowledged, moved.deputy_in, moved.assigned_at) == (None, None, at(2026, 3, 3, 15))
    schedule = ack_schedule(moved, POLICY)
    assert schedule is not None and schedule.ack_by == at(2026, 3, 4, 9)


def test_acknowledgement_and_deputy_survive_storage_and_old_documents_count_as_seen() -> None:
    case = apply(opened(), AS_LEADER, Acknowledge())
    case = apply(case, AS_HR, BringInDeputy())
    assert case_from_dict(case_to_dict(case)) == case
    old = case_to_dict(opened())
    for key in ("acknowledged", "deputy_in", "assigned_at"):
        del old[key]
    legacy = case_from_dict(old)
    assert legacy.acknowledged is not None and legacy.acknowledged.at == legacy.created_at
    assert legacy.deputy_in is None


# ---- the leader's list ------------------------------------------------------------------------


def test_cases_are_listed_overdue_first_with_the_next_due_step() -> None:
    now = at(2026, 3, 5, 12)
    fresh = opened(at(2026, 3, 5, 9), case_id="fresh", occurred_at=at(2026, 3, 5, 8))  # ack due 11:00: overdue
    acked = apply(opened(at(2026, 3, 4, 9), case_id="acked"), AS_LEADER, Acknowledge(), now=at(2026, 3, 4, 9))
    older = apply(opened(at(2026, 3, 2, 9), case_id="older"), AS_LEADER, Acknowledge(), now=at(2026, 3, 2, 9))
    calm = opened(at(2026, 3, 5, 11), case_id="calm", occurred_at=at(2026, 3, 5, 8))
    calm = apply(calm, AS_LEADER, Acknowledge(), now=at(2026, 3, 5, 11))
    ordered = by_urgency([calm, acked, fresh, older], now, POLICY)
    assert [c.id for c, _ in ordered] == ["older", "fresh", "acked", "calm"]
    [_, due_older], [_, due_fresh] = ordered[0], ordered[1]
    assert due_older is not None and due_older.overdue and due_older.due_at == at(2026, 3, 3, 16)
    assert due_fresh is not None and (due_fresh.step, due_fresh.overdue) == (None, True)  # the acknowledgement
    assert next_due(calm, now, POLICY) == ordered[3][1]
    assert ordered[3][1] is not None and ordered[3][1].step is StepId.REMOVAL and not ordered[3][1].overdue


def test_an_undated_case_comes_last() -> None:
    now = datetime(2026, 3, 5, 11, tzinfo=UTC)
    steps_done = opened(case_id="done", leader=None, deputy=None)
    for step in StepId:
        steps_done = steps_done.with_step(replace(steps_done.step(step), status=StepStatus.DONE))
    assert next_due(steps_done, now, POLICY) is None
    assert [c.id for c, _ in by_urgency([steps_done, opened(case_id="x")], now, POLICY)] == ["x", "done"]
