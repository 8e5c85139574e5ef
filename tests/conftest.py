"""Shared fixtures: build the app through its one door (create_app) and talk to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer

from app import Overrides, create_app
from bot.settings import Settings
from bot.storage.store import Store


@asynccontextmanager
async def running_app(settings: Settings, store: Store | None = None) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(create_app(settings, overrides=Overrides(store=store)), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
