"""Draft records: `drafts/{user}.json`, one per employee with a report in progress.

Tagged kind=draft and `touched` (a UTC stamp), so the expiry job finds old drafts without a scan.
The draft's logic (reservations, closing, discarding) is `bot.services.drafts.DraftIndex`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.repositories.documents import Recent, update
from bot.storage import names
from bot.storage.store import Document, Store

T = TypeVar("T")
Data = dict[str, Any]


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def draft_tags(data: Data) -> dict[str, str]:
    return names.draft_tags(str(data["touched"]))


class DraftRecords:
    def __init__(self, store: Store) -> None:
        self.store = store
        # What this instance last wrote of each draft: the report's submit closes the draft without
        # reading it first when this instance wrote it last (a guess, checked by the ETag).
        self.recent = Recent(name="drafts written")

    async def create(self, user: str, data: Data) -> None:
        """Create-only (AlreadyExists when the person has a draft document)."""
        etag = await self.store.put(names.draft(user), data, etag=None, tags=draft_tags(data))
        self.recent.keep(names.draft(user), data, etag)

    async def get(self, user: str) -> Document | None:
        return await self.store.get(names.draft(user))

    async def change(self, user: str, mutate: Callable[[Data | None], tuple[Data, T]], *, attempts: int = 8) -> T:
        """Read-modify-write with the ETag (`mutate` raises Unchanged: nothing written, None)."""
        return await update(
            self.store, names.draft(user), mutate, tags=draft_tags, attempts=attempts, recent=self.recent
        )

    async def delete(self, user: str, *, etag: str | None = None) -> None:
        """With `etag`, only if nobody wrote it since (Conflict)."""
        self.recent.take(names.draft(user))  # a guess of a deleted draft would only cost a conflict
        await self.store.delete(names.draft(user), etag=etag)

    async def untouched_since(self, moment: datetime) -> list[Data]:
        out = []
        for name in await self.store.find({names.KIND: names.DRAFT}, at_most={"touched": stamp(moment)}):
            doc = await self.store.get(name)
            if doc is not None:
                out.append(doc.data)
        return out
