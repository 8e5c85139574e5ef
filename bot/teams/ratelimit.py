"""Sliding-window pacing for outbound Teams messages.

Teams throttles a bot per conversation thread (7 a second, 8 per 2 s, 60 per 30 s, 1800 an hour)
and per app (about 50 requests a second). A 429 costs at least a second of Retry-After, so we pace
ourselves below the limits instead of bouncing off them. Pure bookkeeping plus an injected clock and
sleep, so tests can run hours of virtual time in milliseconds.
"""

from __future__ import annotations

import asyncio
import bisect
import email.utils
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: (most requests, per seconds) for one conversation thread.
TEAMS_CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
#: (most requests, per seconds) for the whole app in one tenant.
TEAMS_APP_WINDOWS: tuple[tuple[int, float], ...] = ((50, 1.0),)
#: How many conversations the limiter remembers. More than 50 requests a second for 30 s: the least
#: recently used one was last used over 80 s ago, outside every window but the hourly 1800, which
#: only a conversation in constant use (so never the least recently used) comes near.
MAX_KEYS = 4096
#: Never park a sender longer than this on one answer (a Retry-After of hours is not waited for).
MAX_RETRY_AFTER = 300.0


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: float


class WindowLog:
    """When the requests under a set of windows happened, trimmed to what the windows can see.

    A request in flight counts as happening *now*; once answered it counts at the time of the
    answer. The connector stamps a request somewhere between our send and its answer, so counting
    the answer time keeps us under its windows whatever the latency, with no guessed margin.
    """

    def __init__(self, windows: Sequence[Window], slack: float) -> None:
        self._windows = windows
        self._slack = slack
        self._keep = max(w.limit for w in windows)
        self._horizon = max(w.seconds for w in windows) + slack
        self._done: list[float] = []  # sorted answer times
        self.in_flight = 0

    def wait(self, now: float) -> float:
        """Seconds until one more request fits every window (0 when it fits now)."""
        longest = 0.0
        for w in self._windows:
            if self.in_flight + len(self._done) < w.limit:
                continue
            # The limit-th newest request must have left the window before another may go.
            behind = w.limit - self.in_flight
            newest = now if behind <= 0 else self._done[-behind]
            longest = max(longest, newest + w.seconds + self._slack - now)
        return longest

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, at: float) -> None:
        self.in_flight -= 1
        bisect.insort(self._done, at)
        if len(self._done) > self._keep:
            del self._done[: len(self._done) - self._keep]

    def idle(self, now: float) -> bool:
        """True when nothing in the log can still matter (the key may be forgotten)."""
        return self.in_flight == 0 and (not self._done or self._done[-1] + self._horizon <= now)


def _windows(spec: Iterable[tuple[int, float]]) -> tuple[Window, ...]:
    result = tuple(Window(int(n), float(s)) for n, s in spec)
    if not result or any(w.limit < 1 or w.seconds <= 0 for w in result):
        raise ValueError("windows need a positive limit and duration")
    return result


