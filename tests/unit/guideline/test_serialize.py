import json
from datetime import UTC, date, datetime

import pytest

from bot.guideline import (
    Actor,
    ApvFiled,
    ApvMeasuresSet,
    Case,
    CaseClosed,
    CaseStatus,
    CitizenContactNotPossible,
    CitizenUnreachable,
    Decision,
    EvidenceAdded,
    EvidenceFinished,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InvalidTransition,
    LeaderReassigned,
    MalformedDocument,
    MeetingKind,
    NoColleaguesAffected,
    OfferAnswer,
    OfferChannel,
    PoliceOfferAnswered,
    PoliceOfferMade,
    RemovalDecided,
    RemovalOutcome,
    StepId,
    StepStatus,
    case_from_dict,
    case_to_dict,
    decide,
    event_to_dict,
    mark_done,
    mark_sent,
    med_evaluation_from_dict,
    med_evaluation_to_dict,
    med_mark_sent,
    new_case,
    new_evaluation,
    put_on_agenda,
)
from tests.unit.guideline.builders import (
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    REPORTER,
    apply,
    at,
    evidence,
    facts,
    offer,
    opened,
    settled_outcomes,
)


def rich_case() -> Case:
    case = apply(
        opened(),
        AS_LEADER,
        RemovalDecided(RemovalOutcome.REQUESTED, "Formular udfyldt"),
        CitizenContactNotPossible(CitizenUnreachable.ANONYMOUS, "Anonym"),
        ApvMeasuresSet("Moderation"),
        FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 9)),
        NoColleaguesAffected("Ingen kolleger berørt"),
    )
    case = offer(case, OfferAnswer.NO_REPORT, answered=at(2026, 3, 2, 15))
    case = apply(case, AS_LEADER, InsuBizNoteDrafted("Notat med æøå"))
    case = apply(case, AS_REPORTER, EvidenceAdded(evidence(2)), EvidenceFinished(1))
    case = apply(case, AS_HR, LeaderReassigned(OTHER_LEADER, None))
    return mark_sent(case, "assigned:case-1:u-leader")


def test_case_round_trip_through_json() -> None:
    case = rich_case()
    data = json.loads(json.dumps(case_to_dict(case)))
    back = case_from_dict(data)
    assert back == case
    assert case_to_dict(back) == case_to_dict(case)
    assert data["steps"]["insubiz_note"]["fields"] == {"note": "Notat med æøå"}
    assert data["facts"]["occurred_at"] == "2026-03-01T21:00:00+01:00"
    assert data["schema"] == 1
    assert data["waits"] == [
        {"step": "police_offer", "started_at": "2026-03-02T10:00:00+01:00", "ended_at": "2026-03-02T15:00:00+01:00"}
    ]


def test_a_case_stored_before_waits_and_with_a_waiver_still_loads_and_shows_it() -> None:
    """Cases stored before waivers were removed: no `waits`, a WAIVED step with its reason."""
    data = json.loads(json.dumps(case_to_dict(settled_outcomes(opened()))))
    del data["waits"]
    data["steps"]["apv_plan"] = {
        "status": "waived",
        "outcome": "waived",
        "fields": {"reason": "Ingen APV i denne enhed"},
        "due_at": "2026-03-03T10:00:00+01:00",
        "decided_by": "u-leader",
        "decided_at": "2026-03-02T11:00:00+01:00",
        "first_decided_at": "2026-03-02T11:00:00+01:00",
    }
    case = case_from_dict(data)
    state = case.step(StepId.APV_PLAN)
    assert (state.status, state.outcome, state.fields["reason"]) == (
        StepStatus.WAIVED,
        "waived",
        "Ingen APV i denne enhed",
    )
    assert case.waits == () and not state.settled
    with pytest.raises(InvalidTransition) as err:
        apply(case, AS_LEADER, CaseClosed())
    assert err.value.open_steps == ("apv_plan",)
    fixed = apply(case, AS_LEADER, ApvMeasuresSet("Moderation"), ApvFiled("DEFGO-7"), CaseClosed())
    assert fixed.status is CaseStatus.CLOSED
    assert case_from_dict(case_to_dict(case)) == case  # a waiver is written back as it was read


