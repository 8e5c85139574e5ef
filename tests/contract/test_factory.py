"""open_store picks the store from configuration and prepares it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.blob import BlobStore
from bot.storage.factory import open_store
from bot.storage.local import LocalStore


async def test_no_azure_configuration_means_the_local_folder(tmp_path: Path) -> None:
    store = await open_store(None, "bot", None, tmp_path / "data")
    assert isinstance(store, LocalStore)
    await store.put("cases/a.json", {"n": 1}, etag=None)
    assert (tmp_path / "data" / "cases" / "a.json").exists()
    await store.close()


@pytest.mark.azurite
async def test_connection_string_opens_a_blob_store_and_creates_the_container(azurite: str) -> None:
    store = await open_store(azurite, "factory-made", None, Path("/nonexistent"))
    try:
        assert isinstance(store, BlobStore)
        await store.put("cases/a.json", {"n": 1}, etag=None)
        again = await open_store(azurite, "factory-made", None, Path("/nonexistent"))  # idempotent
        try:
            doc = await again.get("cases/a.json")
            assert doc is not None and doc.data == {"n": 1}
        finally:
            await again.close()
    finally:
        await store.close()
