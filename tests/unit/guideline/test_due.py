from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.guideline import (
    IMMEDIATE_STEPS,
    Acknowledge,
    ApvFiled,
    ApvMeasuresSet,
    BringInDeputy,
    Case,
    CaseClosed,
    CaseStatus,
    CitizenContacted,
    DeadlinePolicy,
    DueItem,
    DueKind,
    EvidenceAdded,
    EvidenceFinished,
    EvidenceNotice,
    FollowUpDone,
    FollowUpScheduled,
    InvalidDecision,
    LeaderReassigned,
    OfferAnswer,
    Person,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    Role,
    SavedOnCase,
    StepId,
    case_from_dict,
    case_to_dict,
    due_items,
    mark_sent,
    next_due_at,
    pending_items,
)
from tests.unit.guideline.builders import (
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    DEPUTY,
    LEADER,
    MANAGER,
    OPENED,
    OTHER_LEADER,
    apply,
    at,
    evidence,
    offer,
    opened,
)


def kinds(items: list[DueItem]) -> list[tuple[DueKind, StepId | None]]:
    return [(item.kind, item.step) for item in items]


def test_new_case_notifies_its_leader_once() -> None:
    case = opened()
    [item] = due_items([case], OPENED)
    assert item == DueItem(DueKind.CASE_ASSIGNED, "case-1", None, "assigned:case-1:u-leader", (Role.LEADER,), OPENED)
    assert due_items([mark_sent(case, item.key)], OPENED) == []


def test_case_without_leader_goes_to_hr() -> None:
    case = opened(leader=None, deputy=None)
    [item] = due_items([case], OPENED)
    assert (item.key, item.recipients) == ("unassigned:case-1", (Role.HR,))
    overdue = [i for i in due_items([case], at(2026, 3, 3, 16)) if i.kind is DueKind.STEP_OVERDUE]
    assert {i.recipients for i in overdue} == {(Role.HR,)}


def test_reassignment_notifies_the_new_leader() -> None:
    case = mark_sent(opened(), "assigned:case-1:u-leader")
    case = apply(case, AS_HR, LeaderReassigned(OTHER_LEADER, None))
    [item] = [i for i in due_items([case], OPENED) if i.kind is DueKind.CASE_ASSIGNED]
    assert (item.key, item.recipients) == ("assigned:case-1:u-leader2", (Role.LEADER,))
    # (the replaced leader's notice: test_leader_replaced)


def test_a_leader_who_gets_the_case_back_is_sent_it_again() -> None:
    """The hand-over forgets the earlier send: the returning leader owes a new acknowledgement and
    gets the card to give it on (was: nothing, the key was already recorded)."""
    case = mark_sent(opened(), "assigned:case-1:u-leader")
    away = mark_sent(apply(case, AS_HR, LeaderReassigned(OTHER_LEADER, None)), "assigned:case-1:u-leader2")
    back = apply(away, AS_HR, LeaderReassigned(LEADER, None), now=OPENED + timedelta(hours=1))
    [item] = [i for i in due_items([back], OPENED + timedelta(hours=1)) if i.kind is DueKind.CASE_ASSIGNED]
    assert (item.key, item.recipients) == ("assigned:case-1:u-leader", (Role.LEADER,))
    assert back.acknowledged is None
    # The same leader kept (HR changed only the deputy) owes no second card.
    kept = apply(mark_sent(back, item.key), AS_HR, LeaderReassigned(LEADER, DEPUTY), now=OPENED + timedelta(hours=2))
    assert [i for i in due_items([kept], OPENED + timedelta(hours=2)) if i.kind is DueKind.CASE_ASSIGNED] == []


def test_a_deputy_brought_in_again_after_a_hand_over_is_sent_the_case_again() -> None:
    case = mark_sent(opened(deputy=DEPUTY), "assigned:case-1:u-leader")
    joined = mark_sent(apply(case, AS_HR, BringInDeputy()), "deputy:case-1:u-deputy")
    moved = apply(joined, AS_HR, LeaderReassigned(OTHER_LEADER, DEPUTY), now=OPENED + timedelta(hours=1))
    assert moved.active_deputy is None  # off the case until brought in again
    again = apply(moved, AS_HR, BringInDeputy(), now=OPENED + timedelta(hours=2))
    [item] = [i for i in due_items([again], OPENED + timedelta(hours=2)) if i.kind is DueKind.DEPUTY_IN]
    assert (item.key, item.recipients) == ("deputy:case-1:u-deputy", (Role.DEPUTY,))


def _quiet(now: datetime = OPENED, case_id: str = "case-1", leader_manager: Person | None = MANAGER) -> Case:
    """A case whose leader notice was sent and acknowledged, so only step reminders remain."""
    case = opened(now, case_id=case_id, leader_manager=leader_manager, occurred_at=now - timedelta(hours=1))
    return apply(mark_sent(case, f"assigned:{case.id}:u-leader"), AS_LEADER, Acknowledge(), now=now)


