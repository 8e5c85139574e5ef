"""MED reminder end to end: MedService (claim, card with figures, send, record) to every workplace.

Same measurement as bench_med_broadcast, but through the real service and store, so the
"record before and after each send" costs are included. Of the `--units` workplaces (300), `--chats`
(one in six: 50) have no MED channel: their reminder goes to their leader's chat, and as those
leaders never wrote to the bot, Teams must open each chat first (one more request under the app's
50 a second). So the least time is that of 250 + 2 x 50 = 350 requests. Store: local folder, or
Azurite. Besides the time: this process's CPU during the round (all threads; steadier than the
time on a shared machine) and how far its resident set grew (with the connector in a child
process, that is the bot's own memory: flat means it does not grow with the number of units).

    .venv/bin/python -m benchmarks.bench_med_service [--units 300] [--chats 50] \
        [--stores local azurite] [--connector in child] [--runs 3] [--tracemalloc] [--before DIR]

Store requests per unit are counted too: they do not depend on the machine's load. `--before DIR`
runs the same benchmark from an older checkout (`git archive <commit> | tar -x -C DIR`) right
after each round of this one, in a child process, so both see the same machine: its rows are
marked "before".
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from botbuilder.integration.aiohttp import CloudAdapter

from app import WORKER_THREADS
from benchmarks.bench_med_broadcast import ChildConnector, app_adapter, connector_stats, least_time, times_least
from bot.chat.med_input import RegisterChannel
from bot.guideline.med import MedSchedule
from bot.guideline.med_units import Workplace
from bot.guideline.model import Person
from bot.guideline.policy import DeadlinePolicy
from bot.presenters.med_cards import MedCards
from bot.repositories.cases import CaseRepository
from bot.services.case_tags import CaseTagMigration
from bot.services.med import MedService, Place
from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store
from bot.teams.channel_book import ChannelBook
from bot.teams.notifier import TeamsNotifier
from bot.teams.ratelimit import RateLimiter
from bot.teams.reference_book import ReferenceBook
from bot.teams.sender import TeamsSender
from tests.fakes.azurite import running_azurite
from tests.fakes.connector import FakeConnector


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 9, 1, 8, tzinfo=UTC)


async def _nobody(_key: str, _values: dict[str, object]) -> None:
    return None


class _InProcess:
    """The fake connector in this process (sharing the sender's CPU and GIL)."""

    def __init__(self) -> None:
        self._fake = FakeConnector()
        self.service_url = ""

    async def __aenter__(self) -> _InProcess:
        await self._fake.__aenter__()
        self.service_url = self._fake.service_url
        return self

    async def stats(self) -> dict[str, Any]:
        return connector_stats(self._fake)

    async def __aexit__(self, *exc: object) -> None:
        await self._fake.__aexit__(None, None, None)


def _leader(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _service(store: Store, sender: TeamsSender, units: int) -> MedService:
    places = [Workplace(f"Enhed {i}", Person(_leader(i), f"Leder {i}")) for i in range(units)]

    async def workplaces() -> list[Workplace]:
        return places

    async def is_hr(actor: str) -> bool:
        return actor == "hr"

    references = ReferenceBook(store)
    channels = ChannelBook(store)
    return MedService(
        store,
        TeamsNotifier(sender, references, "tenant", channels),  # as app.py wires it
        _Clock(),
        MedSchedule(),
        threshold=3,
        followup_weeks=4,
        workplaces=workplaces,
        is_hr=is_hr,
        tell_hr=_nobody,
        languages=references,
        painter=MedCards(),
        channel_book=channels,
        channel_seen=channels.remember,
    )


@dataclass
class Outcome:
    """One round, as the connector and this process saw it."""

    elapsed: float  # until send_due returned (records written, follow-ups checked)
    channels: int
    chats: int
    duplicates: int
    lost: int
    throttled: int  # 429s the connector answered
    first: float  # first reminder delivered, after the start
    last: float  # last reminder delivered, after the start
    cpu: float  # this process's CPU seconds (all threads) during the round
    rss_start: float  # MiB when the round starts (after seeding)
    rss_growth: float  # MiB the resident set grew to at its peak during the round
    requests: dict[str, int]  # store requests by kind
    traced_peak: float | None  # MiB Python allocated at most during the round (--tracemalloc)


class CountingStore:
    """The store, counting the requests the round makes of it (steady on a shared machine)."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.counts: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in _COUNTED:
            return attr

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return await attr(*args, **kwargs)

        return counted


_COUNTED = {"get", "put", "delete", "find", "list", "append_audit", "append_audit_lines", "read_audit"}


class _PeakRss:
    """Samples this process's resident set every 20 ms in a thread (the round's peak)."""

    def __init__(self) -> None:
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss())

    def __enter__(self) -> _PeakRss:
        self.start = self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


_PAGE = os.sysconf("SC_PAGE_SIZE")
_MIB = 1024 * 1024


async def _seed(store: Store, sender: TeamsSender, service_url: str, units: int, chats: int) -> None:
    """Register a MED channel for every unit but the last `chats` (as HR, side by side)."""
    registering = _service(store, sender, units)
    gate = asyncio.Semaphore(16)
    team = "19:team@thread.tacv2"

    def channel(i: int) -> str:
        return f"19:c{i:04d}@thread.tacv2"

    async def register(i: int) -> None:
        place = Place("hr", "HR", team, channel(i))
        async with gate:
            await registering.units.register(RegisterChannel(f"Enhed {i}", "", "LMU"), place)

    await asyncio.gather(*(register(i) for i in range(units - chats)))
    # As the MED edge does after each registration (one after another: registrations by hand do
    # not come 16 at once, and the channel book is one document).
    book = ChannelBook(store)
    for i in range(units - chats):
        ref = {
            "serviceUrl": service_url,
            "channelId": "msteams",
            "bot": {"id": "28:bot"},
            "conversation": {"id": channel(i), "conversationType": "channel"},
        }
        await book.keep(team, channel(i), ref)
    # As months after deployment: the scheduler's case-tags job has long marked every case tagged
    # (else each card would ask the store whether it has, and read the unit's whole history).
    migration = CaseTagMigration(CaseRepository(store, DeadlinePolicy()))
    while await migration.run() or not await migration.done():
        pass


async def run(store: Store, units: int, chats: int, child: bool, traced: bool = False) -> Outcome:
    adapter = app_adapter()
    try:
        return await _round(adapter, store, units, chats, child, traced)
    finally:
        await adapter.bot_framework_authentication.close()  # the kept connector clients' session


async def _round(adapter: CloudAdapter, store: Store, units: int, chats: int, child: bool, traced: bool) -> Outcome:
    async with ChildConnector() if child else _InProcess() as fake:
        sender = TeamsSender(adapter, "", RateLimiter())
        await _seed(store, sender, fake.service_url, units, chats)
        counting = CountingStore(store)
        med = _service(cast(Store, counting), sender, units)  # a fresh instance, as on the reminder date
        gc.collect()
        if traced:
            tracemalloc.start()
        with _PeakRss() as memory:
            cpu = time.process_time()
            start = time.monotonic()
            sent = await med.send_due()
            elapsed = time.monotonic() - start
            cpu = time.process_time() - cpu
        traced_peak = tracemalloc.get_traced_memory()[1] / _MIB if traced else None
        tracemalloc.stop()
        stats = await fake.stats()
        per = stats["per_channel"]
        return Outcome(
            elapsed=elapsed,
            channels=sent.channels,
            chats=sent.chats,
            duplicates=sum(n - 1 for n in per.values() if n > 1),
            lost=units - len(per),
            throttled=stats["throttled"],
            # the connector stamps with time.monotonic (system-wide, comparable across processes)
            first=stats["first_at"] - start,
            last=stats["last_at"] - start,
            cpu=cpu,
            rss_start=memory.start / _MIB,
            rss_growth=(memory.peak - memory.start) / _MIB,
            requests=dict(counting.counts),
            traced_peak=traced_peak,
        )


async def _one(store_name: str, units: int, chats: int, child: bool, traced: bool) -> Outcome:
    if store_name == "local":
        with tempfile.TemporaryDirectory() as tmp:
            store: Store = LocalStore(Path(tmp))
            try:
                return await run(store, units, chats, child, traced)
            finally:
                await store.close()
    with running_azurite() as conn:
        blob = BlobStore.from_connection_string(conn, "benchmed")
        await blob.ensure_container()
        try:
            return await run(blob, units, chats, child, traced)
        finally:
            await blob.close()


def _before(before: Path, units: int, chats: int, store: str, connector: str, traced: bool) -> list[str]:
    """One round of the benchmark as the checkout in `before` has it (its table rows and notes)."""
    command = [sys.executable, "-m", "benchmarks.bench_med_service", "--units", str(units), "--chats", str(chats)]
    command += ["--stores", store, "--connector", connector, "--runs", "1"] + (["--tracemalloc"] if traced else [])
    out = subprocess.run(command, cwd=before, capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines() if line.startswith(("| local", "| Azurite", "  "))]
    return [f"| before {line[1:]}" if line.startswith("|") else f"  before:{line}" for line in rows]


async def main_async(
    units: int,
    chats: int,
    stores: list[str],
    connectors: list[str],
    runs: int,
    traced: bool,
    before: Path | None = None,
) -> None:
    # As the app runs (app.py sets the same pool): the connector client sends from worker threads.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
    floor = least_time(units + chats)  # each new chat is opened (one request) before its message
    print(
        f"MED reminder to {units} units ({units - chats} channels, {chats} chats to open); "
        f"least time Teams' limits allow: {floor:.2f} s\n"
    )
    print(
        "| store | fake connector | channels | chats | time (s) | first delivered (s) | last delivered (s) "
        "| x least | CPU (s) | CPU per unit (ms) | RSS at start (MiB) | RSS growth (MiB) | 429s | duplicates | lost |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for connector in connectors:
        for store_name in stores:
            for _ in range(runs):
                o = await _one(store_name, units, chats, connector == "child", traced)
                print(
                    f"| {_STORES[store_name]} | {_CONNECTORS[connector]} | {o.channels} | {o.chats} "
                    f"| {o.elapsed:.2f} | {o.first:.2f} | {o.last:.2f} | {times_least(o.elapsed, floor, 3)} "
                    f"| {o.cpu:.2f} | {1000 * o.cpu / units:.1f} | {o.rss_start:.0f} | {o.rss_growth:.1f} "
                    f"| {o.throttled} | {o.duplicates} | {o.lost} |",
                    flush=True,
                )
                per_unit = ", ".join(f"{k} {n / units:.2f}" for k, n in sorted(o.requests.items()))
                print(f"  store requests per unit: {sum(o.requests.values()) / units:.2f} ({per_unit})", flush=True)
                if o.traced_peak is not None:
                    print(f"  Python allocations at their peak during the round: {o.traced_peak:.1f} MiB", flush=True)
                if before is not None:
                    rows = await asyncio.to_thread(_before, before, units, chats, store_name, connector, traced)
                    print("\n".join(rows), flush=True)


_STORES = {"local": "local folder", "azurite": "Azurite"}
_CONNECTORS = {"in": "in process", "child": "child process"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument(
        "--chats", type=int, default=None, help="units without a channel, reminded in a chat (default: one in six)"
    )
    parser.add_argument("--stores", nargs="+", choices=sorted(_STORES), default=["local"])
    parser.add_argument("--azurite", action="store_true", help="same as --stores local azurite")
    parser.add_argument("--connector", nargs="+", choices=sorted(_CONNECTORS), default=["in", "child"])
    parser.add_argument("--runs", type=int, default=1, help="rounds per store and connector")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python's allocations (slower: for memory, not time)"
    )
    parser.add_argument(
        "--before", type=Path, help="also run the benchmark of this older checkout after each round (alternating)"
    )
    args = parser.parse_args()
    chats = args.units // 6 if args.chats is None else args.chats
    if not 0 <= chats <= args.units:
        parser.error("--chats must be between 0 and --units")
    stores = ["local", "azurite"] if args.azurite else args.stores
    asyncio.run(main_async(args.units, chats, stores, args.connector, args.runs, args.tracemalloc, args.before))


if __name__ == "__main__":
    main()
