"""MED reminder end to end: MedService (claim, card with figures, send, record) to 300 channels.

Same measurement as bench_med_broadcast, but through the real service and store, so the
"record before and after each send" costs are included. Store: local folder, or Azurite.

    .venv/bin/python -m benchmarks.bench_med_service [--channels 300] [--azurite]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from app import WORKER_THREADS
from benchmarks.bench_med_broadcast import _LocalConfig, least_time
from bot.guideline.med import MedSchedule
from bot.services.med import MedService
from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store
from bot.teams.ratelimit import RateLimiter
from bot.teams.sender import TeamsSender
from bot.texts import Texts
from tests.fakes.azurite import running_azurite
from tests.fakes.connector import FakeConnector


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 9, 1, 8, tzinfo=UTC)


async def _nobody(_key: str, _values: dict[str, object]) -> None:
    return None


async def run(store: Store, channels: int) -> tuple[float, int, int, int, float]:
    async with FakeConnector() as fake:
        sender = TeamsSender(CloudAdapter(ConfigurationBotFrameworkAuthentication(_LocalConfig())), "", RateLimiter())
        med = MedService(store, sender, _Clock(), MedSchedule(), 3, 4, lambda: [], _nobody, lambda: Texts("da"))
        for i in range(channels):
            cid = f"19:c{i:03d}@thread.tacv2"
            ref = {"serviceUrl": fake.service_url, "channelId": "msteams", "bot": {"id": "28:bot"},
                   "conversation": {"id": cid, "conversationType": "channel"}}
            await med.register("19:team@thread.tacv2", cid, f"Enhed {i % 40}", "LMU", ref, "bench")
        start = time.monotonic()
        sent = await med.send_due()
        elapsed = time.monotonic() - start
        first = min(m.at for m in fake.messages()) - start  # the connector stamps with time.monotonic
        per = Counter(m.conversation_id for m in fake.messages())
        duplicates = sum(n - 1 for n in per.values() if n > 1)
        lost = channels - len(per)
        return elapsed, sent, duplicates, lost, first


async def main_async(channels: int, azurite: bool) -> None:
    # As the app runs (app.py sets the same pool): the connector client sends from worker threads.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store: Store = LocalStore(Path(tmp))
        rows.append(("local folder", *await run(store, channels)))
        await store.close()
    if azurite:
        with running_azurite() as conn:
            blob = BlobStore.from_connection_string(conn, "benchmed")
            await blob.ensure_container()
            rows.append(("Azurite", *await run(blob, channels)))
            await blob.close()
    floor = least_time(channels)
    print("| store | channels | time (s) | first send after (s) | least time (s) | x least | duplicates | lost |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, elapsed, sent, dup, lost, first in rows:
        ratio = elapsed / floor
        print(f"| {name} | {sent} | {elapsed:.2f} | {first:.2f} | {floor:.2f} | {ratio:.2f} | {dup} | {lost} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--azurite", action="store_true")
    args = parser.parse_args()
    asyncio.run(main_async(args.channels, args.azurite))


if __name__ == "__main__":
    main()
