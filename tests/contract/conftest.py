"""Fixtures for the storage contract: every test runs against each Store implementation.

`azurite` starts the emulator once per session (it fails, never skips, when it cannot start).
`store` gives each test a fresh folder, a fresh container, or a fresh in-memory store (the fake
the service tests use: it must keep the same contract).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store
from tests.fakes.azurite import running_azurite
from tests.fakes.memory import MemoryStore


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    with running_azurite() as connection_string:
        yield connection_string


@pytest.fixture(params=["local", pytest.param("blob", marks=pytest.mark.azurite), "memory"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "memory":
        memory = MemoryStore()
        yield memory
        await memory.close()
        return
    if request.param == "local":
        local = LocalStore(tmp_path / "store")
        yield local
        await local.close()
        return
    connection_string: str = request.getfixturevalue("azurite")
    blob = BlobStore.from_connection_string(connection_string, f"t{uuid.uuid4().hex[:24]}")
    await blob.ensure_container()
    try:
        yield blob
    finally:
        await blob.close()


@pytest.fixture
def lease_seconds(store: Store) -> int:
    """The shortest lease each store allows: Azure's minimum is 15 s."""
    return 1 if isinstance(store, LocalStore | MemoryStore) else 15
