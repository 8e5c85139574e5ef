"""Read-modify-write on one document with the ETag, retried when another writer got there first.

Every write that can race goes through `update`: the caller gives a pure function from the current
data (or None) to the new data; on Conflict the document is re-read and the function re-applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bot.errors import AlreadyExists, Conflict
from bot.storage.store import Store

T = TypeVar("T")
Data = dict[str, Any]


class Unchanged(Exception):
    """Raised by a mutator to say: nothing to write (idempotent repeat)."""


async def update(
    store: Store,
    name: str,
    mutate: Callable[[Data | None], tuple[Data, T]],
    *,
    tags: Callable[[Data], Mapping[str, str]] | None = None,
    attempts: int = 8,
) -> T:
    """Apply `mutate` to the document and write it conditionally; returns mutate's second value.

    `mutate` must be pure: it may run more than once when writers race.
    """
    last: Exception | None = None
    for _ in range(attempts):
        doc = await store.get(name)
        current = doc.data if doc else None
        try:
            new, result = mutate(current)
        except Unchanged:
            return None  # type: ignore[return-value]
        try:
            await store.put(name, new, etag=doc.etag if doc else None, tags=tags(new) if tags else None)
            return result
        except (Conflict, AlreadyExists) as exc:
            last = exc
    raise Conflict(f"gave up on {name} after {attempts} attempts") from last


async def upsert(store: Store, name: str, data: Data, *, tags: Mapping[str, str] | None = None) -> None:
    """Last writer wins, but never a lost create/overwrite race (used for conversation references)."""

    def replace(_current: Data | None) -> tuple[Data, None]:
        return data, None

    await update(store, name, replace, tags=(lambda _d: tags) if tags is not None else None)


async def get_many(store: Store, names: list[str], concurrency: int = 16) -> list[Data]:
    """Read several documents at once (bounded), in the given order; missing ones are left out."""
    gate = asyncio.Semaphore(concurrency)

    async def one(name: str) -> Data | None:
        async with gate:
            doc = await store.get(name)
        return doc.data if doc is not None else None

    found = await asyncio.gather(*(one(n) for n in names))
    return [d for d in found if d is not None]
