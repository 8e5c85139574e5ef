"""MED evaluations: `med/evaluations/{unit_tag}/{period}.json`, the domain's MedEvaluation as stored.

Tagged kind=med_evaluation, period, unit. An evaluation stored before the canonical unit form sits
under an older digest of the unit's name (`legacy`); the service copies it to its canonical name
the first time it is read (create-only, so two instances agree). Follow-up markers
(`med/followups/{unit_tag}/{period}.json`, create-only) say a unit was followed up once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from bot.errors import AlreadyExists
from bot.repositories.documents import update
from bot.storage import names
from bot.storage.store import Store

T = TypeVar("T")
READ_CONCURRENCY = 16


class MedEvaluationRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def get(self, unit: str, period_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.med_evaluation(unit, period_id))
        return doc.data if doc else None

    async def get_legacy(self, tag: str, period_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.legacy_med_evaluation(tag, period_id))
        return doc.data if doc else None

    async def copy_in(self, unit: str, period_id: str, data: dict[str, Any]) -> None:
        """Store a legacy evaluation under its canonical name, unless another instance did."""
        with contextlib.suppress(AlreadyExists):
            await self.store.put(
                names.med_evaluation(unit, period_id),
                data,
                etag=None,
                tags=names.med_evaluation_tags(unit, period_id),
            )

    async def change(
        self, unit: str, period_id: str, apply: Callable[[dict[str, Any] | None], tuple[dict[str, Any], T]]
    ) -> T:
        """Read-modify-write with the ETag (`apply` raises Unchanged: nothing written, None)."""
        return await update(
            self.store,
            names.med_evaluation(unit, period_id),
            apply,
            tags=lambda _d: names.med_evaluation_tags(unit, period_id),
        )

    async def stored_tags(self, period_id: str) -> set[str]:
        """The unit tags that have an evaluation document for the period (one listing)."""
        found = await self.store.find(names.med_evaluations_where(period_id))
        return {names.med_evaluation_unit_tag(name) for name in found}

    async def of_period(self, period_id: str) -> dict[str, dict[str, Any]]:
        """The period's stored evaluations by unit tag (read 16 side by side)."""
        found = await self.store.find(names.med_evaluations_where(period_id))
        gate = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(name: str) -> tuple[str, dict[str, Any]] | None:
            async with gate:
                doc = await self.store.get(name)
            return None if doc is None else (names.med_evaluation_unit_tag(name), doc.data)

        return dict(r for r in await asyncio.gather(*(read(n) for n in found)) if r is not None)

    async def mark_followed_up(self, unit: str, period_id: str, marker: dict[str, Any]) -> bool:
        """Once per unit and period: False when the unit was followed up before."""
        try:
            await self.store.put(names.med_followup(unit, period_id), marker, etag=None)
        except AlreadyExists:
            return False
        return True
