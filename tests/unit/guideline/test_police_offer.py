"""The offer to take part in the police report: the leader's to make, the employee's to answer.

The order is fixed (offer, then question, then answer), a late answer is refused, "no police
report" can only be the employee's and opens the InsuBiz note, the employee is reminded kindly at
most twice, and the wait for the answer never counts against the leader's deadlines or the MED
"on time" figure.
"""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.guideline import (
    CaseClosed,
    DueKind,
    InvalidTransition,
    OfferAnswer,
    OfferChannel,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    Role,
    StepDecided,
    StepId,
    StepStatus,
    Wait,
    decide,
    due_items,
    figures,
    mark_sent,
)
from bot.guideline.due import overdue_steps
from bot.guideline.med import MedSchedule
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    OPENED,
    POLICY,
    apply,
    at,
    offer,
    opened,
)

MONDAY_NOON = at(2026, 3, 2, 12)
WEDNESDAY = at(2026, 3, 4, 10)


def test_the_question_comes_only_after_the_leader_records_the_offer() -> None:
    case = opened()
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.TAKE_PART))
    assert err.value.code == "offer_not_made"
    case = opened(leader_absent=True)  # the deputy is on the case
    new, events = decide(case, AS_DEPUTY, PoliceOfferMade(OfferChannel.PHONE), MONDAY_NOON, POLICY)
    state = new.step(StepId.POLICE_OFFER)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.IN_PROGRESS,
        "offered",
        {"offered_via": "phone"},
    )
    assert (state.decided_by, state.first_decided_at) == ("u-deputy", MONDAY_NOON)
    assert new.waits == (Wait(StepId.POLICE_OFFER, MONDAY_NOON),)
    assert [e.step for e in events if isinstance(e, StepDecided)] == [StepId.POLICE_OFFER]
    assert not state.settled  # made, not answered
    with pytest.raises(InvalidTransition) as err:
        apply(new, AS_LEADER, PoliceOfferMade(OfferChannel.IN_PERSON))
    assert err.value.code == "offer_already_made"


def test_the_police_report_needs_the_offer_first() -> None:
    with pytest.raises(InvalidTransition) as err:
        apply(opened(), AS_LEADER, PoliceReported("4400-1", "Lene Leder"))
    assert err.value.code == "police_offer_first"


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [(OfferAnswer.TAKE_PART, "wants_to_join"), (OfferAnswer.FILE_WITHOUT_ME, "declined_to_join")],
)
def test_take_part_or_file_without_me_leaves_the_report_to_the_leader(answer: OfferAnswer, outcome: str) -> None:
    case = offer(opened(), now=MONDAY_NOON)
    new, events = decide(case, AS_REPORTER, PoliceOfferAnswered(answer), WEDNESDAY, POLICY)
    state = new.step(StepId.POLICE_OFFER)
    assert (state.status, state.outcome, state.decided_by, dict(state.fields)) == (
        StepStatus.DONE,
        outcome,
        "u-reporter",
        {"offered_via": "in_person"},
    )
    assert new.step(StepId.POLICE_REPORT).status is StepStatus.OPEN
    assert new.step(StepId.INSUBIZ_NOTE).status is StepStatus.NOT_APPLICABLE
    assert isinstance(events[0], StepDecided) and events[0].roles == (Role.REPORTER,)
    # The answer may change until the police step is decided.
    other = OfferAnswer.FILE_WITHOUT_ME if answer is OfferAnswer.TAKE_PART else OfferAnswer.TAKE_PART
    assert apply(new, AS_REPORTER, PoliceOfferAnswered(other)).step(StepId.POLICE_OFFER).outcome != outcome