def test_minimal_and_closed_case_round_trip() -> None:
    case, _ = new_case(
        "c",
        "n",
        REPORTER,
        None,
        None,
        None,
        facts(link=None, offender=None),
        [],
        datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    assert case_from_dict(case_to_dict(case)) == case
    case = apply(settled_outcomes(case, datetime(2026, 3, 2, 9, tzinfo=UTC), by=AS_HR), AS_HR, CaseClosed())
    assert case_from_dict(case_to_dict(case)) == case


def test_decide_works_on_a_deserialised_case() -> None:
    case = case_from_dict(json.loads(json.dumps(case_to_dict(opened()))))
    new, events = decide(case, AS_LEADER, RemovalDecided(RemovalOutcome.REMOVED), OPENED, POLICY)
    assert new.step(StepId.REMOVAL).settled and events


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("facts"),
        lambda d: d.update(schema=2),
        lambda d: d.update(status="archived"),
        lambda d: d["steps"].pop("removal"),
        lambda d: d["steps"].update(unknown=d["steps"]["removal"]),
        lambda d: d["facts"].update(occurred_at="2026-03-01T21:00:00"),
        lambda d: d["facts"].update(description="  "),
        lambda d: d["facts"].update(outside_working_hours="yes"),
        lambda d: d.update(revision=True),
        lambda d: d["evidence"][0].update(sha256="abc"),
        lambda d: d.update(reminders_sent=[1]),
        lambda d: d["steps"]["removal"].update(fields={"a": 1}),
        lambda d: d.update(reporter=None),
        lambda d: d.update(waits=[{"step": "nowhere", "started_at": "2026-03-02T10:00:00+01:00"}]),
        lambda d: d.update(waits=[{"step": "police_offer", "started_at": "2026-03-02T10:00:00"}]),
        lambda d: d.update(waits={"step": "police_offer"}),
    ],
)
def test_malformed_case_documents_are_refused(breakage) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(case_to_dict(opened())))
    breakage(data)
    with pytest.raises(MalformedDocument) as err:
        case_from_dict(data)
    assert err.value.code == "malformed_document"


def test_med_evaluation_round_trip() -> None:
    ev = new_evaluation("Borgerservice", "2026-H1")
    assert med_evaluation_from_dict(med_evaluation_to_dict(ev)) == ev
    ev = med_mark_sent(ev, at(2026, 3, 1, 9))
    ev = put_on_agenda(ev, date(2026, 3, 20), "u-med", at(2026, 3, 2))
    ev = mark_done(
        ev,
        date(2026, 3, 20),
        "https://intra.example.invalid/r",
        "u-med",
        at(2026, 3, 21),
        meeting_kind=MeetingKind.STAFF_MEETING,
        plan_reviewed=True,
    )
    data = json.loads(json.dumps(med_evaluation_to_dict(ev)))
    assert med_evaluation_from_dict(data) == ev
    data["status"] = "lost"
    with pytest.raises(MalformedDocument):
        med_evaluation_from_dict(data)


def test_every_event_becomes_a_json_audit_line() -> None:
    _, opened_events = new_case("c", "n", REPORTER, None, None, None, facts(), [], OPENED)
    case = opened()
    events = list(opened_events)
    steps: list[tuple[Actor, Decision]] = [
        (AS_LEADER, PoliceOfferMade(OfferChannel.PHONE)),
        (AS_REPORTER, PoliceOfferAnswered(OfferAnswer.NO_REPORT)),
        (AS_REPORTER, EvidenceAdded(evidence(3))),
        (AS_REPORTER, EvidenceFinished(1)),
        (AS_HR, LeaderReassigned(OTHER_LEADER, None)),
    ]
    for actor, decision in steps:
        case, new = decide(case, actor, decision, OPENED, POLICY)
        events += new
    events += decide(settled_outcomes(opened()), AS_HR, CaseClosed(), OPENED, POLICY)[1]
    lines = [json.loads(json.dumps(event_to_dict(e))) for e in events]
    assert {line["type"] for line in lines} == {
        "CaseOpened",
        "StepDecided",
        "EvidenceAttached",
        "EvidenceNoticeOwed",
        "LeaderChanged",
        "CaseClosedEvent",
    }
    for line in lines:
        assert {"case_id", "actor", "roles", "at"} <= set(line)
    step_line = next(line for line in lines if line["type"] == "StepDecided" and line["step"] == "police_report")
    assert step_line["before"]["status"] == "open"
    assert step_line["after"]["outcome"] == "declined_by_employee"
    leader_line = next(line for line in lines if line["type"] == "LeaderChanged")
    assert leader_line["before"]["leader"]["aad_object_id"] == "u-leader"
    assert leader_line["after"]["leader"]["aad_object_id"] == "u-leader2"


def test_cases_survive_deepcopy_and_pickle() -> None:
    """botbuilder's MemoryStorage deep-copies dialog state, which may hold a case."""
    import copy
    import pickle

    case = rich_case()
    assert copy.deepcopy(case) == case
    assert pickle.loads(pickle.dumps(case)) == case
    assert copy.deepcopy(case.step(StepId.INSUBIZ_NOTE)).fields == {"note": "Notat med æøå"}
