"""Every step, every outcome, every illegal transition; idempotence and events."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from bot.guideline import (
    KEEP,
    Actor,
    ApvFiled,
    ApvMeasuresSet,
    Case,
    CitizenContacted,
    CitizenContactNotPossible,
    Decision,
    EvidenceAdded,
    EvidenceAttached,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    InvalidDecision,
    InvalidTransition,
    LeaderChanged,
    LeaderReassigned,
    Leadership,
    Outcome,
    PoliceDeclinedByEmployee,
    PoliceOfferAnswered,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    Role,
    RoleRefused,
    StepDecided,
    StepId,
    StepStatus,
    StepWaived,
    decide,
)
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    DEPUTY,
    LEADER,
    MANAGER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    REPORTER,
    apply,
    at,
    evidence,
    opened,
)

LATER = at(2026, 3, 4, 11)  # Wednesday


def leader(case: Case, *decisions: Decision, now: datetime = OPENED) -> Case:
    return apply(case, AS_LEADER, *decisions, now=now)


# ---- REMOVAL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (RemovalOutcome.REMOVED, StepStatus.DONE),
        (RemovalOutcome.REQUESTED, StepStatus.IN_PROGRESS),
        (RemovalOutcome.NOT_POSSIBLE, StepStatus.DONE),
    ],
)
def test_removal_outcomes(outcome: RemovalOutcome, status: StepStatus) -> None:
    case = opened()
    new, events = decide(case, AS_LEADER, RemovalDecided(outcome, " anmodet via formular "), LATER, POLICY)
    state = new.step(StepId.REMOVAL)
    assert (state.status, state.outcome, dict(state.fields)) == (
        status,
        outcome.value,
        {"note": "anmodet via formular"},
    )
    assert (state.decided_by, state.decided_at, state.first_decided_at) == ("u-leader", LATER, LATER)
    assert state.due_at == case.step(StepId.REMOVAL).due_at
    assert new.revision == case.revision + 1
    assert events == [
        StepDecided(
            case_id=case.id,
            step=StepId.REMOVAL,
            before=case.step(StepId.REMOVAL),
            after=state,
            actor="u-leader",
            roles=(Role.LEADER,),
            at=LATER,
            decision="RemovalDecided",
        )
    ]


def test_removal_requested_then_removed_keeps_first_decision_time() -> None:
    case = leader(opened(), RemovalDecided(RemovalOutcome.REQUESTED))
    case = apply(case, AS_DEPUTY, RemovalDecided(RemovalOutcome.REMOVED), now=LATER)
    state = case.step(StepId.REMOVAL)
    assert (state.status, state.decided_by, state.decided_at, state.first_decided_at) == (
        StepStatus.DONE,
        "u-deputy",
        LATER,
        OPENED,
    )
    assert dict(state.fields) == {}


def test_removal_not_possible_may_later_become_removed() -> None:
    case = leader(opened(), RemovalDecided(RemovalOutcome.NOT_POSSIBLE, "anonym"))
    case = leader(case, RemovalDecided(RemovalOutcome.REQUESTED))
    case = leader(case, RemovalDecided(RemovalOutcome.REMOVED))
    assert case.step(StepId.REMOVAL).outcome == Outcome.REMOVED


@pytest.mark.parametrize("outcome", [RemovalOutcome.REQUESTED, RemovalOutcome.NOT_POSSIBLE])
def test_removed_is_final(outcome: RemovalOutcome) -> None:
    case = leader(opened(), RemovalDecided(RemovalOutcome.REMOVED))
    with pytest.raises(InvalidTransition) as err:
        leader(case, RemovalDecided(outcome))
    assert err.value.code == "removal_final"


# ---- CITIZEN_CONTACT -----------------------------------------------------------------------


def test_citizen_contacted_and_not_possible() -> None:
    contacted = leader(opened(), CitizenContacted("Ringet og henvist til Digital Post"))
    state = contacted.step(StepId.CITIZEN_CONTACT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "contacted",
        {"note": "Ringet og henvist til Digital Post"},
    )
    impossible = leader(opened(), CitizenContactNotPossible("Anonym afsender"))
    state = impossible.step(StepId.CITIZEN_CONTACT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "contact_not_possible",
        {"reason": "Anonym afsender"},
    )
    later = leader(impossible, CitizenContacted("Afsender fundet og kontaktet"))
    assert later.step(StepId.CITIZEN_CONTACT).outcome == "contacted"


def test_contacted_cannot_become_not_possible() -> None:
    case = leader(opened(), CitizenContacted("ok"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, CitizenContactNotPossible("nej"))
    assert err.value.code == "citizen_already_contacted"


# ---- POLICE_REPORT / POLICE_OFFER / INSUBIZ_NOTE -------------------------------------------


def test_police_reported() -> None:
    case = opened()
    new, events = decide(case, AS_LEADER, PoliceReported(" 0100-12345-00001-26 "), LATER, POLICY)
    state = new.step(StepId.POLICE_REPORT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "reported",
        {"journal_number": "0100-12345-00001-26"},
    )
    assert new.step(StepId.INSUBIZ_NOTE) == case.step(StepId.INSUBIZ_NOTE)
    assert [e.step for e in events if isinstance(e, StepDecided)] == [StepId.POLICE_REPORT]


def test_journal_number_may_be_corrected() -> None:
    case = leader(opened(), PoliceReported("111"))
    new, events = decide(case, AS_LEADER, PoliceReported("112"), LATER, POLICY)
    assert new.step(StepId.POLICE_REPORT).fields["journal_number"] == "112"
    assert isinstance(events[0], StepDecided)
    assert events[0].before.fields["journal_number"] == "111"


def test_decline_opens_insubiz_with_fresh_deadline_and_drops_open_offer() -> None:
    case = opened()
    friday = at(2026, 3, 6, 15)
    new, events = decide(case, AS_LEADER, PoliceDeclinedByEmployee(), friday, POLICY)
    police = new.step(StepId.POLICE_REPORT)
    insubiz = new.step(StepId.INSUBIZ_NOTE)
    offer = new.step(StepId.POLICE_OFFER)
    assert (police.status, police.outcome) == (StepStatus.DONE, "declined_by_employee")
    assert (insubiz.status, insubiz.due_at, insubiz.decided_by) == (StepStatus.OPEN, at(2026, 3, 9, 15), None)
    assert (offer.status, offer.due_at) == (StepStatus.NOT_APPLICABLE, None)
    assert [e.step for e in events if isinstance(e, StepDecided)] == [
        StepId.POLICE_REPORT,
        StepId.POLICE_OFFER,
        StepId.INSUBIZ_NOTE,
    ]
    assert all(isinstance(e, StepDecided) and e.decision == "PoliceDeclinedByEmployee" for e in events)
    assert all(e.actor == "u-leader" for e in events)


def test_decline_keeps_an_answered_offer() -> None:
    case = apply(opened(), AS_REPORTER, PoliceOfferAnswered(False))
    case = leader(case, PoliceDeclinedByEmployee())
    assert case.step(StepId.POLICE_OFFER).outcome == "declined_to_join"


def test_cannot_decline_after_reporting() -> None:
    case = leader(opened(), PoliceReported("123"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, PoliceDeclinedByEmployee())
    assert err.value.code == "police_already_reported"


def test_reporting_after_decline_makes_insubiz_not_applicable_and_reopens_offer() -> None:
    case = leader(opened(), PoliceDeclinedByEmployee(), InsuBizNoteDrafted("udkast"))
    new = leader(case, PoliceReported("123"), now=LATER)
    insubiz = new.step(StepId.INSUBIZ_NOTE)
    assert (insubiz.status, insubiz.due_at, dict(insubiz.fields)) == (StepStatus.NOT_APPLICABLE, None, {})
    offer = new.step(StepId.POLICE_OFFER)
    assert (offer.status, offer.due_at) == (StepStatus.OPEN, at(2026, 3, 5, 11))


def test_reporting_after_insubiz_registered_keeps_the_registration() -> None:
    case = leader(
        opened(), PoliceDeclinedByEmployee(), InsuBizNoteDrafted("udkast"), InsuBizRegistered("IB-7")
    )
    new = leader(case, PoliceReported("123"))
    assert new.step(StepId.INSUBIZ_NOTE) == case.step(StepId.INSUBIZ_NOTE)
    assert new.step(StepId.POLICE_REPORT).outcome == "reported"
    with pytest.raises(InvalidTransition):
        leader(new, PoliceDeclinedByEmployee())


@pytest.mark.parametrize(("wants", "outcome"), [(True, "wants_to_join"), (False, "declined_to_join")])
def test_reporter_answers_police_offer(wants: bool, outcome: str) -> None:
    case = opened()
    new, events = decide(case, AS_REPORTER, PoliceOfferAnswered(wants), LATER, POLICY)
    state = new.step(StepId.POLICE_OFFER)
    assert (state.status, state.outcome, state.decided_by) == (StepStatus.DONE, outcome, "u-reporter")
    assert isinstance(events[0], StepDecided)
    assert events[0].roles == (Role.REPORTER,)


def test_offer_answer_may_change_until_reported_then_frozen() -> None:
    case = apply(opened(), AS_REPORTER, PoliceOfferAnswered(False), PoliceOfferAnswered(True))
    assert case.step(StepId.POLICE_OFFER).outcome == "wants_to_join"
    case = leader(case, PoliceReported("123"))
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_REPORTER, PoliceOfferAnswered(False))
    assert err.value.code == "police_already_reported"
    assert apply(case, AS_REPORTER, PoliceOfferAnswered(True)) == case


def test_offer_not_applicable_after_decline() -> None:
    case = leader(opened(), PoliceDeclinedByEmployee())
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_REPORTER, PoliceOfferAnswered(True))
    assert err.value.code == "step_not_applicable"


def test_insubiz_draft_then_register() -> None:
    case = leader(opened(), PoliceDeclinedByEmployee(), InsuBizNoteDrafted("  Notat  "))
    drafted = case.step(StepId.INSUBIZ_NOTE)
    assert (drafted.status, drafted.outcome, dict(drafted.fields)) == (
        StepStatus.IN_PROGRESS,
        "drafted",
        {"note": "Notat"},
    )
    case = leader(case, InsuBizNoteDrafted("Notat v2"))
    case = leader(case, InsuBizRegistered("IB-2026-17"))
    done = case.step(StepId.INSUBIZ_NOTE)
    assert (done.status, done.outcome, dict(done.fields)) == (
        StepStatus.DONE,
        "registered",
        {"note": "Notat v2", "reference": "IB-2026-17"},
    )
    corrected = leader(case, InsuBizRegistered("IB-2026-18"))
    assert corrected.step(StepId.INSUBIZ_NOTE).fields["reference"] == "IB-2026-18"


@pytest.mark.parametrize("decision", [InsuBizNoteDrafted("x"), InsuBizRegistered("IB-1")])
def test_insubiz_refused_while_not_applicable(decision: Decision) -> None:
    for case in (opened(), leader(opened(), PoliceReported("123"))):
        with pytest.raises(InvalidTransition) as err:
            leader(case, decision)
        assert err.value.code == "step_not_applicable"


def test_insubiz_register_needs_a_draft() -> None:
    case = leader(opened(), PoliceDeclinedByEmployee())
    with pytest.raises(InvalidTransition) as err:
        leader(case, InsuBizRegistered("IB-1"))
    assert err.value.code == "insubiz_not_drafted"


def test_insubiz_cannot_be_redrafted_after_registration() -> None:
    case = leader(opened(), PoliceDeclinedByEmployee(), InsuBizNoteDrafted("a"), InsuBizRegistered("IB-1"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, InsuBizNoteDrafted("b"))
    assert err.value.code == "insubiz_registered"


def test_waived_insubiz_with_draft_can_still_be_registered() -> None:
    case = leader(
        opened(), PoliceDeclinedByEmployee(), InsuBizNoteDrafted("a"), StepWaived(StepId.INSUBIZ_NOTE, "x")
    )
    case = leader(case, InsuBizRegistered("IB-1"))
    assert dict(case.step(StepId.INSUBIZ_NOTE).fields) == {"note": "a", "reference": "IB-1"}


# ---- APV_PLAN ------------------------------------------------------------------------------


def test_apv_measures_then_filed() -> None:
    case = leader(opened(), ApvMeasuresSet("Moderation af kommentarer"))
    state = case.step(StepId.APV_PLAN)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.IN_PROGRESS,
        "measures_set",
        {"measures": "Moderation af kommentarer"},
    )
    case = leader(case, ApvMeasuresSet("Moderation og ny politik"), ApvFiled("DEFGO 2026/44"))
    state = case.step(StepId.APV_PLAN)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "filed",
        {"measures": "Moderation og ny politik", "reference": "DEFGO 2026/44"},
    )
    assert (
        leader(case, ApvFiled("DEFGO 2026/45")).step(StepId.APV_PLAN).fields["reference"] == "DEFGO 2026/45"
    )


def test_apv_filed_needs_measures() -> None:
    with pytest.raises(InvalidTransition) as err:
        leader(opened(), ApvFiled("DEFGO 1"))
    assert err.value.code == "apv_no_measures"


def test_apv_measures_frozen_after_filing() -> None:
    case = leader(opened(), ApvMeasuresSet("m"), ApvFiled("r"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, ApvMeasuresSet("ny"))
    assert err.value.code == "apv_filed"


# ---- FOLLOW-UPS ----------------------------------------------------------------------------


@pytest.mark.parametrize("step", [StepId.FOLLOWUP_EMPLOYEE, StepId.FOLLOWUP_COLLEAGUES])
def test_followup_schedule_then_done(step: StepId) -> None:
    case = leader(opened(), FollowUpScheduled(step, date(2026, 3, 16)))
    state = case.step(step)
    assert (state.status, state.outcome, state.due_at, dict(state.fields)) == (
        StepStatus.IN_PROGRESS,
        "scheduled",
        at(2026, 3, 16, 8),
        {"followup_date": "2026-03-16"},
    )
    case = leader(case, FollowUpScheduled(step, date(2026, 3, 17)))
    assert case.step(step).due_at == at(2026, 3, 17, 8)
    case = leader(case, FollowUpDone(step, date(2026, 3, 17), "Samtale holdt"), now=at(2026, 3, 17, 14))
    state = case.step(step)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "done",
        {"followup_date": "2026-03-17", "done_date": "2026-03-17", "note": "Samtale holdt"},
    )


def test_followup_done_without_schedule() -> None:
    case = leader(opened(), FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "Personalemøde"))
    assert dict(case.step(StepId.FOLLOWUP_COLLEAGUES).fields) == {
        "done_date": "2026-03-02",
        "note": "Personalemøde",
    }


def test_followup_date_rules() -> None:
    case = opened()
    with pytest.raises(InvalidDecision) as err:
        leader(case, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 1)))
    assert (err.value.field, err.value.code) == ("date", "in_past")
    leader(case, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 2)))  # today is fine
    with pytest.raises(InvalidDecision) as err:
        leader(case, FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 3), "x"))
    assert err.value.code == "in_future"
    with pytest.raises(InvalidDecision) as err:
        leader(case, FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 1), "x"))
    assert err.value.code == "before_case"


def test_done_followup_cannot_be_rescheduled() -> None:
    case = leader(opened(), FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 2), "x"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 20)))
    assert err.value.code == "followup_done"


def test_followup_decisions_need_a_followup_step() -> None:
    with pytest.raises(InvalidDecision) as err:
        FollowUpScheduled(StepId.REMOVAL, date(2026, 3, 3))
    assert err.value.code == "not_followup_step"
    with pytest.raises(InvalidDecision):
        FollowUpDone(StepId.APV_PLAN, date(2026, 3, 3), "x")
    with pytest.raises(InvalidDecision):
        FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, OPENED)


# ---- WAIVER --------------------------------------------------------------------------------


def test_waive_and_then_decide_replaces_waiver() -> None:
    case = leader(opened(), StepWaived(StepId.CITIZEN_CONTACT, "  Ingen kendt afsender "))
    state = case.step(StepId.CITIZEN_CONTACT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.WAIVED,
        "waived",
        {"reason": "Ingen kendt afsender"},
    )
    case = leader(case, CitizenContacted("fundet"))
    assert dict(case.step(StepId.CITIZEN_CONTACT).fields) == {"note": "fundet"}


def test_cannot_waive_done_or_not_applicable_steps() -> None:
    case = leader(opened(), PoliceReported("1"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, StepWaived(StepId.POLICE_REPORT, "x"))
    assert err.value.code == "step_done"
    with pytest.raises(InvalidTransition) as err:
        leader(case, StepWaived(StepId.INSUBIZ_NOTE, "x"))
    assert err.value.code == "step_not_applicable"


# ---- LEADER AND EVIDENCE -------------------------------------------------------------------


def test_hr_reassigns_leader() -> None:
    case = opened()
    new, events = decide(case, AS_HR, LeaderReassigned(OTHER_LEADER, None), LATER, POLICY)
    assert (new.leader, new.deputy, new.leader_manager) == (OTHER_LEADER, None, MANAGER)
    assert events == [
        LeaderChanged(
            case_id=case.id,
            before=Leadership(LEADER, DEPUTY, MANAGER),
            after=Leadership(OTHER_LEADER, None, MANAGER),
            actor="u-hr",
            roles=(Role.HR,),
            at=LATER,
        )
    ]
    cleared = apply(new, AS_HR, LeaderReassigned(OTHER_LEADER, None, None))
    assert cleared.leader_manager is None
    # The old leader lost the case; the new one has it.
    with pytest.raises(RoleRefused):
        leader(new, CitizenContacted("x"))
    assert apply(new, Actor("u-leader2"), CitizenContacted("x")).step(StepId.CITIZEN_CONTACT).settled


@pytest.mark.parametrize(
    ("decision", "code"),
    [
        (LeaderReassigned(REPORTER, None), "leader_is_reporter"),
        (LeaderReassigned(OTHER_LEADER, REPORTER), "deputy_is_reporter"),
    ],
)
def test_reassignment_refuses_the_reporter(decision: LeaderReassigned, code: str) -> None:
    with pytest.raises(InvalidDecision) as err:
        apply(opened(), AS_HR, decision)
    assert err.value.code == code


def test_reassignment_refuses_deputy_equal_to_leader() -> None:
    with pytest.raises(InvalidDecision) as err:
        LeaderReassigned(OTHER_LEADER, OTHER_LEADER)
    assert err.value.code == "deputy_is_leader"
    assert LeaderReassigned(OTHER_LEADER, None).new_leader_manager is KEEP


def test_reporter_adds_evidence() -> None:
    case = opened()
    item = evidence(5, when=LATER)
    new, events = decide(case, AS_REPORTER, EvidenceAdded(item), LATER, POLICY)
    assert new.evidence == (*case.evidence, item)
    assert events == [
        EvidenceAttached(
            case_id=case.id,
            item=item,
            actor="u-reporter",
            roles=(Role.REPORTER,),
            at=LATER,
            count_before=1,
            count_after=2,
        )
    ]


def test_evidence_rules() -> None:
    case = opened()
    with pytest.raises(InvalidDecision) as err:
        apply(case, AS_REPORTER, EvidenceAdded(evidence(5, by="u-leader")))
    assert err.value.code == "not_uploader"
    full = replace(case, evidence=tuple(evidence(i) for i in range(POLICY.max_evidence_items)))
    with pytest.raises(InvalidDecision) as err:
        apply(full, AS_REPORTER, EvidenceAdded(evidence(99)))
    assert err.value.code == "too_many"
    with pytest.raises(InvalidDecision):
        EvidenceAdded("not an item")  # type: ignore[arg-type]
