"""MED card actions -> typed commands. Nothing else reads a MED card's data.

Card data is untrusted: each field is checked for type, length and form here (dates, the meeting
kind, https links) before any service runs. Who may do it, for which unit and period, is the
service's question (`bot/services/med.py`), answered from the activity and the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.errors import InvalidInput
from bot.guideline.errors import InvalidDecision
from bot.guideline.med import MeetingKind
from bot.guideline.med_units import https_link
from cards.med import OTHER_UNIT
from cards.verbs import Verb

Data = Mapping[str, Any]
MAX_UNIT = 200
MAX_LINK = 2048


@dataclass(frozen=True)
class RegisterChannel:
    """Make the channel the action came from the unit's MED channel (or move the unit to it)."""

    unit_choice: str  # a known unit's name from the list, "" or OTHER_UNIT
    unit_text: str  # typed when the unit is not on the list
    committee: str

    @property
    def unit(self) -> str:
        return self.unit_text if self.unit_choice in ("", OTHER_UNIT) else self.unit_choice


@dataclass(frozen=True)
class PutOnAgenda:
    unit: str
    period_id: str
    meeting_date: date


@dataclass(frozen=True)
class MarkDone:
    unit: str
    period_id: str
    done_date: date
    meeting_kind: MeetingKind
    minutes_link: str
    plan_reviewed: bool


@dataclass(frozen=True)
class SetPlan:
    unit: str
    plan_link: str


MedCommand = RegisterChannel | PutOnAgenda | MarkDone | SetPlan


def _text(data: Data, key: str, limit: int, *, required: bool = False) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(key, "invalid_choice")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(key, "too_long")
    if required and not value:
        raise InvalidInput(key, "required")
    return value


def _date(data: Data, key: str) -> date:
    raw = _text(data, key, 40, required=True)
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput(key, "bad_date") from None


def _link(data: Data, key: str) -> str:
    raw = _text(data, key, MAX_LINK, required=True)
    try:
        return https_link(raw, key)
    except InvalidDecision as exc:
        raise InvalidInput(key, exc.code) from None


def _flag(data: Data, key: str) -> bool:
    """An Input.Toggle: "true" or "false" (absent means not ticked)."""
    raw = _text(data, key, 10)
    if raw not in ("", "true", "false"):
        raise InvalidInput(key, "invalid_choice")
    return raw == "true"


def _meeting_kind(data: Data) -> MeetingKind:
    raw = _text(data, "meeting_kind", 40, required=True)
    try:
        return MeetingKind(raw)
    except ValueError:
        raise InvalidInput("meeting_kind", "invalid_choice") from None


def _unit(data: Data) -> str:
    return _text(data, "unit", MAX_UNIT, required=True)


def _period(data: Data) -> str:
    return _text(data, "period", 20, required=True)


def parse_med_action(verb: Verb, data: object) -> MedCommand:
    """The typed command for a MED card's Action.Execute; InvalidInput names the bad field."""
    if not isinstance(data, Mapping):
        raise InvalidInput("action", "invalid_choice")
    if verb is Verb.MED_REGISTER:
        return RegisterChannel(
            _text(data, "unit", MAX_UNIT), _text(data, "unit_text", MAX_UNIT), _text(data, "committee", MAX_UNIT)
        )
    if verb is Verb.MED_AGENDA:
        return PutOnAgenda(_unit(data), _period(data), _date(data, "meeting_date"))
    if verb is Verb.MED_DONE:
        return MarkDone(
            _unit(data),
            _period(data),
            _date(data, "done_date"),
            _meeting_kind(data),
            _link(data, "minutes_link"),
            _flag(data, "plan_reviewed"),
        )
    if verb is Verb.MED_PLAN:
        return SetPlan(_unit(data), _link(data, "plan_link"))
    raise InvalidInput("action", "invalid_choice")
