from dataclasses import replace
from datetime import date

import pytest

from bot.guideline import (
    Actor,
    ApvFiled,
    ApvMeasuresSet,
    Case,
    CaseAlreadyClosed,
    CaseClosed,
    CaseClosedEvent,
    CaseStatus,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    Decision,
    EvidenceAdded,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    InvalidTransition,
    LeaderReassigned,
    NoColleaguesAffected,
    OfferAnswer,
    OfferChannel,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalOutcome,
    Role,
    StepId,
    StepStatus,
    decide,
)
from tests.unit.guideline.builders import (
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    apply,
    at,
    evidence,
    offer,
    opened,
    settled_outcomes,
    waived,
)

CLOSE_AT = at(2026, 3, 20, 12)


def worked_case() -> Case:
    return settled_outcomes(opened())


def test_close_lists_open_steps() -> None:
    case = apply(opened(), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED), CitizenContacted("ok"))
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_LEADER, CaseClosed())
    assert err.value.code == "steps_open"
    assert err.value.open_steps == (
        "removal",
        "police_report",
        "police_offer",
        "apv_plan",
        "followup_employee",
        "followup_colleagues",
        "saved_on_case",
    )


def test_close_when_everything_is_settled() -> None:
    case = worked_case()
    closed, events = decide(case, AS_LEADER, CaseClosed(), CLOSE_AT, POLICY)
    assert (closed.status, closed.closed_at, closed.revision) == (
        CaseStatus.CLOSED,
        CLOSE_AT,
        case.revision + 1,
    )
    assert events == [
        CaseClosedEvent(
            case_id=case.id,
            actor="u-leader",
            roles=(Role.LEADER,),
            at=CLOSE_AT,
            before=CaseStatus.OPEN,
            after=CaseStatus.CLOSED,
        )
    ]


def test_the_declined_path_needs_the_insubiz_note_registered() -> None:
    case = settled_outcomes(opened(), declined=True)
    assert case.step(StepId.POLICE_REPORT).outcome == "declined_by_employee"
    assert apply(case, AS_LEADER, CaseClosed()).status is CaseStatus.CLOSED
    half = apply(offer(opened(), OfferAnswer.NO_REPORT), AS_LEADER, InsuBizNoteDrafted("notat"))
    with pytest.raises(InvalidTransition) as err:
        apply(half, AS_LEADER, CaseClosed())
    assert "insubiz_note" in err.value.open_steps


@pytest.mark.parametrize("step", list(StepId))
def test_a_stored_waiver_keeps_the_case_open_until_the_step_gets_a_real_outcome(step: StepId) -> None:
    case = worked_case()
    if case.step(step).status is StepStatus.NOT_APPLICABLE:
        return  # the InsuBiz note on a reported case: nothing to waive
    old = waived(case, step)
    with pytest.raises(InvalidTransition) as err:
        apply(old, AS_LEADER, CaseClosed())
    assert err.value.open_steps == (step.value,)


@pytest.mark.parametrize(
    "in_progress", ["removal_requested", "apv_measures", "insubiz_drafted", "followup_scheduled", "offer_unanswered"]
)
def test_progress_is_not_an_outcome(in_progress: str) -> None:
    base = worked_case()
    steps = {
        "removal_requested": (StepId.REMOVAL, apply(opened(), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED))),
        "apv_measures": (StepId.APV_PLAN, apply(opened(), AS_LEADER, ApvMeasuresSet("m"))),
        "insubiz_drafted": (
            StepId.INSUBIZ_NOTE,
            apply(offer(opened(), OfferAnswer.NO_REPORT), AS_LEADER, InsuBizNoteDrafted("n")),
        ),
        "followup_scheduled": (
            StepId.FOLLOWUP_EMPLOYEE,
            apply(opened(), AS_LEADER, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 5))),
        ),
        "offer_unanswered": (StepId.POLICE_OFFER, offer(opened())),
    }
    step, source = steps[in_progress]
    case = base.with_step(source.step(step))
    if step is StepId.INSUBIZ_NOTE:
        case = case.with_step(source.step(StepId.POLICE_REPORT))
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_LEADER, CaseClosed())
    assert err.value.open_steps == (step.value,)


ON_CLOSED: list[Decision] = [
    RemovalDecided(RemovalOutcome.REMOVED),
    CitizenContacted("ok"),
    RemovalNotPossible("x", "y"),
    FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 4, 1)),
    LeaderReassigned(OTHER_LEADER, None),
]


