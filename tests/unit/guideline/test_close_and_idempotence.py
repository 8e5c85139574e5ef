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
    Decision,
    EvidenceAdded,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    InvalidTransition,
    LeaderReassigned,
    PoliceDeclinedByEmployee,
    PoliceOfferAnswered,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    Role,
    StepId,
    StepWaived,
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
    opened,
)

CLOSE_AT = at(2026, 3, 20, 12)


def worked_case() -> Case:
    case = apply(
        opened(),
        AS_LEADER,
        RemovalDecided(RemovalOutcome.REMOVED),
        CitizenContacted("ok"),
        PoliceReported("0100-1"),
        ApvMeasuresSet("m"),
        ApvFiled("DEFGO 1"),
        FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 2), "ok"),
        FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "ok"),
    )
    return apply(case, AS_REPORTER, PoliceOfferAnswered(True))


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


def test_waived_steps_allow_closing_and_declined_path_needs_insubiz() -> None:
    case = apply(
        opened(),
        AS_LEADER,
        *(
            StepWaived(step, "begrundelse")
            for step in (StepId.REMOVAL, StepId.CITIZEN_CONTACT, StepId.APV_PLAN)
        ),
        StepWaived(StepId.FOLLOWUP_EMPLOYEE, "b"),
        StepWaived(StepId.FOLLOWUP_COLLEAGUES, "b"),
        PoliceDeclinedByEmployee(),
    )
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_LEADER, CaseClosed())
    assert err.value.open_steps == ("insubiz_note",)
    case = apply(case, AS_LEADER, InsuBizNoteDrafted("notat"), InsuBizRegistered("IB-1"), CaseClosed())
    assert case.status is CaseStatus.CLOSED


ON_CLOSED: list[Decision] = [
    RemovalDecided(RemovalOutcome.REMOVED),
    CitizenContacted("ok"),
    StepWaived(StepId.REMOVAL, "x"),
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


REPEATABLE: list[tuple[Actor, list[Decision]]] = [
    (AS_LEADER, [RemovalDecided(RemovalOutcome.REQUESTED, "n")]),
    (AS_LEADER, [RemovalDecided(RemovalOutcome.REMOVED)]),
    (AS_LEADER, [CitizenContacted("ok")]),
    (AS_LEADER, [CitizenContactNotPossible("anonym")]),
    (AS_LEADER, [PoliceReported("1")]),
    (AS_LEADER, [PoliceDeclinedByEmployee()]),
    (AS_LEADER, [PoliceDeclinedByEmployee(), InsuBizNoteDrafted("n")]),
    (AS_LEADER, [PoliceDeclinedByEmployee(), InsuBizNoteDrafted("n"), InsuBizRegistered("IB")]),
    (AS_LEADER, [ApvMeasuresSet("m")]),
    (AS_LEADER, [ApvMeasuresSet("m"), ApvFiled("r")]),
    (AS_LEADER, [FollowUpScheduled(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 5))]),
    (AS_LEADER, [FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "n")]),
    (AS_LEADER, [StepWaived(StepId.APV_PLAN, "r")]),
    (AS_REPORTER, [PoliceOfferAnswered(False)]),
    (AS_REPORTER, [EvidenceAdded(evidence(4))]),
    (AS_HR, [LeaderReassigned(OTHER_LEADER, None)]),
]


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
