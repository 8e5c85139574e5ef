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
    CitizenUnreachable,
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
    NoColleaguesAffected,
    OfferAnswer,
    Outcome,
    PoliceOfferAnswered,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalOutcome,
    Role,
    RoleRefused,
    StepDecided,
    StepId,
    StepStatus,
    decide,
)
from bot.guideline.model import SETTLED
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
    offer,
    opened,
    waived,
)

LATER = at(2026, 3, 4, 11)  # Wednesday


def leader(case: Case, *decisions: Decision, now: datetime = OPENED) -> Case:
    return apply(case, AS_LEADER, *decisions, now=now)


# ---- REMOVAL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(RemovalOutcome.REMOVED, StepStatus.DONE), (RemovalOutcome.REQUESTED, StepStatus.IN_PROGRESS)],
)
def test_removal_removed_or_requested(outcome: RemovalOutcome, status: StepStatus) -> None:
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
    assert state.settled is (outcome is RemovalOutcome.REMOVED)  # a request is progress, not an outcome


def test_removal_not_possible_needs_why_and_what_was_tried() -> None:
    case = leader(opened(), RemovalNotPossible(" Anonym profil uden for EU ", "Anmeldt til Facebook to gange"))
    state = case.step(StepId.REMOVAL)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "not_possible",
        {"why": "Anonym profil uden for EU", "tried": "Anmeldt til Facebook to gange"},
    )
    for why, tried, missing in (("", "x", "why"), ("x", " ", "tried")):
        with pytest.raises(InvalidDecision) as err:
            RemovalNotPossible(why, tried)
        assert (err.value.field, err.value.code) == (missing, "empty")


def test_removal_requested_then_removed_keeps_first_decision_time() -> None:
    case = leader(opened(leader_absent=True), RemovalDecided(RemovalOutcome.REQUESTED))  # the deputy is on it
    case = apply(case, AS_DEPUTY, RemovalDecided(RemovalOutcome.REMOVED), now=LATER)
    state = case.step(StepId.REMOVAL)
    assert (state.status, state.decided_by, state.decided_at, state.first_decided_at) == (
        StepStatus.DONE,
        "u-deputy",
        LATER,
        OPENED,
    )
    assert dict(state.fields) == {}