def test_no_police_report_settles_the_police_step_and_opens_insubiz() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    friday = at(2026, 3, 6, 15)
    new, events = decide(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.NO_REPORT), friday, POLICY)
    police = new.step(StepId.POLICE_REPORT)
    insubiz = new.step(StepId.INSUBIZ_NOTE)
    offered = new.step(StepId.POLICE_OFFER)
    assert (offered.status, offered.outcome) == (StepStatus.DONE, "no_report")
    assert (police.status, police.outcome, police.decided_by) == (
        StepStatus.DONE,
        "declined_by_employee",
        "u-reporter",
    )
    assert (insubiz.status, insubiz.due_at, insubiz.decided_by) == (StepStatus.OPEN, at(2026, 3, 9, 16), None)
    assert {e.step for e in events if isinstance(e, StepDecided)} == {
        StepId.POLICE_OFFER,
        StepId.POLICE_REPORT,
        StepId.INSUBIZ_NOTE,
    }
    assert all(e.actor == "u-reporter" for e in events)
    with pytest.raises(InvalidTransition) as err:
        apply(new, AS_LEADER, PoliceReported("1", "Lene"))
    assert err.value.code == "police_decided"
    with pytest.raises(InvalidTransition) as err:
        apply(new, AS_LEADER, CaseClosed())
    assert "insubiz_note" in err.value.open_steps


@pytest.mark.parametrize("answer", list(OfferAnswer))
def test_a_late_answer_is_refused(answer: OfferAnswer) -> None:
    reported = apply(offer(opened()), AS_LEADER, PoliceReported("4400-1", "Lene Leder"))
    declined = offer(opened(), OfferAnswer.NO_REPORT)
    for case in (reported, declined):
        if case is declined and answer is OfferAnswer.NO_REPORT:
            assert apply(case, AS_REPORTER, PoliceOfferAnswered(answer)) == case  # the same answer again
            continue
        with pytest.raises(InvalidTransition) as err:
            apply(case, AS_REPORTER, PoliceOfferAnswered(answer))
        assert err.value.code == "offer_answer_too_late"


def test_a_report_filed_while_the_answer_is_pending_settles_the_offer_as_unanswered() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    new = apply(case, AS_LEADER, PoliceReported("4400-1", "Lene Leder"), now=WEDNESDAY)
    offered = new.step(StepId.POLICE_OFFER)
    assert (offered.status, offered.outcome, offered.decided_by) == (StepStatus.DONE, "unanswered", "u-leader")
    assert new.waits == (Wait(StepId.POLICE_OFFER, MONDAY_NOON, WEDNESDAY),)


# ---- the wait never counts against the leader ------------------------------------------------


def test_the_police_deadline_stops_while_the_employee_answers_and_moves_on_by_the_wait() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    due = case.step(StepId.POLICE_REPORT).due_at
    assert due == at(2026, 3, 3, 16)  # closing time on the next working day
    assert case.paused(StepId.POLICE_REPORT) and not case.paused(StepId.REMOVAL)
    # Long past the deadline, nothing about the police report is overdue or escalated while it waits.
    items = due_items([case], at(2026, 3, 12, 10))
    assert StepId.POLICE_REPORT not in {i.step for i in items if i.kind in (DueKind.STEP_OVERDUE, DueKind.ESCALATION)}
    assert StepId.REMOVAL in {i.step for i in items if i.kind is DueKind.STEP_OVERDUE}
    answered = apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.TAKE_PART), now=WEDNESDAY)
    assert answered.waits == (Wait(StepId.POLICE_OFFER, MONDAY_NOON, WEDNESDAY),)
    assert answered.step(StepId.POLICE_REPORT).due_at == due + (WEDNESDAY - MONDAY_NOON)
    assert not answered.paused(StepId.POLICE_REPORT)
    assert due is not None
    overdue_at = due + (WEDNESDAY - MONDAY_NOON)

    def police_items(now: datetime) -> list[DueKind]:
        return [i.kind for i in due_items([answered], now) if i.step is StepId.POLICE_REPORT]

    assert police_items(overdue_at - timedelta(minutes=1)) == []
    assert police_items(overdue_at) == [DueKind.STEP_OVERDUE]


def test_the_med_on_time_figure_leaves_out_the_wait() -> None:
    period = MedSchedule().period_by_id("2026-H2")  # 1 Mar - 1 Sep 2026
    cases = []
    for n in range(3):
        # The offer is made in time; the employee takes a week; the leader files the day after.
        case = offer(opened(case_id=f"c{n}"), now=MONDAY_NOON)
        case = apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.TAKE_PART), now=at(2026, 3, 9, 12))
        case = apply(case, AS_LEADER, PoliceReported("4400-1", "Lene"), now=at(2026, 3, 9, 16))
        cases.append(case)
    result = figures(cases, "Borgerservice", period)
    # Per case: removal, citizen and APV never decided (late); the offer and the report on time.
    assert result.on_time_percent == round(100 * 2 / 5)
    # Still waiting at the period's end: the police report is not counted late.
    waiting = offer(opened(at(2026, 8, 27, 10), case_id="w"), now=at(2026, 8, 27, 11))
    result = figures([*cases, waiting], "Borgerservice", period)
    assert result.on_time_percent == round(100 * (2 * 3 + 1) / (5 * 3 + 4))


