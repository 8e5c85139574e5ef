"""The limiter against virtual time: no window is ever exceeded, and no caller waits longer than needed."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine, Sequence
from typing import Any

import pytest

from bot.teams.ratelimit import TEAMS_APP_WINDOWS, TEAMS_CONVERSATION_WINDOWS, RateLimiter

Windows = Sequence[tuple[int, float]]


class VirtualTime:
    """A clock and a sleep that jump straight to the next wake-up once every task is blocked."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._seq), future))
        await future

    async def run(self, *coros: Coroutine[Any, Any, Any]) -> list[Any]:
        tasks = [asyncio.create_task(c) for c in coros]
        while True:
            await self._settle()
            if all(t.done() for t in tasks):
                return [t.result() for t in tasks]
            assert self._sleepers, "deadlock: tasks blocked with nobody sleeping"
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)

    @staticmethod
    async def _settle() -> None:
        """Yield until no other callback is ready to run (every task is blocked or done)."""
        ready = getattr(asyncio.get_running_loop(), "_ready", None)
        for _ in range(100_000):
            await asyncio.sleep(0)
            if ready is not None and not ready:
                await asyncio.sleep(0)
                if not ready:
                    return
        assert ready is None, "tasks never settled"


def limiter(
    vt: VirtualTime,
    windows: Windows = TEAMS_CONVERSATION_WINDOWS,
    app_windows: Windows = TEAMS_APP_WINDOWS,
    slack: float = 0.0,
) -> RateLimiter:
    return RateLimiter(windows, app_windows, slack=slack, clock=vt.clock, sleep=vt.sleep)


def assert_within(stamps: Sequence[float], windows: Windows) -> None:
    stamps = sorted(stamps)
    for limit, seconds in windows:
        for i in range(limit, len(stamps)):
            # Any `limit + 1` consecutive requests must span at least the window.
            assert stamps[i] - stamps[i - limit] >= seconds - 1e-9, (limit, seconds, i)


def greedy(count: int, windows: Windows) -> list[float]:
    """Earliest possible times, one after the other: what a minimal-wait limiter must produce."""
    times: list[float] = []
    for i in range(count):
        t = times[-1] if times else 0.0
        for limit, seconds in windows:
            if i >= limit:
                t = max(t, times[i - limit] + seconds)
        times.append(t)
    return times


async def test_one_conversation_follows_the_earliest_schedule_the_windows_allow() -> None:
    vt = VirtualTime()
    rl = limiter(vt)

    async def burst() -> list[float]:
        return [await rl.acquire("19:c") for _ in range(130)]

    [stamps] = await vt.run(burst())

    assert_within(stamps, TEAMS_CONVERSATION_WINDOWS)
    assert stamps == pytest.approx(greedy(130, TEAMS_CONVERSATION_WINDOWS))
    assert stamps[:7] == [0.0] * 7 and stamps[7] == 1.0 and stamps[8] == 2.0
    assert stamps[60] == pytest.approx(30.0)  # the 61st waits for the 30-second window


async def test_the_hour_window_holds_the_1801st_message() -> None:
    vt = VirtualTime()
    rl = limiter(vt)

    async def many() -> list[float]:
        return [await rl.acquire("a:1") for _ in range(1801)]

    [stamps] = await vt.run(many())

    assert_within(stamps, TEAMS_CONVERSATION_WINDOWS)
    assert stamps[1799] < 3600.0
    assert stamps[1800] == pytest.approx(3600.0)


async def test_300_conversations_run_at_the_app_limit_and_no_faster() -> None:
    vt = VirtualTime()
    rl = limiter(vt)

    stamps = await vt.run(*(rl.acquire(f"19:{i}") for i in range(300)))

    assert_within(stamps, TEAMS_APP_WINDOWS)
    assert max(stamps) == pytest.approx(5.0)  # 50 at 0 s, 1 s, ... 5 s: the least time allowed
    assert [sum(1 for s in stamps if s == second) for second in range(6)] == [50] * 6


async def test_mixed_load_never_exceeds_any_window() -> None:
    vt = VirtualTime()
    rl = limiter(vt, app_windows=((20, 1.0),))
    calls = [f"19:{i % 7}" for i in range(400)]
    granted: dict[str, list[float]] = {}

    async def one(key: str) -> None:
        granted.setdefault(key, []).append(await rl.acquire(key))

    await vt.run(*(one(k) for k in calls))

    for stamps in granted.values():
        assert_within(stamps, TEAMS_CONVERSATION_WINDOWS)
    assert_within([s for stamps in granted.values() for s in stamps], ((20, 1.0),))


async def test_callers_on_one_conversation_are_served_in_arrival_order() -> None:
    vt = VirtualTime()
    rl = limiter(vt)
    order: list[int] = []

    async def one(n: int) -> None:
        await rl.acquire("19:c")
        order.append(n)

    await vt.run(*(one(n) for n in range(30)))

    assert order == list(range(30))


async def test_a_busy_conversation_does_not_hold_up_another() -> None:
    vt = VirtualTime()
    rl = limiter(vt)

    busy = [rl.acquire("19:busy") for _ in range(20)]
    stamps = await vt.run(*busy, rl.acquire("19:quiet"))

    assert stamps[-1] == 0.0  # not queued behind the busy conversation's later slots
    assert sorted(stamps[:-1]) == pytest.approx(greedy(20, TEAMS_CONVERSATION_WINDOWS))


async def test_defer_holds_a_conversation_back_for_retry_after() -> None:
    vt = VirtualTime()
    rl = limiter(vt)
    await vt.run(rl.acquire("19:c"))
    rl.defer("19:c", 3.0)

    later, other = await vt.run(rl.acquire("19:c"), rl.acquire("19:d"))

    assert later == pytest.approx(3.0)
    assert other == 0.0


async def test_slack_widens_each_window() -> None:
    vt = VirtualTime()
    rl = limiter(vt, slack=0.1)

    async def burst() -> list[float]:
        return [await rl.acquire("19:c") for _ in range(8)]

    [stamps] = await vt.run(burst())

    assert stamps[7] == pytest.approx(1.1)


async def test_a_slot_counts_from_when_its_request_was_answered() -> None:
    # The connector stamps a request somewhere between our send and its answer: count the answer.
    vt = VirtualTime()
    rl = limiter(vt, app_windows=((1, 1.0),))

    async def slow_request() -> float:
        async with rl.slot("19:a") as granted:
            await vt.sleep(0.4)
        return granted

    first, second = await vt.run(slow_request(), rl.acquire("19:b"))

    assert first == 0.0
    assert second == pytest.approx(1.4)


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter([(0, 1.0)])
    with pytest.raises(ValueError):
        RateLimiter([(1, 0.0)])
