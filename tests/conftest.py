"""Shared fixtures: build the app through its one door (create_app) and talk to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp.test_utils import TestClient, TestServer

from app import Overrides, create_app
from bot.hosting.settings import Settings
from bot.storage.store import Store
from tests.app_client import AppClient


@asynccontextmanager
async def running_app(
    settings: Settings, store: Store | None = None, *, overrides: Overrides | None = None
) -> AsyncIterator[AppClient]:
    """The app over HTTP on 127.0.0.1; `overrides` plugs in fakes (its store wins over `store`)."""
    overrides = overrides or Overrides(store=store)
    client = TestClient(TestServer(create_app(settings, overrides=overrides), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
