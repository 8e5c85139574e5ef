"""Case numbers stay unique across instances and old bots without one hot write per report."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.repositories.counters import CaseNumbers
from bot.repositories.documents import update
from bot.storage import names
from bot.storage.local import LocalStore


class CountingStore(LocalStore):
    """The local store, counting the counter's writes and refused writes (the contention)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.writes = 0

    async def put(
        self, name: str, data: Mapping[str, Any], *, etag: str | None, tags: Mapping[str, str] | None = None
    ) -> str:
        self.writes += name == names.case_number_counter(2026)
        return await super().put(name, data, etag=etag, tags=tags)


async def legacy_take(store: LocalStore, year: int) -> int:
    """What bots before the blocks did: one ETag increment of the same document per case."""

    def bump(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
        value = int((current or {}).get("next", 1))
        return {"year": year, "next": value + 1}, value

    number: int = await update(store, names.case_number_counter(year), bump, attempts=50)
    return number


async def test_twenty_reports_at_once_take_two_counter_writes(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    numbers = CaseNumbers(store, block=10)
    got = await asyncio.gather(*(numbers.take(2026) for _ in range(20)))
    assert sorted(got) == list(range(1, 21))
    assert store.writes == 2  # one per block, no writer racing another


async def test_two_instances_and_an_old_bot_never_share_a_number(tmp_path: Path) -> None:
    first, second = LocalStore(tmp_path), LocalStore(tmp_path)  # two instances on one store
    a, b = CaseNumbers(first, block=7), CaseNumbers(second, block=5)
    jobs = [a.take(2026) for _ in range(40)] + [b.take(2026) for _ in range(40)]
    jobs += [legacy_take(first, 2026) for _ in range(15)]
    got = await asyncio.gather(*jobs)
    assert len(set(got)) == len(got) == 95
    mine = got[:40]
    assert mine == sorted(mine)  # rising within an instance


async def test_a_stop_gives_back_the_unused_numbers_when_nobody_came_after(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    old = CaseNumbers(store, block=10)
    assert [await old.take(2026) for _ in range(3)] == [1, 2, 3]
    await old.close()
    assert await CaseNumbers(store, block=10).take(2026) == 4  # no gap after a restart


async def test_a_stop_leaves_the_counter_alone_when_another_block_was_taken(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    a, b = CaseNumbers(store, block=10), CaseNumbers(store, block=10)
    assert await a.take(2026) == 1
    assert await b.take(2026) == 11
    await a.close()  # 2..10 stay unused: giving them back would hand out 11 twice
    assert await CaseNumbers(store, block=10).take(2026) == 21
    assert await b.take(2026) == 12


async def test_each_year_counts_from_one_and_an_existing_counter_goes_on(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    await store.put(names.case_number_counter(2026), {"year": 2026, "next": 42}, etag=None)  # an older bot
    numbers = CaseNumbers(store, block=3)
    assert await numbers.take(2026) == 42
    assert await numbers.take(2027) == 1
    assert await numbers.take(2026) == 43
