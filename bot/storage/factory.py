"""Pick the Store from settings: Azure Blob when configured, else a local folder."""

from __future__ import annotations

from pathlib import Path

from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store


async def open_store(
    connection_string: str | None,
    container: str,
    account_url: str | None,
    data_dir: Path,
) -> Store:
    """A connection string wins (Azurite, key-based accounts); an account URL means managed
    identity; neither means the local folder `data_dir`. Blob containers are created if missing."""
    if connection_string:
        store = BlobStore.from_connection_string(connection_string, container)
    elif account_url:
        store = BlobStore.from_account_url(account_url, container)
    else:
        return LocalStore(data_dir)
    try:
        await store.ensure_container()
    except BaseException:
        await store.close()
        raise
    return store
