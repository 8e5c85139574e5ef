"""/healthz is liveness, /readyz readiness: the store answers and the scheduler loop runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from app import Overrides, create_app
from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from bot.storage.store import Document
from tests.app_client import AppClient


class BrokenStore(LocalStore):
    """A store whose reads fail, as when the storage account is unreachable."""

    broken = False

    async def get(self, name: str) -> Document | None:
        if self.broken:
            raise ConnectionError("storage unreachable")
        return await super().get(name)


@asynccontextmanager
async def app_client(tmp_path: Path, store: LocalStore, *, run_scheduler: bool) -> AsyncIterator[AppClient]:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings, overrides=Overrides(store=store, run_scheduler=run_scheduler))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def test_ready_when_the_store_answers_and_the_scheduler_runs(tmp_path: Path) -> None:
    store = BrokenStore(tmp_path / "data")
    async with app_client(tmp_path, store, run_scheduler=True) as client:
        response = await client.get("/readyz")
        assert response.status == 200
        assert await response.json() == {"status": "ok", "store": "ok", "scheduler": "ok"}
        store.broken = True
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["store"] == "failing"
        assert (await client.get("/healthz")).status == 200  # liveness does not depend on the store
    await store.close()


async def test_not_ready_without_a_running_scheduler(tmp_path: Path) -> None:
    store = BrokenStore(tmp_path / "data")
    async with app_client(tmp_path, store, run_scheduler=False) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        assert await response.json() == {"status": "failing", "store": "ok", "scheduler": "failing"}
    await store.close()


async def test_a_long_tick_keeps_the_scheduler_alive_and_a_dead_loop_does_not(tmp_path: Path) -> None:
    import asyncio

    from bot.jobs.scheduler import Scheduler

    store = LocalStore(tmp_path / "data")
    release = asyncio.Event()

    async def long_job() -> None:
        await release.wait()

    scheduler = Scheduler(store, [("long", long_job)], interval=3600)
    assert not scheduler.alive()  # not started
    scheduler.start()
    await asyncio.sleep(0.05)
    assert scheduler.alive(now=10**9)  # a tick is under way, however long it takes
    release.set()
    await asyncio.sleep(0.05)
    assert scheduler.alive()
    assert not scheduler.alive(now=10**9)  # between ticks, but silent far too long
    await scheduler.stop()
    assert not scheduler.alive()
    await store.close()
