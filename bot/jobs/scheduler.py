"""The scheduler shell: every tick, one instance (the lease holder) sends what is due.

What is due is decided by pure functions (bot.guideline.due, bot.guideline.med); this shell only
takes the storage lease, asks, sends and records. With several instances exactly one runs the
tick; each item is recorded as sent in its document, so it is sent once.

The lease is renewed while the tick runs (every third of its length), and every send in the
tick first checks that it still holds (`bot.jobs.send_guard`): this instance's own deadline is
counted from before each successful acquire, so it ends no later than the store's. A renewal
that fails, comes too late, or finds another holder marks the lease lost; the tick then stops
sending and ends, and what it had not sent is left to the new holder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.hosting.logs import fields
from bot.jobs.send_guard import LeaseLost, guarded, lease_lost
from bot.services.ports import Clock, SystemClock
from bot.storage import names
from bot.storage.store import Store

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]
LEASE = names.SCHEDULER_LEASE


@dataclass
class Scheduler:
    store: Store
    jobs: Sequence[tuple[str, Job]]
    interval: float = 60.0
    lease_seconds: int = 60
    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    clock: Clock = field(default_factory=SystemClock)  # the same time the store's leases use
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # between renewals
    _task: asyncio.Task[None] | None = None
    _last_loop: float | None = None  # monotonic time the loop last began or ended a tick
    _ticking: bool = False
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def tick(self) -> bool:
        """Run every job once if this instance holds the lease; False if another instance does."""
        asked = self.clock.now().timestamp()
        lease = await self.store.acquire_lease(LEASE, self.owner, self.lease_seconds)
        if lease is None:
            return False
        held = _Held(lease.token, asked + self.lease_seconds)
        renewing = asyncio.get_running_loop().create_task(self._renew(held))

        async def still_held() -> None:
            if held.lost or self.clock.now().timestamp() >= held.until:
                held.lost = True
                raise LeaseLost("the scheduler lease is no longer ours")

        try:
            with guarded(still_held, alone=True):
                for name, job in self.jobs:
                    if held.lost:
                        break
                    try:
                        await job()
                    except Exception as exc:  # one failing job must not starve the others
                        if lease_lost(exc):
                            break
                        log.exception("scheduled job failed", extra=fields(job=name))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        if held.lost:
            log.warning("scheduler lease lost during a tick; it stopped sending", extra=fields())
        return True

    async def _renew(self, held: _Held) -> None:
        """Keep the lease while the tick runs; mark it lost when that fails or comes too late."""
        while not held.lost:
            await self.sleep(self.lease_seconds / 3)
            asked = self.clock.now().timestamp()
            try:
                lease = await self.store.acquire_lease(LEASE, self.owner, self.lease_seconds)
            except Exception:  # the store hiccuped: try again; the deadline still applies
                log.warning("scheduler lease renewal failed", extra=fields())
                continue
            if lease is None or lease.token != held.token or asked >= held.until:
                held.lost = True  # another instance holds it, or may have held it in between
                return
            held.until = asked + self.lease_seconds

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


@dataclass
class _Held:
    """The lease as this tick knows it: until when it is surely ours, and whether it was lost."""

    token: str
    until: float  # seconds since the epoch, on the scheduler's clock
    lost: bool = False
