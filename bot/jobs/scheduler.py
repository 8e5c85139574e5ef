"""The scheduler shell: every tick, one instance (the lease holder) sends what is due.

What is due is decided by pure functions (bot.guideline.due, bot.guideline.med); this shell only
takes the storage lease, asks, sends and records. With several instances exactly one runs the
tick; each item is recorded as sent in its document, so it is sent once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.logs import fields
from bot.storage.store import Store

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]
LEASE = "scheduler"


@dataclass
class Scheduler:
    store: Store
    jobs: Sequence[tuple[str, Job]]
    interval: float = 60.0
    lease_seconds: int = 60
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    _task: asyncio.Task[None] | None = None
    _last_loop: float | None = None  # monotonic time the loop last began or ended a tick
    _ticking: bool = False
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def tick(self) -> bool:
        """Run every job once if this instance holds the lease; False if another instance does."""
        lease = await self.store.acquire_lease(LEASE, self.owner, self.lease_seconds)
        if lease is None:
            return False
        for name, job in self.jobs:
            try:
                await job()
            except Exception:  # one failing job must not starve the others
                log.exception("scheduled job failed", extra=fields(job=name))
        return True

    async def _loop(self) -> None:
        while not self._stop.is_set():
            self._last_loop, self._ticking = time.monotonic(), True
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            self._last_loop, self._ticking = time.monotonic(), False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    def alive(self, now: float | None = None) -> bool:
        """The loop runs: a tick is under way (a MED broadcast may take many minutes, and the lease
        keeps it honest), or the last one ended lately."""
        if self._task is None or self._task.done() or self._last_loop is None:
            return False
        now = time.monotonic() if now is None else now
        return self._ticking or now - self._last_loop <= 3 * self.interval + 60.0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self, grace: float = 30.0) -> None:
        """Let a running tick finish (its jobs see their own stop flags), then end the loop."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
