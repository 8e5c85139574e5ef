"""The audit trail: one JSON line per domain event, appended to `audit/{case_id}.log`.

Who, what, when, and the value before and after. Lines are never rewritten; the case card's
"Historik" reads them back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from bot.guideline.events import Event
from bot.storage.store import Store


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def audit_line(event: Event) -> dict[str, Any]:
    data = _plain(event)
    data["event"] = type(event).__name__
    return data


async def record_events(store: Store, events: Iterable[Event]) -> None:
    for event in events:
        await store.append_audit(event.case_id, audit_line(event))


async def record(store: Store, case_id: str, event: str, actor: str, at: datetime, **details: Any) -> None:
    """An audit line for something that is not a domain decision (a notification sent, a card viewed)."""
    await store.append_audit(case_id, {"event": event, "actor": actor, "at": at.isoformat(), **_plain(details)})


async def history(store: Store, case_id: str) -> list[dict[str, Any]]:
    return await store.read_audit(case_id)
