"""bench_scale counts a figure's Python calls in its warm-up run: garbage left by earlier work (a
seed's finished tasks, each with weakref callbacks) is not the figure's, and must not be counted
when a collection happens to run during the warm-up."""

from __future__ import annotations

import asyncio
import gc
import weakref

from benchmarks.bench_scale import python_calls


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


async def test_garbage_from_before_is_not_counted() -> None:
    async def figure() -> None:
        _ = [{"i": i} for i in range(3000)]  # enough allocation for a collection to run
        await asyncio.sleep(0)

    gc.collect()
    alone = await python_calls(figure)
    seen: weakref.WeakSet[_Node] = weakref.WeakSet()
    for _ in range(2000):
        seen.add(_Node())  # each freed by the collector, each calling back into the WeakSet
    after_garbage = await python_calls(figure)
    assert after_garbage < alone + 100, (alone, after_garbage)