@pytest.mark.parametrize("decision", ON_CLOSED, ids=lambda d: type(d).__name__)
def test_closed_case_refuses_decisions(decision: Decision) -> None:
    closed = apply(worked_case(), AS_LEADER, CaseClosed())
    with pytest.raises(CaseAlreadyClosed) as err:
        apply(closed, AS_HR, decision, now=CLOSE_AT)
    assert err.value.code == "case_closed"
    assert isinstance(err.value, InvalidTransition)


def test_closed_case_refuses_reporter_decisions_too() -> None:
    closed = apply(worked_case(), AS_LEADER, CaseClosed())
    with pytest.raises(CaseAlreadyClosed):
        apply(closed, AS_REPORTER, EvidenceAdded(evidence(3)))


def test_closing_twice_is_idempotent() -> None:
    closed = apply(worked_case(), AS_LEADER, CaseClosed())
    again, events = decide(closed, AS_HR, CaseClosed(), CLOSE_AT, POLICY)
    assert again is closed
    assert events == []


MADE = PoliceOfferMade(OfferChannel.PHONE)
NO_REPORT = PoliceOfferAnswered(OfferAnswer.NO_REPORT)
REPEATABLE: list[tuple[Actor, list[Decision]]] = [
    (AS_LEADER, [RemovalDecided(RemovalOutcome.REQUESTED, "n")]),
    (AS_LEADER, [RemovalDecided(RemovalOutcome.REMOVED)]),
    (AS_LEADER, [RemovalNotPossible("anonym", "anmeldt")]),
    (AS_LEADER, [CitizenContacted("ok")]),
    (AS_LEADER, [CitizenContactNotPossible(CitizenUnreachable.ANONYMOUS, "anonym")]),
    (AS_LEADER, [MADE]),
    (AS_LEADER, [MADE, PoliceReported("1", "Lene")]),
    (AS_LEADER, [ApvMeasuresSet("m")]),
    (AS_LEADER, [ApvMeasuresSet("m"), ApvFiled("r")]),
    (AS_LEADER, [FollowUpScheduled(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 5))]),
    (AS_LEADER, [FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "n")]),
    (AS_LEADER, [NoColleaguesAffected("ingen")]),
    (AS_REPORTER, [EvidenceAdded(evidence(4))]),
    (AS_HR, [LeaderReassigned(OTHER_LEADER, None)]),
]


def test_the_employee_s_answers_twice_change_nothing() -> None:
    for answer in OfferAnswer:
        case = apply(offer(opened()), AS_REPORTER, PoliceOfferAnswered(answer))
        again, events = decide(case, AS_REPORTER, PoliceOfferAnswered(answer), at(2026, 3, 2, 11), POLICY)
        assert (again, events) == (case, [])
    declined = offer(opened(), OfferAnswer.NO_REPORT)
    drafts: tuple[list[Decision], ...] = ([InsuBizNoteDrafted("n")], [InsuBizNoteDrafted("n"), InsuBizRegistered("IB")])
    for drafted in drafts:
        case = apply(declined, AS_LEADER, *drafted)
        again, events = decide(case, AS_LEADER, drafted[-1], at(2026, 3, 2, 11), POLICY)
        assert (again, events) == (case, [])


@pytest.mark.parametrize(
    ("actor", "decisions"), REPEATABLE, ids=lambda x: "" if not isinstance(x, list) else type(x[-1]).__name__
)
def test_same_decision_twice_changes_nothing(actor: Actor, decisions: list[Decision]) -> None:
    case = apply(opened(), actor, *decisions)
    again, events = decide(case, actor, decisions[-1], at(2026, 3, 2, 11), POLICY)
    assert again is case
    assert events == []


def test_same_text_with_other_blanks_is_the_same_value() -> None:
    case = apply(opened(), AS_LEADER, CitizenContacted("ok"))
    again, events = decide(case, AS_LEADER, CitizenContacted("  ok "), OPENED, POLICY)
    assert (again, events) == (case, [])


def test_duplicate_evidence_is_idempotent_even_with_other_name() -> None:
    case = opened()
    item = evidence(0)
    same_bytes = replace(item, original_name="andet-navn.png")
    again, events = decide(case, AS_REPORTER, EvidenceAdded(same_bytes), OPENED, POLICY)
    assert (again, events) == (case, [])