def test_overdue_exactly_at_deadline_for_each_open_immediate_step() -> None:
    case = _quiet()
    # Reported Monday 10:00: due at closing time (16:00) on the next working day.
    assert due_items([case], at(2026, 3, 3, 15, 59)) == []
    items = due_items([case], at(2026, 3, 3, 16))
    assert kinds(items) == sorted(((DueKind.STEP_OVERDUE, s) for s in IMMEDIATE_STEPS), key=lambda k: k[1].value)
    assert items[0].recipients == (Role.LEADER,)  # the deputy is not on the case
    assert items[0].key == "overdue:case-1:apv_plan:2026-03-03T15:00:00Z"


def test_overdue_grace_hours() -> None:
    policy = DeadlinePolicy(remind_after_overdue_hours=8)
    case = _quiet()
    assert due_items([case], at(2026, 3, 3, 23, 59), policy) == []
    assert len(due_items([case], at(2026, 3, 4, 0), policy)) == len(IMMEDIATE_STEPS)


def test_decided_and_in_progress_steps_are_not_overdue() -> None:
    case = apply(
        _quiet(),
        AS_LEADER,
        RemovalDecided(RemovalOutcome.REQUESTED),
        CitizenContacted("ok"),
        ApvMeasuresSet("x"),
    )
    items = due_items([case], at(2026, 3, 3, 17))
    assert kinds(items) == [
        (DueKind.STEP_OVERDUE, StepId.POLICE_OFFER),
        (DueKind.STEP_OVERDUE, StepId.POLICE_REPORT),
    ]


def test_escalation_after_three_working_days_over_a_weekend() -> None:
    case = _quiet()
    for step in IMMEDIATE_STEPS:
        case = mark_sent(case, f"overdue:case-1:{step.value}:2026-03-03T15:00:00Z")
    assert due_items([case], at(2026, 3, 6, 15, 59)) == []
    items = due_items([case], at(2026, 3, 6, 16))
    assert {i.kind for i in items} == {DueKind.ESCALATION}
    assert items[0].recipients == (Role.HR, Role.LEADER_MANAGER)
    assert items[0].due_at == at(2026, 3, 6, 16)


def test_escalation_over_easter_and_without_manager() -> None:
    case = _quiet(at(2026, 4, 1, 10), leader_manager=None)
    assert case.step(StepId.REMOVAL).due_at == at(2026, 4, 7, 16)  # Easter: 2-6 April are days off
    escalations = [i for i in due_items([case], at(2026, 4, 10, 16)) if i.kind is DueKind.ESCALATION]
    assert len(escalations) == len(IMMEDIATE_STEPS)
    assert escalations[0].recipients == (Role.HR,)
    assert [i for i in due_items([case], at(2026, 4, 10, 15, 59)) if i.kind is DueKind.ESCALATION] == []


def test_insubiz_deadline_after_decline_is_watched() -> None:
    case = offer(_quiet(), OfferAnswer.NO_REPORT, now=at(2026, 3, 6, 15))
    items = [i for i in due_items([case], at(2026, 3, 9, 16)) if i.step is StepId.INSUBIZ_NOTE]
    assert kinds(items) == [(DueKind.STEP_OVERDUE, StepId.INSUBIZ_NOTE)]


def test_followup_reminder_on_its_day() -> None:
    case = apply(_quiet(), AS_LEADER, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 16)))
    before = [i for i in due_items([case], at(2026, 3, 16, 7, 59)) if i.kind is DueKind.FOLLOWUP_REMINDER]
    assert before == []
    [item] = [i for i in due_items([case], at(2026, 3, 16, 8)) if i.kind is DueKind.FOLLOWUP_REMINDER]
    assert (item.key, item.recipients) == (
        "followup:case-1:followup_employee:2026-03-16T07:00:00Z",
        (Role.LEADER,),
    )
    moved = apply(case, AS_LEADER, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 18)))
    moved = mark_sent(moved, item.key)
    assert [i for i in due_items([moved], at(2026, 3, 17, 9)) if i.kind is DueKind.FOLLOWUP_REMINDER] == []


def _closed_after_followup(done: date, now: datetime) -> Case:
    case = _immediate_settled(opened(), now)
    case = apply(
        case,
        AS_LEADER,
        FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, done, "samtale"),
        FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, done, "møde"),
        SavedOnCase("SAG-1"),
        CaseClosed(),
        now=now,
    )
    return case


def test_employee_checkin_next_working_day_even_after_close() -> None:
    case = _closed_after_followup(date(2026, 3, 13), at(2026, 3, 13, 15))  # a Friday
    assert due_items([case], at(2026, 3, 16, 7, 59)) == []
    [item] = due_items([case], at(2026, 3, 16, 8))
    assert item == DueItem(
        DueKind.EMPLOYEE_CHECKIN,
        "case-1",
        StepId.FOLLOWUP_EMPLOYEE,
        "checkin:case-1:2026-03-13",
        (Role.REPORTER,),
        at(2026, 3, 16, 8),
    )
    assert due_items([mark_sent(case, item.key)], at(2026, 3, 20)) == []


