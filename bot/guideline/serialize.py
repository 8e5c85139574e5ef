"""Cases, MED evaluations and events as JSON-compatible dicts, and back.

Why explicit: the stored JSON is a contract with every document already in storage, so each
field is written by name (no pickling, no reflection on class layout) and a `schema` number
guards future changes. Datetimes are ISO 8601 with their UTC offset; dates are ISO dates.
Reading a document that does not describe a valid value raises MalformedDocument. Older
documents stay readable: a case without `waits` has none, and a step stored as WAIVED loads as
such (it is shown as history and no longer counts as settled).
Events are written one way only (to the audit log), with every before and after value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

from bot.guideline.definitions import Category, Platform
from bot.guideline.errors import DomainError, MalformedDocument
from bot.guideline.events import Event
from bot.guideline.med import MedEvaluation, MedHistoryEntry, MedStatus, MeetingKind
from bot.guideline.model import (
    Acknowledgement,
    Case,
    CaseStatus,
    DeputyInvolvement,
    DeputyReason,
    DeputyRemoved,
    EvidenceItem,
    EvidenceNotice,
    Facts,
    LeaderReplaced,
    Person,
    StepId,
    StepState,
    StepStatus,
    Wait,
)

SCHEMA = 1
T = TypeVar("T")
# Cases stored before the acknowledgement existed count as acknowledged when they were opened:
# the duty did not exist then, and nobody should be told about them now.
LEGACY_ACK = "-"


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _person(p: Person | None) -> dict[str, str] | None:
    return None if p is None else {"aad_object_id": p.aad_object_id, "name": p.name}


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    return {
        "sha256": item.sha256,
        "size": item.size,
        "content_type": item.content_type,
        "original_name": item.original_name,
        "uploaded_by": item.uploaded_by,
        "uploaded_at": _dt(item.uploaded_at),
    }


def _step(state: StepState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "outcome": state.outcome,
        "fields": dict(state.fields),
        "due_at": _dt(state.due_at),
        "decided_by": state.decided_by,
        "decided_at": _dt(state.decided_at),
        "first_decided_at": _dt(state.first_decided_at),
    }


def case_to_dict(case: Case) -> dict[str, Any]:
    f = case.facts
    return {
        "schema": SCHEMA,
        "id": case.id,
        "number": case.number,
        "unit": case.unit,
        "reporter": _person(case.reporter),
        "leader": _person(case.leader),
        "deputy": _person(case.deputy),
        "leader_manager": _person(case.leader_manager),
        "facts": {
            "category": f.category.value,
            "description": f.description,
            "occurred_at": _dt(f.occurred_at),
            "platform": f.platform.value,
            "link": f.link,
            "offender": f.offender,
            "outside_working_hours": f.outside_working_hours,
            "family_threatened": f.family_threatened,
        },
        "evidence": [_evidence(item) for item in case.evidence],
        "steps": {step.value: _step(state) for step, state in case.steps.items()},
        "status": case.status.value,
        "created_at": _dt(case.created_at),
        "closed_at": _dt(case.closed_at),
        "reminders_sent": sorted(case.reminders_sent),
        "revision": case.revision,
        "waits": [_wait(w) for w in case.waits],
        "assigned_at": _dt(case.assigned_at),
        "acknowledged": (
            None if case.acknowledged is None else {"by": case.acknowledged.by, "at": _dt(case.acknowledged.at)}
        ),
        "deputy_in": (
            None if case.deputy_in is None else {"reason": case.deputy_in.reason.value, "at": _dt(case.deputy_in.at)}
        ),
        "evidence_notice": (
            None
            if case.evidence_notice is None
            else {"at": _dt(case.evidence_notice.at), "count": case.evidence_notice.count}
        ),
        "replaced_leaders": [
            {"leader": _person(n.leader), "successor": _person(n.successor), "at": _dt(n.at)}
            for n in case.replaced_leaders
        ],
        "removed_deputies": [
            {"deputy": _person(n.deputy), "leader": _person(n.leader), "at": _dt(n.at)} for n in case.removed_deputies
        ],
    }


def _steps(raw: Mapping[str, Any]) -> dict[StepId, StepState]:
    """Every step; a case stored before "saved on case" existed gets it open (it has no deadline)."""
    steps = {StepId(k): _to_step(StepId(k), _req(raw, k, dict)) for k in raw}
    steps.setdefault(StepId.SAVED_ON_CASE, StepState(StepId.SAVED_ON_CASE, StepStatus.OPEN))
    return steps


def _wait(wait: Wait) -> dict[str, Any]:
    return {"step": wait.step.value, "started_at": _dt(wait.started_at), "ended_at": _dt(wait.ended_at)}


def _to_wait(d: Mapping[str, Any]) -> Wait:
    return Wait(StepId(_req(d, "step", str)), _to_dt_req(d, "started_at"), _to_dt(d, "ended_at"))


# ---- reading -------------------------------------------------------------------------------


def _req(d: Mapping[str, Any], key: str, kind: type[T]) -> T:
    value = d[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key}: expected {kind.__name__}")
    return value


def _opt(d: Mapping[str, Any], key: str, kind: type[T]) -> T | None:
    return None if d.get(key) is None else _req(d, key, kind)


def _to_dt(d: Mapping[str, Any], key: str) -> datetime | None:
    raw = _opt(d, key, str)
    if raw is None:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"{key}: naive datetime")
    return value


def _to_dt_req(d: Mapping[str, Any], key: str) -> datetime:
    value = _to_dt(d, key)
    if value is None:
        raise ValueError(f"{key}: missing")
    return value


def _to_day(d: Mapping[str, Any], key: str) -> date | None:
    raw = _opt(d, key, str)
    return None if raw is None else date.fromisoformat(raw)


def _to_person(d: Mapping[str, Any], key: str) -> Person | None:
    raw = _opt(d, key, dict)
    return None if raw is None else Person(_req(raw, "aad_object_id", str), _req(raw, "name", str))


def _to_step(step: StepId, d: Mapping[str, Any]) -> StepState:
    fields = _req(d, "fields", dict)
    if not all(isinstance(k, str) and isinstance(val, str) for k, val in fields.items()):
        raise TypeError("fields: expected strings")
    return StepState(
        step=step,
        status=StepStatus(_req(d, "status", str)),
        outcome=_opt(d, "outcome", str),
        fields=fields,
        due_at=_to_dt(d, "due_at"),
        decided_by=_opt(d, "decided_by", str),
        decided_at=_to_dt(d, "decided_at"),
        first_decided_at=_to_dt(d, "first_decided_at"),
    )


def _to_evidence(d: Mapping[str, Any]) -> EvidenceItem:
    return EvidenceItem(
        sha256=_req(d, "sha256", str),
        size=_req(d, "size", int),
        content_type=_req(d, "content_type", str),
        original_name=_req(d, "original_name", str),
        uploaded_by=_req(d, "uploaded_by", str),
        uploaded_at=_to_dt_req(d, "uploaded_at"),
    )


def _to_ack(d: Mapping[str, Any], created_at: datetime) -> Acknowledgement | None:
    if "acknowledged" not in d:
        return Acknowledgement(LEGACY_ACK, created_at)
    raw = _opt(d, "acknowledged", dict)
    return None if raw is None else Acknowledgement(_req(raw, "by", str), _to_dt_req(raw, "at"))


def _to_deputy_in(d: Mapping[str, Any]) -> DeputyInvolvement | None:
    raw = _opt(d, "deputy_in", dict)
    return None if raw is None else DeputyInvolvement(DeputyReason(_req(raw, "reason", str)), _to_dt_req(raw, "at"))


def _to_evidence_notice(d: Mapping[str, Any]) -> EvidenceNotice | None:
    """Cases stored before the notice was kept in the case owe none."""
    raw = _opt(d, "evidence_notice", dict)
    return None if raw is None else EvidenceNotice(_to_dt_req(raw, "at"), _req(raw, "count", int))


def _to_replaced(raw: Mapping[str, Any]) -> LeaderReplaced:
    leader, successor = _to_person(raw, "leader"), _to_person(raw, "successor")
    if leader is None or successor is None:
        raise ValueError("replaced_leaders: a person is missing")
    return LeaderReplaced(leader, successor, _to_dt_req(raw, "at"))


def _to_removed(raw: Mapping[str, Any]) -> DeputyRemoved:
    deputy, leader = _to_person(raw, "deputy"), _to_person(raw, "leader")
    if deputy is None or leader is None:
        raise ValueError("removed_deputies: a person is missing")
    return DeputyRemoved(deputy, leader, _to_dt_req(raw, "at"))


def _reading(kind: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except (KeyError, TypeError, ValueError, AttributeError, DomainError) as exc:
        if isinstance(exc, MalformedDocument):
            raise
        raise MalformedDocument(f"{kind}: {type(exc).__name__}: {exc}") from exc


def _check_schema(d: Mapping[str, Any]) -> None:
    if not isinstance(d, Mapping) or d.get("schema") != SCHEMA:
        raise MalformedDocument("unknown schema")


def case_from_dict(d: Mapping[str, Any]) -> Case:
    _check_schema(d)

    def build() -> Case:
        f = _req(d, "facts", dict)
        facts = Facts(
            category=Category(_req(f, "category", str)),
            description=_req(f, "description", str),
            occurred_at=_to_dt_req(f, "occurred_at"),
            platform=Platform(_req(f, "platform", str)),
            link=_opt(f, "link", str),
            offender=_opt(f, "offender", str),
            outside_working_hours=_req(f, "outside_working_hours", bool),
            family_threatened=_req(f, "family_threatened", bool),
        )
        raw_steps = _req(d, "steps", dict)
        reporter = _to_person(d, "reporter")
        if reporter is None:
            raise ValueError("reporter: missing")
        created_at = _to_dt_req(d, "created_at")
        return Case(
            id=_req(d, "id", str),
            number=_req(d, "number", str),
            unit=_opt(d, "unit", str),
            reporter=reporter,
            leader=_to_person(d, "leader"),
            deputy=_to_person(d, "deputy"),
            leader_manager=_to_person(d, "leader_manager"),
            facts=facts,
            evidence=tuple(_to_evidence(item) for item in _req(d, "evidence", list)),
            steps=_steps(raw_steps),
            status=CaseStatus(_req(d, "status", str)),
            created_at=created_at,
            closed_at=_to_dt(d, "closed_at"),
            reminders_sent=frozenset(_str_list(_req(d, "reminders_sent", list))),
            revision=_req(d, "revision", int),
            # Cases stored before the police offer was recorded have no waits.
            waits=tuple(_to_wait(w) for w in (_opt(d, "waits", list) or [])),
            assigned_at=_to_dt(d, "assigned_at"),
            acknowledged=_to_ack(d, created_at),
            deputy_in=_to_deputy_in(d),
            evidence_notice=_to_evidence_notice(d),
            # Cases stored before the notice was kept in the case owe none.
            replaced_leaders=tuple(_to_replaced(n) for n in (_opt(d, "replaced_leaders", list) or [])),
            removed_deputies=tuple(_to_removed(n) for n in (_opt(d, "removed_deputies", list) or [])),
        )

    return _reading("case", build)


def _str_list(values: list[Any]) -> list[str]:
    if not all(isinstance(x, str) for x in values):
        raise TypeError("expected a list of strings")
    return values


def med_evaluation_to_dict(ev: MedEvaluation) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "unit": ev.unit,
        "period_id": ev.period_id,
        "status": ev.status.value,
        "sent_at": _dt(ev.sent_at),
        "meeting_date": _day(ev.meeting_date),
        "done_date": _day(ev.done_date),
        "minutes_link": ev.minutes_link,
        "meeting_kind": ev.meeting_kind.value if ev.meeting_kind else None,
        "plan_reviewed": ev.plan_reviewed,
        "history": [
            {
                "at": _dt(h.at),
                "actor": h.actor,
                "action": h.action,
                "before": h.before.value,
                "after": h.after.value,
                "detail": h.detail,
            }
            for h in ev.history
        ],
        "revision": ev.revision,
    }


def med_evaluation_from_dict(d: Mapping[str, Any]) -> MedEvaluation:
    _check_schema(d)

    def entry(h: Mapping[str, Any]) -> MedHistoryEntry:
        return MedHistoryEntry(
            at=_to_dt_req(h, "at"),
            actor=_opt(h, "actor", str),
            action=_req(h, "action", str),
            before=MedStatus(_req(h, "before", str)),
            after=MedStatus(_req(h, "after", str)),
            detail=_opt(h, "detail", str),
        )

    def build() -> MedEvaluation:
        return MedEvaluation(
            unit=_req(d, "unit", str),
            period_id=_req(d, "period_id", str),
            status=MedStatus(_req(d, "status", str)),
            sent_at=_to_dt(d, "sent_at"),
            meeting_date=_to_day(d, "meeting_date"),
            done_date=_to_day(d, "done_date"),
            minutes_link=_opt(d, "minutes_link", str),
            meeting_kind=MeetingKind(kind) if (kind := _opt(d, "meeting_kind", str)) else None,
            plan_reviewed=_opt(d, "plan_reviewed", bool),
            history=tuple(entry(h) for h in _req(d, "history", list)),
            revision=_req(d, "revision", int),
        )

    return _reading("med_evaluation", build)


def _plain(value: Any) -> Any:
    if isinstance(value, StepState):
        return {"step": value.step.value, **_step(value)}
    if isinstance(value, EvidenceItem):
        return _evidence(value)
    if isinstance(value, Person):
        return _person(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(val) for k, val in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(x) for x in value]
    return value


def event_to_dict(event: Event) -> dict[str, Any]:
    """One audit line: {"type": ..., "case_id", "actor", "roles", "at", before/after, ...}."""
    body = _plain(event)
    assert isinstance(body, dict)
    return {"type": type(event).__name__, **body}
