"""The audit trail: one JSON line per domain event, appended to `audit/{case_id}.log`.

Who, what, when, and the value before and after. Lines are never rewritten; the case card's
"Historik" reads them back.

Durable: a line is first written into the case document's `audit` outbox in the same ETag write
as the change it describes (a decision, a new case, a notification recorded as sent), so the
process can die after that write without losing it. `flush` then appends the outbox's lines to
the log and removes them from the outbox. A flush that fails (or never runs) leaves them in the
outbox; the case's index entry says it is due, so the next scheduler tick (also at start-up)
flushes it. Each line has an id: a line already in the log is not appended again, and readers
drop the rare duplicate two concurrent flushes can leave.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.guideline.events import Event
from bot.guideline.serialize import event_to_dict
from bot.hosting.logs import fields
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.documents import Unchanged
from bot.storage.store import Store

log = logging.getLogger(__name__)


def event_lines(events: Iterable[Event]) -> list[dict[str, Any]]:
    """Audit lines for domain events, to put into the case's outbox with the change."""
    return [{"id": uuid.uuid4().hex, **event_to_dict(event)} for event in events]


def note_line(event: str, actor: str, at: datetime, **details: Any) -> dict[str, Any]:
    """An audit line for something that is not a domain decision (a notification sent, ...)."""
    return {"id": uuid.uuid4().hex, "type": event, "actor": actor, "at": at.isoformat(), **details}


async def record_events(store: Store, events: Iterable[Event]) -> None:
    """Append domain events straight to the log, not through a case's outbox. For building logs
    (fixtures, imports); a service recording a change writes `event_lines` with the change."""
    for line in event_lines(events):
        await store.append_audit(str(line["case_id"]), line)  # lines of several cases: one by one


async def record(store: Store, case_id: str, event: str, actor: str, at: datetime, **details: Any) -> None:
    """Append one note straight to the log (see `record_events`)."""
    await store.append_audit(case_id, note_line(event, actor, at, **details))


async def append_new(store: Store, case_id: str, lines: list[dict[str, Any]]) -> set[str]:
    """Append to the case's log the lines it does not hold yet (by id), in order; returns the ids
    of the given lines that are now in the log. Never raises for a store failure: it stops there
    (logged), and the lines not returned stay for the case's outbox and the next tick."""
    return (await _append_new(store, case_id, lines))[0]


async def _append_new(store: Store, case_id: str, lines: list[dict[str, Any]]) -> tuple[set[str], int]:
    """`append_new`, and how many lines it appended (the others were in the log already). The new
    lines go in one store call (one append, one fsync), not one call each."""
    if not lines:
        return set(), 0
    try:
        logged = {str(line.get("id")) for line in await store.read_audit(case_id) if line.get("id")}
    except Exception:
        log.warning("audit lines not appended yet; they wait in the case's outbox", extra=fields(case_id=case_id))
        return set(), 0
    new: list[dict[str, Any]] = []
    for line in lines:
        line_id = str(line.get("id"))
        if line_id not in logged:
            logged.add(line_id)
            new.append(line)
    try:
        if new:
            await store.append_audit_lines(case_id, new)
    except Exception:
        # Some may be in the log now: the outbox keeps them all, and the next flush appends only
        # those the log does not hold (a line a torn append left twice is read once: `trail`).
        log.warning("audit lines not appended yet; they wait in the case's outbox", extra=fields(case_id=case_id))
        return set(), 0
    return {str(line.get("id")) for line in lines}, len(new)


async def flush(repo: CaseRepository, case_id: str) -> int:
    """Append the case's pending audit lines to its log, then take them out of the outbox.

    Returns how many lines were appended. Never raises for a store failure: the lines stay
    in the outbox and the next tick tries again (logged)."""
    try:
        doc = await repo.get(case_id)
        if not doc.audit:
            return 0
        done, appended = await _append_new(repo.store, case_id, doc.audit)
        if not done:
            return 0

        def drop(current: CaseDoc) -> tuple[CaseDoc, None]:
            kept = [line for line in current.audit if str(line.get("id")) not in done]
            if len(kept) == len(current.audit):
                raise Unchanged
            return replace(current, audit=kept), None

        await repo.change(case_id, drop)
        return appended
    except Exception:  # the outbox keeps the lines; the next tick retries
        log.warning("audit lines not appended yet; they wait in the case's outbox", extra=fields(case_id=case_id))
        return 0


async def trail(store: Store, case_id: str) -> list[dict[str, Any]]:
    """The case's audit log, each line once (two flushes racing may both have appended one)."""
    seen: set[str] = set()
    out = []
    for line in await store.read_audit(case_id):
        line_id = line.get("id")
        if isinstance(line_id, str):
            if line_id in seen:
                continue
            seen.add(line_id)
        out.append(line)
    return out
