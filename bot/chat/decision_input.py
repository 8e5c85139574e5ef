"""Card actions on a case -> typed domain decisions, read against the action vocabulary.

A case card sends `{"case_id", "action", <inputs>}`. The action must be one of
`bot.guideline.actions.ACTIONS`, and only that action's inputs are read, each checked for its
type, length and choices; anything else is refused here (InvalidInput, naming the input) before
any service runs. The decision then validates its own values (the domain's InvalidDecision).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.errors import InvalidInput
from bot.guideline.actions import ACTIONS, ActionSpec, InputKind, Inputs, InputSpec
from bot.guideline.decisions import Decision

MAX_CASE_ID = 64


def _value(data: Mapping[str, Any], spec: InputSpec) -> str | date | None:
    raw = data.get(spec.id)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise InvalidInput(spec.id, "invalid_format")
    if len(raw) > spec.max_length:
        raise InvalidInput(spec.id, "too_long")
    value = raw.strip()
    if not value:
        if spec.required:
            raise InvalidInput(spec.id, "required")
        return None
    if spec.kind is InputKind.DATE:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(spec.id, "bad_date") from None
    if spec.kind is InputKind.CHOICE and value not in spec.choices:
        raise InvalidInput(spec.id, "invalid_choice")
    return value


def read_inputs(spec: ActionSpec, data: Mapping[str, Any]) -> Inputs:
    """The action's own inputs from a card payload, validated; other keys are ignored."""
    return Inputs({i.id: _value(data, i) for i in spec.inputs})


def parse_case_action(data: Any) -> tuple[str, ActionSpec, Decision]:
    """(case_id, the action's spec, decision) from an Action.Execute payload, or InvalidInput."""
    if not isinstance(data, Mapping):
        raise InvalidInput("action", "invalid_choice")
    case_id = data.get("case_id")
    action = data.get("action")
    if not isinstance(case_id, str) or not case_id or len(case_id) > MAX_CASE_ID or not case_id.isalnum():
        raise InvalidInput("case_id", "invalid_choice")
    if not isinstance(action, str) or action not in ACTIONS:
        raise InvalidInput("action", "invalid_choice")
    spec = ACTIONS[action]
    return case_id, spec, spec.build(read_inputs(spec, data))