# ---- the employee is asked, and reminded kindly, at most twice --------------------------------


def test_the_employee_is_asked_at_once_and_reminded_at_most_twice() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    mine = [i for i in due_items([case], at(2026, 3, 20, 10)) if i.recipients == (Role.REPORTER,)]
    assert [(i.kind, i.due_at) for i in mine] == [
        (DueKind.OFFER_ASKED, MONDAY_NOON),
        (DueKind.OFFER_REMINDER, at(2026, 3, 3, 12)),
        (DueKind.OFFER_REMINDER, at(2026, 3, 4, 12)),
    ]
    for item in mine:
        case = mark_sent(case, item.key)
    assert [i for i in due_items([case], at(2026, 4, 30, 10)) if i.recipients == (Role.REPORTER,)] == []
    # Once answered, nothing more is owed to the employee about the offer.
    fresh = offer(opened(), now=MONDAY_NOON)
    answered = apply(fresh, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.FILE_WITHOUT_ME), now=MONDAY_NOON)
    assert [i for i in due_items([answered], at(2026, 3, 20)) if i.recipients == (Role.REPORTER,)] == []


def test_reminders_skip_the_weekend() -> None:
    friday = at(2026, 3, 6, 14)
    case = offer(opened(at(2026, 3, 6, 9)), now=friday)
    reminders = [i.due_at for i in due_items([case], at(2026, 3, 20)) if i.kind is DueKind.OFFER_REMINDER]
    assert reminders == [at(2026, 3, 9, 14), at(2026, 3, 10, 14)]


def test_hr_records_the_offer_when_there_is_no_leader() -> None:
    case = offer(opened(leader=None, deputy=None), by=AS_HR)
    assert case.step(StepId.POLICE_OFFER).decided_by == "u-hr"
    assert case.created_at == OPENED


def test_a_step_waiting_for_the_employee_is_not_listed_as_overdue() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    late = at(2026, 3, 10, 10)
    assert StepId.POLICE_REPORT not in overdue_steps(case, late)
    assert StepId.REMOVAL in overdue_steps(case, late)
    answered = apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.TAKE_PART), now=WEDNESDAY)
    assert StepId.POLICE_REPORT in overdue_steps(answered, late)


def test_the_leader_hears_each_answer_once() -> None:
    case = offer(opened(), now=MONDAY_NOON)
    assert [i for i in due_items([case], at(2026, 3, 20)) if i.kind is DueKind.OFFER_ANSWERED] == []
    case = apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.TAKE_PART), now=WEDNESDAY)
    [told] = [i for i in due_items([case], WEDNESDAY) if i.kind is DueKind.OFFER_ANSWERED]
    assert (told.recipients, told.due_at) == ((Role.LEADER,), WEDNESDAY)  # the deputy is not on the case
    case = mark_sent(case, told.key)
    assert [i for i in due_items([case], at(2026, 3, 20)) if i.kind is DueKind.OFFER_ANSWERED] == []
    changed = apply(case, AS_REPORTER, PoliceOfferAnswered(OfferAnswer.NO_REPORT), now=at(2026, 3, 5, 9))
    [again] = [i for i in due_items([changed], at(2026, 3, 20)) if i.kind is DueKind.OFFER_ANSWERED]
    assert again.key != told.key
    # A report filed before any answer tells the leader nothing: it was the leader's own act.
    reported = apply(offer(opened()), AS_LEADER, PoliceReported("1", "Lene"))
    assert [i for i in due_items([reported], at(2026, 3, 20)) if i.kind is DueKind.OFFER_ANSWERED] == []


def test_answers_stored_before_the_offer_was_recorded_are_not_announced() -> None:
    old = offer(opened(), OfferAnswer.TAKE_PART)
    legacy = replace(old, waits=())  # a case stored when the employee answered without a recorded offer
    assert [i for i in due_items([legacy], at(2026, 3, 20)) if i.kind is DueKind.OFFER_ANSWERED] == []
