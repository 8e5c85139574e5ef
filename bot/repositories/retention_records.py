"""What retention keeps of its own: deletion records, erasure markers and MED's anonymous figures.

- `deletions/{case_id}.json` (kind=deletion), create-only: a deleted case's number, when, the rule
  and who asked. Kept on purpose: it is the proof that the case went.
- `erasures/{case_id}.json`: HR's erasure request while it runs, so a run killed in the middle is
  finished by the next tick; deleted when the case is gone.
- `stats/med/{period}.json`: deleted cases counted by unit digest and category; the list of case
  numbers counted makes the count idempotent.
"""

from __future__ import annotations

import contextlib
from typing import Any

from bot.errors import AlreadyExists
from bot.repositories.documents import Unchanged, update
from bot.storage import names
from bot.storage.store import Store


class RetentionRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record_deletion(self, case_id: str, record: dict[str, Any]) -> None:
        """Once per case (a run that died after this step finds it written)."""
        with contextlib.suppress(AlreadyExists):
            await self.store.put(names.deletion(case_id), record, etag=None, tags=names.deletion_tags())

    async def deletion(self, case_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.deletion(case_id))
        return doc.data if doc else None

    async def mark_erasure(self, case_id: str, marker: dict[str, Any]) -> None:
        with contextlib.suppress(AlreadyExists):
            await self.store.put(names.erasure(case_id), marker, etag=None)

    async def unmark_erasure(self, case_id: str) -> None:
        await self.store.delete(names.erasure(case_id))

    async def erasures(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """Erasures under way (case id, marker), at most `limit`."""
        out = []
        for name in (await self.store.list(names.ERASURES))[:limit]:
            found = await self.store.get(name)
            if found is not None:
                out.append((names.erasure_case_id(name), found.data))
        return out

    async def count_deleted(self, period_id: str, unit: str, category: str, number: str) -> None:
        """Add one deleted case to the period's figures, unless its number was counted already."""

        def add(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            data = current or {"period": period_id, "units": {}, "counted": []}
            if number in data["counted"]:
                raise Unchanged()
            units = {key: dict(value) for key, value in data["units"].items()}
            units.setdefault(unit, {})
            units[unit][category] = units[unit].get(category, 0) + 1
            return {"period": period_id, "units": units, "counted": [*data["counted"], number]}, None

        await update(self.store, names.stats_med(period_id), add)  # Unchanged: counted by a run that died

    async def med_figures(self, period_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.stats_med(period_id))
        return doc.data if doc else None
