"""The opt-in memory trace (MEMORY_TRACE_FILE): off, nothing runs; on, it names what grows and how
full each bounded memory is, with code locations only."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from app import Overrides, create_app
from bot.hosting.memory_trace import MemoryTrace
from bot.hosting.settings import Settings
from bot.services.bounded import Lru
from bot.storage.local import LocalStore

PERSON = "5d1e7c8a-0000-4000-8000-00000000abcd"


async def run_app(tmp_path: Path, env: dict[str, str]) -> bool:
    """Start and stop the app; whether tracemalloc ran while it was up."""
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), **env})
    store = LocalStore(tmp_path / "data")
    app = create_app(settings, overrides=Overrides(store=store, run_scheduler=False))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/healthz")).status == 200
        tracing = tracemalloc.is_tracing()
    finally:
        await client.close()
    await store.close()
    return tracing


async def test_off_by_default_nothing_traces(tmp_path: Path) -> None:
    assert Settings.from_env({}).memory_trace_file is None
    assert await run_app(tmp_path, {}) is False
    assert not (tmp_path / "trace.jsonl").exists()


async def test_on_the_app_traces_and_stops_with_it(tmp_path: Path) -> None:
    assert await run_app(tmp_path, {"MEMORY_TRACE_FILE": str(tmp_path / "trace.jsonl")}) is True
    assert not tracemalloc.is_tracing()


async def test_samples_name_the_growing_line_and_how_full_each_memory_is(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    remembered: Lru[str, str] = Lru(8, "test memory")
    kept: list[bytes] = []
    trace = MemoryTrace(path, 0.05)
    trace.start()
    try:
        for i in range(40):
            kept.append(bytes(20_000))  # grows for the whole run, as a leak would
            remembered.put(f"{PERSON}-{i}", PERSON)  # stops at its bound
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.15)
    finally:
        await trace.stop()
    assert not tracemalloc.is_tracing()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) >= 3
    last = lines[-1]
    grown = {row["where"]: row["kib_diff"] for row in last["since_first"]}
    assert any(where.endswith("test_memory_trace.py:" + str(_line_of("bytes(20_000)"))) for where in grown), grown
    assert {"name": "test memory", "len": 8, "bound": 8} in last["caches"]
    assert PERSON not in path.read_text()  # code locations and counts, never what was stored


def _line_of(snippet: str) -> int:
    for number, line in enumerate(Path(__file__).read_text().splitlines(), start=1):
        if snippet in line and "kept.append" in line:
            return number
    raise AssertionError(snippet)
