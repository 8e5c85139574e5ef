"""MED reminder end to end: MedService (claim, card with figures, send, record) to 300 workplaces.

Same measurement as bench_med_broadcast, but through the real service and store, so the
"record before and after each send" costs are included. Of the 300 workplaces, `--chats` (50) have
no MED channel: their reminder goes to their leader's chat, and as those leaders never wrote to
the bot, Teams must open each chat first (one more request under the app's 50 a second). So the
least time is that of 250 + 2 x 50 = 350 requests. Store: local folder, or Azurite.

    .venv/bin/python -m benchmarks.bench_med_service [--units 300] [--chats 50] [--azurite]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import WORKER_THREADS
from benchmarks.bench_med_broadcast import ChildConnector, app_adapter, connector_stats, least_time
from bot.chat.med_input import RegisterChannel
from bot.guideline.med import MedSchedule
from bot.guideline.med_units import Workplace
from bot.guideline.model import Person
from bot.presenters.med_cards import MedCards
from bot.services.med import MedService, Place
from bot.services.refs import ReferenceBook
from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store
from bot.teams.ratelimit import RateLimiter
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

    return MedService(
        store,
        sender,
        _Clock(),
        MedSchedule(),
        threshold=3,
        followup_weeks=4,
        workplaces=workplaces,
        is_hr=is_hr,
        hr_ids=lambda: [],
        tell_hr=_nobody,
        references=ReferenceBook(store),
        painter=MedCards(),
        tenant_id="tenant",
    )


async def run(store: Store, units: int, chats: int, child: bool) -> tuple[float, int, int, int, int, float, float]:
    async with ChildConnector() if child else _InProcess() as fake:
        sender = TeamsSender(app_adapter(), "", RateLimiter())
        registering = _service(store, sender, units)
        for i in range(units - chats):
            cid = f"19:c{i:03d}@thread.tacv2"
            ref = {
                "serviceUrl": fake.service_url,
                "channelId": "msteams",
                "bot": {"id": "28:bot"},
                "conversation": {"id": cid, "conversationType": "channel"},
            }
            place = Place("hr", "HR", "19:team@thread.tacv2", cid, ref)
            await registering.units.register(RegisterChannel(f"Enhed {i}", "", "LMU"), place)
        med = _service(store, sender, units)  # a fresh instance, as on the reminder date months later
        start = time.monotonic()
        sent = await med.send_due()
        elapsed = time.monotonic() - start
        stats = await fake.stats()
        first = stats["first_at"] - start  # the connector stamps with time.monotonic (system-wide)
        last = stats["last_at"] - start  # the last reminder delivered
        per = stats["per_channel"]
        duplicates = sum(n - 1 for n in per.values() if n > 1)
        lost = units - len(per)
        return elapsed, sent.channels, sent.chats, duplicates, lost, first, last


async def main_async(units: int, chats: int, azurite: bool) -> None:
    # As the app runs (app.py sets the same pool): the connector client sends from worker threads.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
    rows = []
    for child in (False, True):
        where = "child process" if child else "in process"
        with tempfile.TemporaryDirectory() as tmp:
            store: Store = LocalStore(Path(tmp))
            rows.append(("local folder", where, *await run(store, units, chats, child)))
            await store.close()
        if azurite:
            with running_azurite() as conn:
                blob = BlobStore.from_connection_string(conn, "benchmed")
                await blob.ensure_container()
                rows.append(("Azurite", where, *await run(blob, units, chats, child)))
                await blob.close()
    floor = least_time(units + chats)  # each new chat is opened (one request) before its message
    print(
        "| store | fake connector | channels | chats | time (s) | first send after (s) | last delivered after (s) "
        "| least time (s) | x least | duplicates | lost |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, where, elapsed, in_channels, in_chats, dup, lost, first, last in rows:
        ratio = elapsed / floor
        print(
            f"| {name} | {where} | {in_channels} | {in_chats} | {elapsed:.2f} | {first:.2f} | {last:.2f} | {floor:.2f} "
            f"| {ratio:.2f} | {dup} | {lost} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--chats", type=int, default=50, help="units without a channel (reminded in a chat)")
    parser.add_argument("--azurite", action="store_true")
    args = parser.parse_args()
    asyncio.run(main_async(args.units, args.chats, args.azurite))


if __name__ == "__main__":
    main()
