"""The action vocabulary: its texts, its agreement with the domain, and the invoke parser.

Why a walk through generated cases: a card must offer exactly what the domain accepts. Cases are
driven through many states (random walks of the actions on offer, by every kind of person, with
stored waivers mixed in), and in every state each action is tried with valid inputs: one the card
offers must be accepted, one it does not offer must be refused (or change nothing).
"""

from __future__ import annotations

import functools
import random
import string
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.chat.decision_input import parse_case_action, read_inputs
from bot.errors import InvalidInput
from bot.guideline import Actor, Case, DomainError, StepId, StepStatus, decide
from bot.guideline.actions import ACTIONS, INPUT_LABELS, ActionSpec, InputKind, available_actions
from bot.guideline.decisions import LeaderReassigned
from bot.texts import da, en
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    AS_STRANGER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    TZ,
    opened,
    waived,
)

ACTORS = {
    "reporter": AS_REPORTER,
    "leader": AS_LEADER,
    "deputy": AS_DEPUTY,
    "hr": AS_HR,
    "stranger": AS_STRANGER,
    "reporter_who_is_hr": Actor("u-reporter", is_hr=True),
}


def valid_inputs(spec: ActionSpec, now: datetime, salt: int = 0) -> dict[str, str]:
    """A card payload a careful person could send for this action."""
    payload = {"case_id": "c0ffee", "action": spec.name}
    for i, item in enumerate(spec.inputs):
        if item.kind is InputKind.DATE:
            payload[item.id] = now.astimezone(TZ).date().isoformat()
        elif item.kind is InputKind.CHOICE:
            payload[item.id] = item.choices[(salt + i) % len(item.choices)]
        elif item.kind is InputKind.PERSON:
            payload[item.id] = OTHER_LEADER.aad_object_id
        else:
            payload[item.id] = f"Note {salt} nr. {i + 1}"
    return payload


def decision_for(spec: ActionSpec, now: datetime, salt: int = 0) -> Any:
    _case_id, parsed, decision = parse_case_action(valid_inputs(spec, now, salt))
    assert parsed is spec
    if isinstance(decision, LeaderReassigned):  # the edge puts the directory's person in
        decision = LeaderReassigned(OTHER_LEADER, None)
    return decision


def walk(seed: int, length: int = 30) -> list[tuple[Case, datetime]]:
    """The states one random walk passes through (with stored waivers mixed in)."""
    rng = random.Random(seed)
    now = OPENED
    case = opened(leader=None, deputy=None) if seed % 7 == 0 else opened()
    states = [(case, now)]
    for n in range(length):
        now += timedelta(hours=rng.choice((1, 5, 30)))
        if rng.random() < 0.08:
            step = rng.choice([s for s in StepId if case.step(s).status is not StepStatus.NOT_APPLICABLE])
            if case.step(step).status is StepStatus.OPEN:
                case = waived(case, step)
                states.append((case, now))
                continue
        actor = rng.choice(list(ACTORS.values()))
        offered = available_actions(case, actor, now, POLICY)
        if not offered:
            continue
        spec = rng.choice(offered)
        if spec.name == "close" and rng.random() < 0.7:
            continue  # closing ends the walk: make it rarer
        case, _events = decide(case, actor, decision_for(spec, now, n), now, POLICY)
        states.append((case, now))
    return states


@functools.cache
def all_states() -> tuple[tuple[Case, datetime], ...]:
    return tuple(state for seed in range(30) for state in walk(seed, 60))


def test_the_walks_reach_every_action_and_the_closed_case() -> None:
    seen = {
        spec.name
        for case, now in all_states()
        for actor in ACTORS.values()
        for spec in available_actions(case, actor, now)
    }
    assert seen == set(ACTIONS)
    assert any(case.status.value == "closed" for case, _ in all_states())
    assert any(s.status is StepStatus.WAIVED for case, _ in all_states() for s in case.steps.values())


@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_a_card_offers_exactly_what_the_domain_accepts(actor_name: str) -> None:
    actor = ACTORS[actor_name]
    checked = 0
    for case, now in all_states():
        offered = {spec.name for spec in available_actions(case, actor, now, POLICY)}
        for spec in ACTIONS.values():
            decision = decision_for(spec, now, salt=checked)
            checked += 1
            if spec.name in offered:
                try:
                    decide(case, actor, decision, now, POLICY)
                except DomainError as exc:  # pragma: no cover - the message names the failure
                    pytest.fail(f"{spec.name} offered to {actor_name} but refused: {exc!r}\n{case}")
            else:
                try:
                    _new, events = decide(case, actor, decision, now, POLICY)
                except DomainError:
                    continue
                assert events == [], f"{spec.name} not offered to {actor_name}, yet the domain took it"
    assert checked > 1000


