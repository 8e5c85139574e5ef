"""Counters: `counters/case-number-{year}.json`, the next case number of a year."""

from __future__ import annotations

from typing import Any

from bot.services.docs import update
from bot.storage import names
from bot.storage.store import Store


class CaseNumbers:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def take(self, year: int) -> int:
        """The year's next number, incremented with the ETag: no two cases share one."""

        def bump(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
            value = int((current or {}).get("next", 1))
            return {"year": year, "next": value + 1}, value

        number: int = await update(self.store, names.case_number_counter(year), bump, attempts=50)
        return number
