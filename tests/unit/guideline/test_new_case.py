from datetime import datetime, timedelta

import pytest

from bot.guideline import (
    FOLLOWUP_STEPS,
    IMMEDIATE_STEPS,
    CaseOpened,
    CaseStatus,
    Category,
    DeadlinePolicy,
    Facts,
    InvalidDecision,
    Leadership,
    Person,
    Platform,
    Role,
    StepId,
    StepStatus,
    new_case,
)
from tests.unit.guideline.builders import (
    DEPUTY,
    LEADER,
    MANAGER,
    OPENED,
    REPORTER,
    at,
    evidence,
    facts,
    opened,
)


def test_new_case_has_every_step_with_its_starting_state() -> None:
    case = opened()
    assert case.status is CaseStatus.OPEN
    assert set(case.steps) == set(StepId)
    for step in IMMEDIATE_STEPS:
        assert case.step(step).status is StepStatus.OPEN
        assert case.step(step).due_at == at(2026, 3, 3, 16)  # closing time on the next working day
    insubiz = case.step(StepId.INSUBIZ_NOTE)
    assert (insubiz.status, insubiz.due_at) == (StepStatus.NOT_APPLICABLE, None)
    for step in FOLLOWUP_STEPS:
        assert case.step(step).status is StepStatus.OPEN
        assert case.step(step).due_at is None
    assert case.revision == 1
    assert case.reminders_sent == frozenset()
    assert case.created_at == OPENED
    assert case.closed_at is None


def test_report_on_friday_evening_counts_from_monday_morning() -> None:
    # Outside office hours the clock starts Monday 08:00; the next working day after that ends Tuesday 16:00.
    case = opened(at(2026, 3, 6, 22, 15))
    assert case.step(StepId.REMOVAL).due_at == at(2026, 3, 10, 16)


def test_report_before_easter_is_due_after_easter() -> None:
    case = opened(at(2026, 4, 1, 9), occurred_at=at(2026, 4, 1, 8))
    assert case.step(StepId.POLICE_REPORT).due_at == at(2026, 4, 7, 16)


def test_immediate_deadline_is_configurable() -> None:
    case = opened(policy=DeadlinePolicy(immediate_working_days=2))
    assert case.step(StepId.APV_PLAN).due_at == at(2026, 3, 4, 16)


def test_case_opened_event_carries_the_audit_values() -> None:
    case, events = new_case(
        "c-9",
        "KH-2026-0009",
        REPORTER,
        LEADER,
        DEPUTY,
        "Skole",
        facts(),
        [evidence(1)],
        OPENED,
        leader_manager=MANAGER,
    )
    assert events == [
        CaseOpened(
            case_id="c-9",
            number="KH-2026-0009",
            actor="u-reporter",
            roles=(Role.REPORTER,),
            at=OPENED,
            category=Category.THREAT,
            unit="Skole",
            leadership=Leadership(LEADER, DEPUTY, MANAGER),
            evidence_count=1,
            immediate_due_at=at(2026, 3, 3, 16),
        )
    ]
    assert case.leader_manager == MANAGER


def test_case_without_leader_is_allowed() -> None:
    case = opened(leader=None, deputy=None)
    assert case.leader is None


def test_duplicate_screenshots_are_kept_once() -> None:
    case, _ = new_case("c", "n", REPORTER, LEADER, None, None, facts(), [evidence(1), evidence(1), evidence(2)], OPENED)
    assert [item.size for item in case.evidence] == [1001, 1002]


@pytest.mark.parametrize(
    ("leader", "deputy", "field", "code"),
    [
        (REPORTER, None, "leader", "leader_is_reporter"),
        (LEADER, REPORTER, "deputy", "deputy_is_reporter"),
        (LEADER, Person("u-leader", "Same"), "deputy", "deputy_is_leader"),
    ],
)
def test_leadership_must_not_involve_the_reporter(leader: Person, deputy: Person | None, field: str, code: str) -> None:
    with pytest.raises(InvalidDecision) as err:
        new_case("c", "n", REPORTER, leader, deputy, None, facts(), [], OPENED)
    assert (err.value.field, err.value.code) == (field, code)


def test_occurred_in_the_future_is_refused_but_clock_skew_tolerated() -> None:
    new_case("c", "n", REPORTER, LEADER, None, None, facts(occurred_at=OPENED + timedelta(minutes=4)), [], OPENED)
    with pytest.raises(InvalidDecision) as err:
        new_case("c", "n", REPORTER, LEADER, None, None, facts(occurred_at=OPENED + timedelta(hours=1)), [], OPENED)
    assert (err.value.field, err.value.code) == ("occurred_at", "in_future")


def test_evidence_must_be_the_reporters_and_limited() -> None:
    with pytest.raises(InvalidDecision) as err:
        new_case("c", "n", REPORTER, LEADER, None, None, facts(), [evidence(1, by="u-leader")], OPENED)
    assert err.value.code == "not_uploader"
    policy = DeadlinePolicy(max_evidence_items=2)
    items = [evidence(i) for i in range(3)]
    with pytest.raises(InvalidDecision) as err:
        new_case("c", "n", REPORTER, LEADER, None, None, facts(), items, OPENED, policy)
    assert err.value.code == "too_many"


def test_new_case_validates_ids_and_now() -> None:
    with pytest.raises(InvalidDecision):
        new_case("  ", "n", REPORTER, LEADER, None, None, facts(), [], OPENED)
    with pytest.raises(InvalidDecision):
        new_case("c", "", REPORTER, LEADER, None, None, facts(), [], OPENED)
    with pytest.raises(InvalidDecision):
        new_case("c", "n", REPORTER, LEADER, None, None, facts(), [], datetime(2026, 3, 2, 10))


def test_unit_blank_becomes_none() -> None:
    case, _ = new_case("c", "n", REPORTER, LEADER, None, "  ", facts(), [], OPENED)
    assert case.unit is None


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"description": "   "}, "description", "empty"),
        ({"description": "x" * 4001}, "description", "too_long"),
        ({"occurred_at": datetime(2026, 3, 1, 12)}, "occurred_at", "not_aware_datetime"),
        ({"category": "trussel"}, "category", "invalid_choice"),
        ({"platform": "myspace"}, "platform", "invalid_choice"),
        ({"link": "x" * 2049}, "link", "too_long"),
        ({"offender": "x" * 201}, "offender", "too_long"),
    ],
)
def test_facts_validation(overrides: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InvalidDecision) as err:
        facts(**overrides)
    assert (err.value.field, err.value.code) == (field, code)


def test_facts_are_stripped_and_blank_optionals_dropped() -> None:
    f = facts(description="  hej  ", link="   ", offender="")
    assert (f.description, f.link, f.offender) == ("hej", None, None)
    assert isinstance(f, Facts)
    assert f.platform is Platform.FACEBOOK


def test_person_needs_an_id() -> None:
    with pytest.raises(InvalidDecision):
        Person(" ", "Navn")
    assert Person(" u1 ", " Navn ") == Person("u1", "Navn")


def test_steps_mapping_is_read_only() -> None:
    case = opened()
    with pytest.raises(TypeError):
        case.steps[StepId.REMOVAL] = case.step(StepId.APV_PLAN)  # type: ignore[index]
    with pytest.raises(TypeError):
        case.step(StepId.REMOVAL).fields["x"] = "y"  # type: ignore[index]
