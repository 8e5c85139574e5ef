"""Card actions on a case -> typed domain decisions. One table; nothing else parses them.

A case card sends `{"case_id", "action", <inputs>}`. Unknown actions, missing or malformed
inputs are refused here (InvalidInput / the domain's InvalidDecision) before any service runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.errors import InvalidInput
from bot.guideline.decisions import (
    ApvFiled,
    ApvMeasuresSet,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    Decision,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    LeaderReassigned,
    PoliceDeclinedByEmployee,
    PoliceOfferAnswered,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    StepWaived,
)
from bot.guideline.model import Person, StepId

Data = Mapping[str, Any]
SAMPLE_LEADER = "00000000-0000-0000-0000-000000000000"  # only used to ask the domain "allowed now?"
MAX_INPUT = 4000


def _text(data: Data, key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InvalidInput(key, "invalid_choice")
    if len(value) > MAX_INPUT:
        raise InvalidInput(key, "too_long")
    return value.strip()


def _date(data: Data, key: str) -> date:
    raw = _text(data, key)
    if not raw:
        raise InvalidInput(key, "required")
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput(key, "bad_date") from None


def _step(data: Data, key: str) -> StepId:
    try:
        return StepId(_text(data, key))
    except ValueError:
        raise InvalidInput(key, "required" if not data.get(key) else "invalid_choice") from None


def _removal(outcome: RemovalOutcome) -> Callable[[Data], Decision]:
    return lambda d: RemovalDecided(outcome, _text(d, "removal_note") or None)


def _followup(step: StepId, prefix: str) -> dict[str, Callable[[Data], Decision]]:
    return {
        f"{prefix}_schedule": lambda d: FollowUpScheduled(step, _date(d, f"{prefix}_date")),
        f"{prefix}_done": lambda d: FollowUpDone(step, _date(d, f"{prefix}_done_date"), _text(d, f"{prefix}_note")),
    }


ACTIONS: dict[str, tuple[StepId | None, Callable[[Data], Decision]]] = {
    "removal_removed": (StepId.REMOVAL, _removal(RemovalOutcome.REMOVED)),
    "removal_requested": (StepId.REMOVAL, _removal(RemovalOutcome.REQUESTED)),
    "removal_not_possible": (StepId.REMOVAL, _removal(RemovalOutcome.NOT_POSSIBLE)),
    "citizen_contacted": (StepId.CITIZEN_CONTACT, lambda d: CitizenContacted(_text(d, "citizen_note"))),
    "citizen_not_possible": (
        StepId.CITIZEN_CONTACT,
        lambda d: CitizenContactNotPossible(_text(d, "citizen_note")),
    ),
    "police_reported": (StepId.POLICE_REPORT, lambda d: PoliceReported(_text(d, "police_journal"))),
    "police_declined": (StepId.POLICE_REPORT, lambda d: PoliceDeclinedByEmployee()),
    "offer_join": (StepId.POLICE_OFFER, lambda d: PoliceOfferAnswered(True)),
    "offer_decline": (StepId.POLICE_OFFER, lambda d: PoliceOfferAnswered(False)),
    "insubiz_draft": (StepId.INSUBIZ_NOTE, lambda d: InsuBizNoteDrafted(_text(d, "insubiz_text"))),
    "insubiz_registered": (StepId.INSUBIZ_NOTE, lambda d: InsuBizRegistered(_text(d, "insubiz_ref"))),
    "apv_measures": (StepId.APV_PLAN, lambda d: ApvMeasuresSet(_text(d, "apv_measures"))),
    "apv_filed": (StepId.APV_PLAN, lambda d: ApvFiled(_text(d, "apv_ref"))),
    **{k: (StepId.FOLLOWUP_EMPLOYEE, f) for k, f in _followup(StepId.FOLLOWUP_EMPLOYEE, "fu_emp").items()},
    **{k: (StepId.FOLLOWUP_COLLEAGUES, f) for k, f in _followup(StepId.FOLLOWUP_COLLEAGUES, "fu_col").items()},
    "waive": (None, lambda d: StepWaived(_step(d, "waive_step"), _text(d, "waive_reason"))),
    "close": (None, lambda d: CaseClosed()),
    # HR hands the case to another leader; the edge checks the choice against the directory.
    "reassign": (
        None,
        lambda d: LeaderReassigned(Person(_text(d, "reassign_leader"), _text(d, "reassign_name")), None),
    ),
}


def parse_case_action(data: Any) -> tuple[str, str, Decision]:
    """(case_id, action name, decision) from an Action.Execute payload, or InvalidInput."""
    if not isinstance(data, Mapping):
        raise InvalidInput("action", "invalid_choice")
    case_id = data.get("case_id")
    action = data.get("action")
    if not isinstance(case_id, str) or not case_id or len(case_id) > 64 or not case_id.isalnum():
        raise InvalidInput("case_id", "invalid_choice")
    if not isinstance(action, str) or action not in ACTIONS:
        raise InvalidInput("action", "invalid_choice")
    _step, build = ACTIONS[action]
    return case_id, action, build(data)


def sample_decision(action: str, today: date) -> Decision:
    """A well-formed instance of an action, used to ask the domain whether it is allowed now."""
    filler: dict[str, str] = {
        "citizen_note": "-",
        "police_journal": "1",
        "insubiz_text": "-",
        "insubiz_ref": "-",
        "apv_measures": "-",
        "apv_ref": "-",
        "fu_emp_date": today.isoformat(),
        "fu_emp_done_date": today.isoformat(),
        "fu_emp_note": "-",
        "fu_col_date": today.isoformat(),
        "fu_col_done_date": today.isoformat(),
        "fu_col_note": "-",
        "waive_step": StepId.REMOVAL.value,
        "waive_reason": "-",
        "reassign_leader": SAMPLE_LEADER,
        "reassign_name": "-",
    }
    return ACTIONS[action][1](filler)


def waive_sample(step: StepId) -> Decision:
    return StepWaived(step, "-")
