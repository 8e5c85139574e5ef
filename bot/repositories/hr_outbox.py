"""HR's outbox: `outbox/hr/{id}.json`, a notice to HR kept until someone in HR got it.

Tagged kind=hr_notice and `due` (a UTC stamp: when to try next), so the scheduler finds what is
due without a scan. The delivery (claims, back-off) is `bot.services.hr_notices.HrNotices`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from bot.repositories.documents import update
from bot.storage import names
from bot.storage.store import Document, Store

T = TypeVar("T")
Data = dict[str, Any]


def notice_tags(data: Data) -> dict[str, str]:
    return names.hr_notice_tags(str(data["due"]))


class HrOutbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def add(self, data: Data) -> str:
        """A new notice; returns its name (the handle the other methods take)."""
        name = names.hr_notice(uuid.uuid4().hex)
        await self.store.put(name, data, etag=None, tags=notice_tags(data))
        return name

    async def due_by(self, stamp: str) -> list[str]:
        return await self.store.find({names.KIND: names.HR_NOTICE}, at_most={"due": stamp})

    async def get(self, name: str) -> Document | None:
        return await self.store.get(name)

    async def change(self, name: str, mutate: Callable[[Data | None], tuple[Data, T]]) -> T:
        """Read-modify-write with the ETag (`mutate` raises Unchanged: nothing written, None)."""
        return await update(self.store, name, mutate, tags=notice_tags)

    async def delete(self, name: str, *, etag: str) -> None:
        await self.store.delete(name, etag=etag)
