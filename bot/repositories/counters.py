"""Counters: `counters/case-number-{year}.json`, the next free case number of a year, handed out
in small blocks per instance.

The counter document holds the next free number. Writing it
for every new case made it the one hot document of the report flow: twenty employees pressing
"send" in the same second meant twenty writers racing on one ETag, each loser re-reading and
trying again (the report's "send" turn had a p99 of three times its median). Now an instance
reserves a block of numbers with one ETag write and hands them out from memory, one reservation
in flight at a time; the other "send"s of that moment wait for it instead of racing.

Guarantees and what they cost (docs/architecture.md):
- Unique across instances: a block is taken with the counter's ETag, and no two blocks overlap.
  Bots of an older version, which take one number per write on the same document, stay safe.
- Numbers rise within an instance. With two instances their blocks interleave, so across
  instances a later report can carry a lower number.
- Gaps: numbers of a block not handed out when the instance stops are given back if nobody took
  a block since (the counter still ends at ours); otherwise, and after a crash, they stay unused.
  A gap is at most one block minus one per instance stop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.repositories.documents import Unchanged, update
from bot.storage import names
from bot.storage.store import Store

BLOCK = 10


class CaseNumbers:
    def __init__(self, store: Store, block: int = BLOCK) -> None:
        if block < 1:
            raise ValueError("a block holds at least one number")
        self.store = store
        self._block = block
        self._free: dict[int, tuple[int, int]] = {}  # year -> (next to hand out, end of block)
        self._lock = asyncio.Lock()

    async def take(self, year: int) -> int:
        """The year's next number for this instance: no two cases, on any instance, share one."""
        async with self._lock:  # one reservation in flight; the others wait for its numbers
            start, end = self._free.get(year, (0, 0))
            if start >= end:
                start, end = await self._reserve(year)
            self._free[year] = (start + 1, end)
        return start

    async def _reserve(self, year: int) -> tuple[int, int]:
        block = self._block

        def bump(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
            first = int((current or {}).get("next", 1))
            return {"year": year, "next": first + block}, first

        first: int = await update(self.store, names.case_number_counter(year), bump, attempts=50)
        return first, first + block

    async def close(self) -> None:
        """Give back what this instance reserved and did not hand out, where nobody came after."""
        async with self._lock:
            for year, (start, end) in list(self._free.items()):
                if start >= end:
                    continue

                def give_back(
                    current: dict[str, Any] | None, year: int = year, start: int = start, end: int = end
                ) -> tuple[dict[str, Any], None]:
                    if current is None or int(current.get("next", 0)) != end:
                        raise Unchanged  # another block was taken after ours: the numbers stay unused
                    return {"year": year, "next": start}, None

                await update(self.store, names.case_number_counter(year), give_back)
                del self._free[year]