def test_the_reporter_is_offered_only_the_answer_and_never_a_leader_step() -> None:
    for case, now in all_states():
        for actor in (AS_REPORTER, Actor("u-reporter", is_hr=True)):
            names = {spec.name for spec in available_actions(case, actor, now)}
            # The answer to the offer, and where the evidence was saved (the guideline's duty for them).
            assert names <= {"offer_join", "offer_without_me", "offer_no_report", "saved_on_case"}
        for actor in (AS_LEADER, AS_DEPUTY, AS_HR):
            names = {spec.name for spec in available_actions(case, actor, now)}
            assert not names & {"offer_join", "offer_without_me", "offer_no_report"}


def test_there_is_no_waive_action() -> None:
    assert not [name for name in ACTIONS if "waive" in name]
    assert not [i for spec in ACTIONS.values() for i in spec.inputs if "waive" in i.id]


# ---- texts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", [da.TEXTS, en.TEXTS], ids=["da", "en"])
def test_every_action_has_its_texts_in_both_languages(lang: dict[str, str]) -> None:
    missing = sorted(key for spec in ACTIONS.values() for key in spec.text_keys() if not lang.get(key, "").strip())
    assert missing == []


def test_every_input_label_is_known() -> None:
    assert set(INPUT_LABELS) == {i.id for spec in ACTIONS.values() for i in spec.inputs}


# ---- the invoke parser ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACTIONS))
def test_the_parser_builds_each_action_s_decision(name: str) -> None:
    spec = ACTIONS[name]
    case_id, parsed, decision = parse_case_action(valid_inputs(spec, OPENED))
    assert (case_id, parsed, type(decision)) == ("c0ffee", spec, spec.decision)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "close",
        {"case_id": "c0ffee"},
        {"case_id": "c0ffee", "action": "waive", "waive_step": "police_report", "waive_reason": "x"},
        {"case_id": "c0ffee", "action": "police_declined"},
        {"case_id": "c0ffee", "action": ["close"]},
        {"case_id": "../c0ffee", "action": "close"},
        {"case_id": "a" * 65, "action": "close"},
        {"case_id": 7, "action": "close"},
    ],
)
def test_the_parser_refuses_unknown_actions_and_bad_case_ids(payload: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_case_action(payload)
    assert err.value.field in {"action", "case_id"}


INPUTS = [(spec, item) for spec in ACTIONS.values() for item in spec.inputs]


@pytest.mark.parametrize(("spec", "item"), INPUTS, ids=[f"{s.name}.{i.id}" for s, i in INPUTS])
def test_the_parser_refuses_missing_wrong_type_and_too_long_inputs(spec: ActionSpec, item: Any) -> None:
    good = valid_inputs(spec, OPENED)
    cases: list[tuple[object, str]] = [
        (12, "invalid_format"),
        (["x"], "invalid_format"),
        ("x" * (item.max_length + 1), "too_long"),
    ]
    if item.required:
        cases += [(None, "required"), ("   ", "required")]
    if item.kind is InputKind.DATE:
        cases.append(("2026-02-30", "bad_date"))
    if item.kind is InputKind.CHOICE:
        cases.append(("".join(random.Random(1).choices(string.ascii_lowercase, k=9)), "invalid_choice"))
    for value, reason in cases:
        payload = {**good, item.id: value} if value is not None else {k: v for k, v in good.items() if k != item.id}
        with pytest.raises(InvalidInput) as err:
            parse_case_action(payload)
        assert (err.value.field, err.value.reason) == (item.id, reason), value


def test_optional_inputs_may_be_left_out_and_other_keys_are_ignored() -> None:
    spec = ACTIONS["removal_removed"]
    inputs = read_inputs(spec, {"removal_note": "  ", "apv_ref": "x" * 99999, "verb": "decide"})
    assert inputs.optional("removal_note") is None


def test_an_action_cannot_use_another_action_s_inputs() -> None:
    payload = {**valid_inputs(ACTIONS["apv_filed"], OPENED), "action": "police_reported"}
    with pytest.raises(InvalidInput) as err:
        parse_case_action(payload)
    assert err.value.field == "police_journal"


def test_a_waived_step_is_offered_a_real_outcome() -> None:
    case = waived(opened(), StepId.APV_PLAN)
    names = {spec.name for spec in available_actions(case, AS_LEADER, OPENED)}
    assert {"apv_measures"} <= names and "close" not in names
