"""Slow work after a fast answer: Teams gives an invoke about 15 s, card updates can wait.

Tasks are kept referenced until done and logged if they fail; tests `drain()` to make it
deterministic. Nothing here may be the only record of anything: what must not be lost lives in
the store first (the case is the outbox), so a crash only delays it to the next tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        self.start(work, what)

    def start(self, work: Coroutine[Any, Any, T], what: str) -> asyncio.Task[T]:
        """Like `spawn`, and the caller may also wait for the task (for a while)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background work failed", exc_info=t.exception(), extra={"fields": {"what": what}})

        task.add_done_callback(done)
        return task

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
