"""'Saved on the case' (where the evidence lies in the municipality's case system) and the re-check
of a takedown request: who may record them, what they change, and when the leader is asked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.guideline import (
    Actor,
    CaseClosed,
    DeadlinePolicy,
    DueKind,
    InvalidDecision,
    InvalidTransition,
    Outcome,
    RemovalDecided,
    RemovalOutcome,
    RemovalStillThere,
    Role,
    RoleRefused,
    SavedOnCase,
    StepId,
    StepState,
    StepStatus,
    decide,
    due_items,
    mark_sent,
)
from bot.guideline.serialize import case_from_dict, case_to_dict
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    AS_STRANGER,
    OPENED,
    POLICY,
    apply,
    at,
    opened,
    settled_outcomes,
)


@pytest.mark.parametrize("actor", [AS_LEADER, AS_DEPUTY, AS_HR, AS_REPORTER], ids=lambda a: a.aad_object_id)
def test_the_leaders_and_the_employee_record_where_it_was_saved(actor: Actor) -> None:
    # opened(leader_absent=True): the deputy is on the case
    case, events = decide(opened(leader_absent=True), actor, SavedOnCase("  SAG-2026-0815 "), OPENED, POLICY)
    state = case.step(StepId.SAVED_ON_CASE)
    assert (state.status, state.outcome, dict(state.fields)) == (
        StepStatus.DONE,
        Outcome.SAVED,
        {"reference": "SAG-2026-0815"},
    )
    assert state.decided_by == actor.aad_object_id
    assert [e.step for e in events if hasattr(e, "step")] == [StepId.SAVED_ON_CASE]


def test_someone_else_may_not_and_an_empty_number_is_refused() -> None:
    with pytest.raises(RoleRefused):
        decide(opened(), AS_STRANGER, SavedOnCase("SAG-1"), OPENED, POLICY)
    with pytest.raises(InvalidDecision) as err:
        SavedOnCase("   ")
    assert err.value.field == "reference"


def test_a_number_may_be_corrected_and_the_same_number_twice_changes_nothing() -> None:
    case = apply(opened(), AS_LEADER, SavedOnCase("SAG-1"))
    same, events = decide(case, AS_LEADER, SavedOnCase("SAG-1"), OPENED, POLICY)
    assert same is case and events == []
    corrected, events = decide(case, AS_REPORTER, SavedOnCase("SAG-2"), OPENED, POLICY)
    assert corrected.step(StepId.SAVED_ON_CASE).fields["reference"] == "SAG-2"
    [event] = events
    assert event.before.fields["reference"] == "SAG-1"  # type: ignore[union-attr]


def test_a_case_closes_only_when_it_is_recorded_where_the_evidence_was_saved() -> None:
    case = settled_outcomes(opened())
    reopened = case.with_step(StepState(StepId.SAVED_ON_CASE, StepStatus.OPEN))
    with pytest.raises(InvalidTransition) as err:
        apply(reopened, AS_LEADER, CaseClosed())
    assert err.value.open_steps == ("saved_on_case",)
    closed = apply(case, AS_LEADER, CaseClosed())
    assert closed.status.value == "closed"


def test_a_case_stored_before_the_step_existed_loads_with_it_open() -> None:
    stored = case_to_dict(opened())
    del stored["steps"]["saved_on_case"]
    case = case_from_dict(stored)
    assert case.step(StepId.SAVED_ON_CASE).status is StepStatus.OPEN
    assert case.step(StepId.SAVED_ON_CASE).due_at is None


def test_the_step_has_no_deadline_so_it_is_never_overdue() -> None:
    items = due_items([opened()], OPENED + timedelta(days=60))
    assert not [i for i in items if i.step is StepId.SAVED_ON_CASE]


# ---- the re-check of a takedown request ------------------------------------------------------


def test_still_there_answers_only_a_pending_request() -> None:
    with pytest.raises(InvalidTransition) as err:
        apply(opened(), AS_LEADER, RemovalStillThere())
    assert err.value.code == "removal_not_requested"
    with pytest.raises(RoleRefused):
        apply(apply(opened(), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED)), AS_REPORTER, RemovalStillThere())


def test_the_leader_is_asked_after_the_days_and_again_after_still_there() -> None:
    requested_at = at(2026, 3, 2, 11)
    case = apply(opened(), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED, "Anmodet hos Meta"), now=requested_at)
    asked = [i for i in due_items([case], requested_at + timedelta(days=3)) if i.kind is DueKind.REMOVAL_RECHECK]
    assert [(i.step, i.recipients, i.due_at) for i in asked] == [
        (StepId.REMOVAL, (Role.LEADER,), requested_at + timedelta(days=3))
    ]
    assert not [
        i for i in due_items([case], requested_at + timedelta(days=2, hours=23)) if i.kind is DueKind.REMOVAL_RECHECK
    ]
    case = mark_sent(case, asked[0].key)
    answered_at = at(2026, 3, 5, 14)
    case = apply(case, AS_LEADER, RemovalStillThere(), now=answered_at)
    state = case.step(StepId.REMOVAL)
    assert (state.status, state.outcome) == (StepStatus.IN_PROGRESS, Outcome.REQUESTED)
    assert state.fields == {"note": "Anmodet hos Meta", "still_there": "2026-03-05"}
    again = [i for i in due_items([case], answered_at + timedelta(days=3)) if i.kind is DueKind.REMOVAL_RECHECK]
    assert [i.due_at for i in again] == [answered_at + timedelta(days=3)] and again[0].key != asked[0].key
    gone = apply(case, AS_LEADER, RemovalDecided(RemovalOutcome.REMOVED), now=answered_at + timedelta(days=3))
    assert gone.step(StepId.REMOVAL).status is StepStatus.DONE
    assert not [i for i in due_items([gone], answered_at + timedelta(days=30)) if i.kind is DueKind.REMOVAL_RECHECK]


def test_the_number_of_days_is_the_municipality_s() -> None:
    policy = DeadlinePolicy(removal_recheck_days=7)
    case, _ = decide(opened(), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED), OPENED, policy)
    [item] = [i for i in due_items([case], OPENED + timedelta(days=7), policy) if i.kind is DueKind.REMOVAL_RECHECK]
    assert item.due_at == OPENED + timedelta(days=7)
    with pytest.raises(ValueError, match="removal_recheck_days"):
        DeadlinePolicy(removal_recheck_days=0)
