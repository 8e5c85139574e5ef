"""The audit trail: one JSON line per domain event, appended to `audit/{case_id}.log`.

Who, what, when, and the value before and after. Lines are never rewritten; the case card's
"Historik" reads them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.guideline.events import Event
from bot.guideline.serialize import event_to_dict
from bot.storage.store import Store


async def record_events(store: Store, events: Iterable[Event]) -> None:
    for event in events:
        await store.append_audit(event.case_id, event_to_dict(event))


async def record(store: Store, case_id: str, event: str, actor: str, at: datetime, **details: Any) -> None:
    """An audit line for something that is not a domain decision (a notification sent, a card viewed)."""
    await store.append_audit(case_id, {"type": event, "actor": actor, "at": at.isoformat(), **details})