class RateLimiter:
    """Waits until a request for `key` fits the per-key windows and the app-wide windows.

    Callers for one key are served first come, first served (a per-key lock); callers whose key is
    ready then queue, again in order, for the app-wide slot. So a busy conversation never holds up
    the others, and no caller is overtaken by a later one for the same resource.

    `slack` lengthens every window a little more, for clocks that are not quite in step.
    """

    def __init__(
        self,
        windows: Iterable[tuple[int, float]] = TEAMS_CONVERSATION_WINDOWS,
        app_windows: Iterable[tuple[int, float]] = TEAMS_APP_WINDOWS,
        *,
        slack: float = 0.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if slack < 0:
            raise ValueError("slack must not be negative")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._max_keys = max_keys
        self._used: OrderedDict[str, None] = OrderedDict()  # every remembered key, least recent first
        self._key_windows = _windows(windows)
        self._app_log = WindowLog(_windows(app_windows), slack)
        self._slack = slack
        self._clock = clock
        self._sleep = sleep
        self._logs: dict[str, WindowLog] = {}
        self._key_locks: dict[str, asyncio.Lock] = {}
        self._app_lock = asyncio.Lock()
        self._not_before: dict[str, float] = {}

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[float]:
        """Hold one request slot for `key` while the request is on its way; yields the grant time.

        The slot counts as busy until the block exits, then at the exit time (see WindowLog).
        """
        log, granted = await self._grant(key)
        try:
            yield granted
        finally:
            self._finish(key, log)

    async def acquire(self, key: str) -> float:
        """Take a slot whose request happens at once (the grant time is the request time)."""
        async with self.slot(key) as granted:
            return granted

    async def _grant(self, key: str) -> tuple[WindowLog, float]:
        self._touch(key)
        lock = self._key_locks.setdefault(key, asyncio.Lock())
        log = self._logs.get(key)
        if log is None:
            log = self._logs[key] = WindowLog(self._key_windows, self._slack)
        async with lock:
            await self._wait_until(lambda now: self._key_wait(key, log, now))
            async with self._app_lock:
                # Holding the key lock: the key's own wait cannot grow while we queue here.
                now = await self._wait_until(self._app_log.wait)
                log.start()
                self._app_log.start()
                return log, now

    def _finish(self, key: str, log: WindowLog) -> None:
        now = self._clock()
        log.finish(now)
        self._app_log.finish(now)
        self._forget_idle(key)
        self._forget_oldest_idle()
        self._trim()

    def defer(self, key: str, seconds: float) -> None:
        """Hold every request for `key` back for `seconds` (the connector's Retry-After)."""
        until = self._clock() + seconds
        self._not_before[key] = max(self._not_before.get(key, until), until)
        self._touch(key)

    def _key_wait(self, key: str, log: WindowLog, now: float) -> float:
        return max(log.wait(now), self._not_before.get(key, now) - now)

    async def _wait_until(self, wait_for: Callable[[float], float]) -> float:
        while True:
            now = self._clock()
            wait = wait_for(now)
            if wait <= 0:
                return now
            await self._sleep(wait)

    def _touch(self, key: str) -> None:
        self._used[key] = None
        self._used.move_to_end(key)

    def _busy(self, key: str, now: float) -> bool:
        """In use or held back: a request waits for or holds the key, or a Retry-After runs."""
        lock = self._key_locks.get(key)
        if lock is not None and (lock.locked() or getattr(lock, "_waiters", None)):
            return True
        log = self._logs.get(key)
        return (log is not None and log.in_flight > 0) or self._not_before.get(key, now) > now

    def _drop(self, key: str) -> None:
        self._logs.pop(key, None)
        self._key_locks.pop(key, None)
        self._not_before.pop(key, None)
        self._used.pop(key, None)

    def _forget_idle(self, key: str) -> None:
        # A key whose every window has passed is forgotten at once.
        now = self._clock()
        log = self._logs.get(key)
        if self._busy(key, now) or (log is not None and not log.idle(now)):
            return
        self._drop(key)

    def _forget_oldest_idle(self) -> None:
        """Forget the least recently used keys while nothing in their logs can still matter (their
        hour has passed, nothing waits for them): exact, like `_forget_idle`, but for keys that are
        never used again. Without it a conversation touched once stayed until `max_keys` newer ones
        pushed it out, so a stream of new people grew the limiter for hours; now it holds the last
        hour's conversations. Stops at the first key still in use: the cost is the keys dropped."""
        now = self._clock()
        while self._used:
            key = next(iter(self._used))
            log = self._logs.get(key)
            if self._busy(key, now) or (log is not None and not log.idle(now)):
                return
            self._drop(key)

    def _trim(self) -> None:
        """Past `max_keys`, forget the least recently used keys that nothing waits for (see MAX_KEYS).
        A broadcast touches thousands of conversations once; without this every one stayed."""
        if len(self._used) <= self._max_keys:
            return
        now = self._clock()
        for key in list(self._used):
            if len(self._used) <= self._max_keys:
                break
            if not self._busy(key, now):
                self._drop(key)

    @property
    def remembered(self) -> int:
        """How many conversations the limiter holds state for (for tests and metrics)."""
        return len(set(self._logs) | set(self._key_locks) | set(self._not_before) | set(self._used))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """The seconds a connector's Retry-After asks for: delta-seconds or an HTTP date, at most
    `MAX_RETRY_AFTER`; None when absent or unreadable. Read by the proactive sender (which then
    holds the conversation back here, `RateLimiter.defer`) and by the connector clients' own
    retries (connector_http.py)."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds: float = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))