def test_removal_not_possible_may_later_become_removed_but_not_again_not_possible() -> None:
    case = leader(opened(), RemovalNotPossible("anonym", "anmeldt"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, RemovalNotPossible("anonym", "anmeldt igen"))
    assert err.value.code == "removal_decided"
    assert leader(case, RemovalNotPossible("anonym", "anmeldt")) == case  # a repeat is no error
    case = leader(case, RemovalDecided(RemovalOutcome.REQUESTED))
    case = leader(case, RemovalDecided(RemovalOutcome.REMOVED))
    assert case.step(StepId.REMOVAL).outcome == Outcome.REMOVED


@pytest.mark.parametrize(
    "decision",
    [
        RemovalDecided(RemovalOutcome.REQUESTED),
        RemovalNotPossible("a", "b"),
        RemovalDecided(RemovalOutcome.REMOVED, "ny note"),
    ],
)
def test_removed_is_final(decision: Decision) -> None:
    case = leader(opened(), RemovalDecided(RemovalOutcome.REMOVED))
    with pytest.raises(InvalidTransition) as err:
        leader(case, decision)
    assert err.value.code == "removal_final"


# ---- CITIZEN_CONTACT -----------------------------------------------------------------------


def test_citizen_contacted_with_the_channel_given() -> None:
    contacted = leader(opened(), CitizenContacted(" Henvendelser via Borgerservice' hovedpostkasse "))
    state = contacted.step(StepId.CITIZEN_CONTACT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "contacted",
        {"channel": "Henvendelser via Borgerservice' hovedpostkasse"},
    )
    with pytest.raises(InvalidDecision) as err:
        CitizenContacted("  ")
    assert err.value.field == "channel"


@pytest.mark.parametrize("cause", list(CitizenUnreachable))
def test_citizen_contact_not_possible_when_sender_unknown_or_anonymous(cause: CitizenUnreachable) -> None:
    impossible = leader(opened(), CitizenContactNotPossible(cause, "Profilen er slettet"))
    state = impossible.step(StepId.CITIZEN_CONTACT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "contact_not_possible",
        {"cause": cause.value, "reason": "Profilen er slettet"},
    )
    later = leader(impossible, CitizenContacted("Afsender fundet og henvist til Borgerservice"))
    assert later.step(StepId.CITIZEN_CONTACT).outcome == "contacted"
    with pytest.raises(InvalidDecision):
        CitizenContactNotPossible("anonymous", "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidDecision):
        CitizenContactNotPossible(cause, "")


def test_contacted_is_final() -> None:
    case = leader(opened(), CitizenContacted("ok"))
    for decision in (CitizenContactNotPossible(CitizenUnreachable.ANONYMOUS, "nej"), CitizenContacted("andet")):
        with pytest.raises(InvalidTransition) as err:
            leader(case, decision)
        assert err.value.code == "citizen_already_contacted"


# ---- POLICE_REPORT / INSUBIZ_NOTE (the offer's order: test_police_offer.py) ----------------


def test_police_reported_with_journal_number_and_who_filed_it() -> None:
    case = offer(opened())
    new, events = decide(case, AS_LEADER, PoliceReported(" 0100-12345-00001-26 ", " Lene Leder "), LATER, POLICY)
    state = new.step(StepId.POLICE_REPORT)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "reported",
        {"journal_number": "0100-12345-00001-26", "filed_by": "Lene Leder"},
    )
    assert new.step(StepId.INSUBIZ_NOTE) == case.step(StepId.INSUBIZ_NOTE)
    assert StepId.POLICE_REPORT in [e.step for e in events if isinstance(e, StepDecided)]
    for number, filed_by, field in (("abc", "x", "journal_number"), ("1", "", "filed_by")):
        with pytest.raises(InvalidDecision) as err:
            PoliceReported(number, filed_by)
        assert err.value.field == field


def test_police_report_is_final() -> None:
    case = leader(offer(opened()), PoliceReported("111", "Lene"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, PoliceReported("112", "Lene"))
    assert err.value.code == "police_decided"
    assert leader(case, PoliceReported("111", "Lene")) == case


def test_nobody_but_the_employee_can_decline_the_police_report() -> None:
    """The only way to the outcome "does not want a report" is the employee's own answer."""
    from bot.guideline.case import _RULES

    ways = [kind for kind, (roles, _) in _RULES.items() if kind is PoliceOfferAnswered]
    assert ways and all(_RULES[k][0] == frozenset({Role.REPORTER}) for k in ways)
    case = offer(opened())
    for actor in (AS_LEADER, AS_DEPUTY, AS_HR):
        with pytest.raises(RoleRefused):
            apply(case, actor, PoliceOfferAnswered(OfferAnswer.NO_REPORT))


def test_insubiz_draft_then_register() -> None:
    case = leader(offer(opened(), OfferAnswer.NO_REPORT), InsuBizNoteDrafted("  Notat  "))
    drafted = case.step(StepId.INSUBIZ_NOTE)
    assert (drafted.status, drafted.outcome, dict(drafted.fields)) == (
        StepStatus.IN_PROGRESS,
        "drafted",
        {"note": "Notat"},
    )
    assert not drafted.settled
    case = leader(case, InsuBizNoteDrafted("Notat v2"))
    case = leader(case, InsuBizRegistered("IB-2026-17"))
    done = case.step(StepId.INSUBIZ_NOTE)
    assert (done.status, done.outcome, dict(done.fields)) == (
        StepStatus.DONE,
        "registered",
        {"note": "Notat v2", "reference": "IB-2026-17"},
    )
    with pytest.raises(InvalidTransition) as err:
        leader(case, InsuBizRegistered("IB-2026-18"))
    assert err.value.code == "insubiz_registered"


@pytest.mark.parametrize("decision", [InsuBizNoteDrafted("x"), InsuBizRegistered("IB-1")])
def test_insubiz_refused_while_not_applicable(decision: Decision) -> None:
    reported = leader(offer(opened()), PoliceReported("123", "Lene"))
    for case in (opened(), offer(opened(), OfferAnswer.FILE_WITHOUT_ME), reported):
        with pytest.raises(InvalidTransition) as err:
            leader(case, decision)
        assert err.value.code == "step_not_applicable"


def test_insubiz_register_needs_a_draft() -> None:
    case = offer(opened(), OfferAnswer.NO_REPORT)
    with pytest.raises(InvalidTransition) as err:
        leader(case, InsuBizRegistered("IB-1"))
    assert err.value.code == "insubiz_not_drafted"


def test_insubiz_cannot_be_redrafted_after_registration() -> None:
    case = leader(offer(opened(), OfferAnswer.NO_REPORT), InsuBizNoteDrafted("a"), InsuBizRegistered("IB-1"))
    with pytest.raises(InvalidTransition) as err:
        leader(case, InsuBizNoteDrafted("b"))
    assert err.value.code == "insubiz_registered"


# ---- APV_PLAN ------------------------------------------------------------------------------


def test_apv_measures_then_filed() -> None:
    case = leader(opened(), ApvMeasuresSet("Moderation af kommentarer"))
    state = case.step(StepId.APV_PLAN)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.IN_PROGRESS,
        "measures_set",
        {"measures": "Moderation af kommentarer"},
    )
    assert not state.settled
    case = leader(case, ApvMeasuresSet("Moderation og ny politik"), ApvFiled("DEFGO 2026/44"))
    state = case.step(StepId.APV_PLAN)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "filed",
        {"measures": "Moderation og ny politik", "reference": "DEFGO 2026/44"},
    )
    with pytest.raises(InvalidTransition) as err:
        leader(case, ApvFiled("DEFGO 2026/45"))
    assert err.value.code == "apv_filed"


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
    assert not state.settled
    case = leader(case, FollowUpScheduled(step, date(2026, 3, 17)))
    assert case.step(step).due_at == at(2026, 3, 17, 8)
    case = leader(case, FollowUpDone(step, date(2026, 3, 17), "Samtale holdt"), now=at(2026, 3, 17, 14))
    state = case.step(step)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "done",
        {"followup_date": "2026-03-17", "done_date": "2026-03-17", "note": "Samtale holdt"},
    )
    with pytest.raises(InvalidTransition) as err:
        leader(case, FollowUpDone(step, date(2026, 3, 17), "igen"), now=at(2026, 3, 17, 14))
    assert err.value.code == "followup_done"


