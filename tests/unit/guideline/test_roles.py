"""Who may decide what: the full matrix of decisions against every kind of actor."""

from datetime import date

import pytest

from bot.guideline import (
    Actor,
    ApvFiled,
    ApvMeasuresSet,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    Decision,
    DomainError,
    EvidenceAdded,
    EvidenceFinished,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
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
    RoleRefused,
    StepId,
    allowed_roles,
    decide,
    may_decide,
    roles_of,
)
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_MANAGER,
    AS_REPORTER,
    AS_STRANGER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    apply,
    evidence,
    opened,
)

LEADER_DECISIONS: list[Decision] = [
    RemovalDecided(RemovalOutcome.REMOVED),
    CitizenContacted("x"),
    CitizenContactNotPossible(CitizenUnreachable.UNKNOWN, "x"),
    RemovalNotPossible("x", "y"),
    PoliceOfferMade(OfferChannel.BOT),
    PoliceReported("1", "x"),
    InsuBizNoteDrafted("x"),
    InsuBizRegistered("x"),
    ApvMeasuresSet("x"),
    ApvFiled("x"),
    FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 9)),
    FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 2), "x"),
    NoColleaguesAffected("x"),
    CaseClosed(),
]
# The employee's answers, "no police report" among them, are theirs alone: never the leader's or HR's.
REPORTER_DECISIONS: list[Decision] = [
    *(PoliceOfferAnswered(answer) for answer in OfferAnswer),
    EvidenceAdded(evidence(7)),
    EvidenceFinished(1),
]
HR_DECISIONS: list[Decision] = [LeaderReassigned(OTHER_LEADER, None)]
ALL = LEADER_DECISIONS + REPORTER_DECISIONS + HR_DECISIONS

ACTORS = {
    "reporter": AS_REPORTER,
    "leader": AS_LEADER,
    "deputy": AS_DEPUTY,
    "hr": AS_HR,
    "manager": AS_MANAGER,
    "stranger": AS_STRANGER,
    "reporter_who_is_hr": Actor("u-reporter", is_hr=True),
}
PERMITTED = {
    "leader": {"reporter": False, "leader": True, "deputy": True, "hr": True},
    "reporter": {"reporter": True, "reporter_who_is_hr": True},
    "hr": {"hr": True},
}


def _kind(decision: Decision) -> str:
    if decision in REPORTER_DECISIONS:
        return "reporter"
    if decision in HR_DECISIONS:
        return "hr"
    return "leader"


@pytest.mark.parametrize("decision", ALL, ids=lambda d: type(d).__name__)
@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_role_matrix(decision: Decision, actor_name: str) -> None:
    case = opened(leader_absent=True)  # the deputy is on the case (test_deputy_privacy: when not)
    actor = ACTORS[actor_name]
    permitted = PERMITTED[_kind(decision)].get(actor_name, False)
    assert may_decide(case, actor, decision) is permitted
    if permitted:
        try:
            decide(case, actor, decision, OPENED, POLICY)
        except RoleRefused:  # pragma: no cover - the assertion below names the failure
            pytest.fail(f"{actor_name} refused {decision}")
        except DomainError:  # a transition rule may still say no; the role check passed
            pass
    else:
        with pytest.raises(RoleRefused) as err:
            decide(case, actor, decision, OPENED, POLICY)
        assert err.value.code == "role_refused"
        assert set(err.value.required) == {r.value for r in allowed_roles(decision)}


def test_refusal_comes_before_any_transition_rule() -> None:
    # InsuBiz is not applicable, but a stranger hears "role refused", not the transition.
    with pytest.raises(RoleRefused):
        decide(opened(), AS_STRANGER, InsuBizRegistered("x"), OPENED, POLICY)


def test_deputy_and_hr_act_as_themselves_in_events() -> None:
    _, events = decide(opened(leader_absent=True), AS_DEPUTY, CitizenContacted("x"), OPENED, POLICY)
    assert (events[0].actor, events[0].roles) == ("u-deputy", (Role.DEPUTY,))
    _, events = decide(opened(), AS_HR, CitizenContacted("x"), OPENED, POLICY)
    assert (events[0].actor, events[0].roles) == ("u-hr", (Role.HR,))


def test_roles_of() -> None:
    case = opened()
    assert roles_of(case, AS_REPORTER) == {Role.REPORTER}
    assert roles_of(case, AS_LEADER) == {Role.LEADER}
    assert roles_of(case, Actor("u-leader", is_hr=True)) == {Role.LEADER, Role.HR}
    assert roles_of(case, AS_MANAGER) == {Role.LEADER_MANAGER}
    assert roles_of(case, AS_STRANGER) == frozenset()


def test_leader_who_is_hr_reports_both_roles() -> None:
    _, events = decide(opened(), Actor("u-leader", is_hr=True), CitizenContacted("x"), OPENED, POLICY)
    assert events[0].roles == (Role.HR, Role.LEADER)


def test_case_without_leader_is_worked_by_hr() -> None:
    case = opened(leader=None, deputy=None)
    case = apply(case, AS_HR, RemovalNotPossible("anonym", "anmeldt"))
    assert case.step(StepId.REMOVAL).decided_by == "u-hr"
