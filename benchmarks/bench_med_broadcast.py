"""MED reminder broadcast: time to reach 300 channels through the throttling fake connector.

The claim to check: the sender's pacing runs at Teams' binding limit (50 requests a second per
app; one message per channel never touches the per-conversation windows) within 1.2x of the least
time those limits allow, with no 429, no duplicate and no loss. The least time is the greedy
schedule under the app window: 50 at 0 s, 50 at 1 s, ... the last 50 at (300/50 - 1) = 5 s.

The fake connector runs either in this process (sharing its GIL with the sender) or in a child
process, as the real connector would be elsewhere.

    .venv/bin/python -m benchmarks.bench_med_broadcast [--channels 300] [--concurrency 4 8 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter

from app import build_adapter
from bot.hosting.settings import Settings
from bot.services.broadcast import broadcast
from bot.teams.ratelimit import TEAMS_APP_WINDOWS, RateLimiter
from bot.teams.sender import TeamsSender
from tests.fakes.connector import FakeConnector


def app_adapter() -> CloudAdapter:
    """The adapter exactly as app.py builds it (no app id: local, like these fakes)."""
    return build_adapter(Settings.from_env({}))


def least_time(messages: int, windows: tuple[tuple[int, float], ...] = TEAMS_APP_WINDOWS) -> float:
    """When the last message may go at the earliest, each sent as soon as every window allows."""
    times: list[float] = []
    for i in range(messages):
        t = times[-1] if times else 0.0
        for limit, seconds in windows:
            if i >= limit:
                t = max(t, times[i - limit] + seconds)
        times.append(t)
    return times[-1] if times else 0.0


def times_least(elapsed: float, floor: float, digits: int = 2) -> str:
    """`elapsed` as a multiple of the least time, or "n/a" when that is 0 s: up to the first
    window's count (50) every message may go at once, and no ratio to nothing means anything."""
    return f"{elapsed / floor:.{digits}f}" if floor > 0 else "n/a"


def _items(service_url: str, channels: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (
            f"unit{n:03d}",
            {
                "serviceUrl": service_url,
                "channelId": "msteams",
                "bot": {"id": "28:bot"},
                "conversation": {"id": f"19:unit{n:03d}@thread.tacv2", "conversationType": "channel"},
            },
            {"type": "message", "text": "MED-evaluering"},
        )
        for n in range(channels)
    ]


def connector_stats(fake: FakeConnector) -> dict[str, Any]:
    per_channel = Counter(m.conversation_id for m in fake.messages())
    # time.monotonic is the system's monotonic clock: comparable with the parent's
    first = min((m.at for m in fake.messages()), default=None)
    last = max((m.at for m in fake.messages()), default=None)
    return {
        "per_channel": dict(per_channel),
        "throttled": len(fake.throttled),
        "requests": fake.requests,
        "first_at": first,
        "last_at": last,
    }


class ChildConnector:
    """The throttling fake connector in a child process, as the real one would be elsewhere."""

    def __init__(self) -> None:
        self.service_url = ""
        self._child: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> ChildConnector:
        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.bench_med_broadcast",
            "--serve-fake",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._child.stdout is not None
        self.service_url = (await self._child.stdout.readline()).decode().strip()
        return self

    async def stats(self) -> dict[str, Any]:
        """What the connector saw; it stops afterwards."""
        assert self._child is not None and self._child.stdin is not None and self._child.stdout is not None
        self._child.stdin.write(b"dump\n")
        await self._child.stdin.drain()
        stats: dict[str, Any] = json.loads(await self._child.stdout.readline())
        return stats

    async def __aexit__(self, *_exc: object) -> None:
        if self._child is not None:
            if self._child.returncode is None:
                self._child.kill()
            await self._child.wait()


async def _run(service_url: str, channels: int, concurrency: int) -> tuple[float, int, int]:
    adapter = app_adapter()
    sender = TeamsSender(adapter, "", RateLimiter())
    started = time.monotonic()
    try:
        result = await broadcast(sender, _items(service_url, channels), concurrency=concurrency)
    finally:
        await adapter.bot_framework_authentication.close()  # the kept connector clients' session
    return time.monotonic() - started, len(result.sent), len(result.failed)


async def _in_process(channels: int, concurrency: int) -> tuple[float, dict[str, Any], int]:
    async with FakeConnector() as fake:
        elapsed, _, failed = await _run(fake.service_url, channels, concurrency)
        return elapsed, connector_stats(fake), failed


async def _in_child(channels: int, concurrency: int) -> tuple[float, dict[str, Any], int]:
    async with ChildConnector() as child:
        elapsed, _, failed = await _run(child.service_url, channels, concurrency)
        return elapsed, await child.stats(), failed


async def _serve_fake() -> None:
    async with FakeConnector() as fake:
        print(fake.service_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        print(json.dumps(connector_stats(fake)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 64])
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        asyncio.run(_serve_fake())
        return

    floor = least_time(args.channels)
    print(f"MED broadcast to {args.channels} channels; least time the limits allow: {floor:.2f} s\n")
    print("| fake connector | concurrency | time (s) | x least | 429s | duplicates | lost | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for where, run in (("in process", _in_process), ("child process", _in_child)):
        for concurrency in args.concurrency:
            elapsed, stats, failed = asyncio.run(run(args.channels, concurrency))
            counts = stats["per_channel"]
            duplicates = sum(c - 1 for c in counts.values() if c > 1)
            lost = args.channels - len(counts)
            print(
                f"| {where} | {concurrency} | {elapsed:.2f} | {times_least(elapsed, floor)} | {stats['throttled']} "
                f"| {duplicates} | {lost} | {failed} |"
            )


if __name__ == "__main__":
    main()