def test_followup_done_without_schedule() -> None:
    case = leader(opened(), FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "Personalemøde"))
    assert dict(case.step(StepId.FOLLOWUP_COLLEAGUES).fields) == {
        "done_date": "2026-03-02",
        "note": "Personalemøde",
    }


def test_no_colleagues_affected_settles_the_colleagues_followup_with_why() -> None:
    case = leader(opened(), NoColleaguesAffected(" Beskeden nævnte kun medarbejderen "))
    state = case.step(StepId.FOLLOWUP_COLLEAGUES)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        "no_colleagues_affected",
        {"reason": "Beskeden nævnte kun medarbejderen"},
    )
    assert state.settled
    with pytest.raises(InvalidDecision):
        NoColleaguesAffected("")
    # Colleagues found affected after all: a real follow-up may still be done, and then it is final.
    case = leader(case, FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 2), "Personalemøde"))
    assert case.step(StepId.FOLLOWUP_COLLEAGUES).outcome == "done"
    with pytest.raises(InvalidTransition):
        leader(case, NoColleaguesAffected("alligevel ikke"))


def test_the_employee_followup_has_no_no_colleagues_outcome() -> None:
    case = leader(opened(), NoColleaguesAffected("x"))
    assert case.step(StepId.FOLLOWUP_EMPLOYEE).status is StepStatus.OPEN


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


# ---- NO WAIVER: a waived step in a stored case is undecided ---------------------------------


def test_the_domain_has_no_waiver() -> None:
    import bot.guideline as guideline
    from bot.guideline import decisions

    assert not hasattr(guideline, "StepWaived") and not hasattr(decisions, "StepWaived")
    assert StepStatus.WAIVED not in SETTLED


@pytest.mark.parametrize(
    ("step", "decision", "outcome"),
    [
        (StepId.CITIZEN_CONTACT, CitizenContacted("fundet"), "contacted"),
        (StepId.REMOVAL, RemovalNotPossible("anonym", "anmeldt"), "not_possible"),
        (StepId.APV_PLAN, ApvMeasuresSet("m"), "measures_set"),
    ],
)
def test_a_stored_waiver_gets_a_real_outcome(step: StepId, decision: Decision, outcome: str) -> None:
    case = waived(opened(), step)
    assert not case.step(step).settled
    new = leader(case, decision)
    assert (new.step(step).outcome, "reason" in new.step(step).fields) == (outcome, False)


def test_a_stored_waived_offer_is_still_made_and_a_waived_insubiz_with_draft_registered() -> None:
    case = waived(opened(), StepId.POLICE_OFFER)
    with pytest.raises(InvalidTransition) as err:
        leader(case, PoliceReported("1", "Lene"))
    assert err.value.code == "police_offer_first"
    assert offer(case).step(StepId.POLICE_OFFER).outcome == "offered"
    declined = leader(offer(opened(), OfferAnswer.NO_REPORT), InsuBizNoteDrafted("a"))
    case = waived(declined, StepId.INSUBIZ_NOTE)
    case = leader(case, InsuBizRegistered("IB-1"))
    assert dict(case.step(StepId.INSUBIZ_NOTE).fields) == {"note": "a", "reference": "IB-1"}


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