def test_closed_case_yields_no_step_reminders() -> None:
    case = _closed_after_followup(date(2026, 3, 2), at(2026, 3, 2, 12))
    case = mark_sent(case, "checkin:case-1:2026-03-02")
    assert due_items([case], at(2027, 1, 1)) == []
    assert next_due_at(case) is None


def test_items_are_sorted_oldest_first_across_cases() -> None:
    early = _quiet(at(2026, 3, 2, 9), case_id="a")
    late = opened(at(2026, 3, 2, 11), case_id="b", occurred_at=at(2026, 3, 2, 8))
    items = due_items([late, early], at(2026, 3, 3, 12))
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)
    assert items[0].case_id == "b" and items[0].kind is DueKind.CASE_ASSIGNED


def test_keys_survive_a_storage_round_trip() -> None:
    case = _quiet()
    keys = [i.key for i in due_items([case], at(2026, 3, 6, 12))]
    assert [i.key for i in due_items([case_from_dict(case_to_dict(case))], at(2026, 3, 6, 12))] == keys
    assert len(set(keys)) == len(keys)


def test_mark_sent_is_idempotent_and_bumps_revision_once() -> None:
    case = opened()
    once = mark_sent(case, "k")
    assert once.revision == case.revision + 1
    assert mark_sent(once, "k") is once


def test_next_due_at_tracks_the_earliest_pending_item() -> None:
    case = opened()
    assert next_due_at(case) == OPENED
    case = _quiet()
    assert next_due_at(case) == at(2026, 3, 3, 16)
    assert [i.kind for i in pending_items(case)][:1] == [DueKind.STEP_OVERDUE]
    settled = _immediate_settled(case, OPENED)
    [told] = pending_items(settled)  # the leader hears the employee's answer to the offer
    assert (told.kind, told.recipients) == (DueKind.OFFER_ANSWERED, (Role.LEADER,))
    assert next_due_at(mark_sent(settled, told.key)) is None


def _immediate_settled(case: Case, now: datetime) -> Case:
    case = offer(case, OfferAnswer.FILE_WITHOUT_ME, now=now)
    return apply(
        case,
        AS_LEADER,
        RemovalDecided(RemovalOutcome.REMOVED),
        CitizenContacted("Borgerservice"),
        PoliceReported("1", "Lene"),
        ApvMeasuresSet("m"),
        ApvFiled("r"),
        now=now,
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        due_items([opened()], datetime(2026, 3, 3))


def test_evidence_the_reporter_finished_adding_is_owed_to_the_leader_until_sent() -> None:
    sent = mark_sent(opened(), "assigned:case-1:u-leader")
    later = at(2026, 3, 3, 9)
    case = apply(sent, AS_REPORTER, EvidenceAdded(evidence(2, when=later)), EvidenceFinished(1), now=later)
    assert case.evidence_notice == EvidenceNotice(later, 1)
    [item] = [i for i in due_items([case], later) if i.kind is DueKind.EVIDENCE_ADDED]
    assert item == DueItem(
        DueKind.EVIDENCE_ADDED, "case-1", None, "evidence:case-1:2026-03-03T08:00:00Z", (Role.LEADER,), later
    )
    assert item in pending_items(case)
    assert item not in pending_items(mark_sent(case, item.key))
    assert case_from_dict(case_to_dict(case)) == case


def test_an_evidence_notice_not_yet_sent_is_counted_into_the_next_one() -> None:
    first, second = at(2026, 3, 3, 9), at(2026, 3, 3, 11)
    case = apply(opened(), AS_REPORTER, EvidenceFinished(2), now=first)
    case = apply(case, AS_REPORTER, EvidenceFinished(1), now=second)
    assert case.evidence_notice == EvidenceNotice(second, 3)  # the first was never sent
    told = mark_sent(case, "evidence:case-1:2026-03-03T10:00:00Z")
    assert apply(told, AS_REPORTER, EvidenceFinished(1), now=at(2026, 3, 3, 12)).evidence_notice == EvidenceNotice(
        at(2026, 3, 3, 12), 1
    )


def test_an_evidence_notice_goes_to_hr_without_a_leader_and_never_for_a_closed_case() -> None:
    case = apply(opened(leader=None, deputy=None), AS_REPORTER, EvidenceFinished(1))
    [item] = [i for i in due_items([case], OPENED) if i.kind is DueKind.EVIDENCE_ADDED]
    assert item.recipients == (Role.HR,)
    closed = replace(case, status=CaseStatus.CLOSED)
    assert not [i for i in pending_items(closed) if i.kind is DueKind.EVIDENCE_ADDED]


@pytest.mark.parametrize("count", [0, -1, True, "2"])
def test_an_evidence_notice_needs_a_positive_count(count: object) -> None:
    with pytest.raises(InvalidDecision):
        EvidenceFinished(count)  # type: ignore[arg-type]
    with pytest.raises(InvalidDecision):
        EvidenceNotice(OPENED, count)  # type: ignore[arg-type]
