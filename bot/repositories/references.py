"""Conversation references: how the bot reaches a person or a MED channel.

- `refs/users/{aad_object_id}.json`: {"aad_object_id", "reference" (the Bot Framework
  ConversationReference as JSON), "locale"}.
- `refs/channels/{team_id}/{channel_id}.json`: {"team_id", "channel_id", "reference"}, written
  when a channel is registered as a unit's MED channel (the Teams side's channel book).

`bot.teams.reference_book.ReferenceBook` (the Teams side) keeps a small memory in front of this.
"""

from __future__ import annotations

from typing import Any

from bot.errors import AlreadyExists
from bot.repositories.documents import Unchanged, update
from bot.storage import names
from bot.storage.store import Store


class References:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def user(self, aad_object_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.user_ref(aad_object_id))
        return doc.data if doc else None

    async def create_user(self, aad_object_id: str, data: dict[str, Any]) -> bool:
        """Create-only (one write, no read): False when the person has a document already."""
        try:
            await self.store.put(names.user_ref(aad_object_id), data, etag=None)
        except AlreadyExists:
            return False
        return True

    async def put_user(self, aad_object_id: str, data: dict[str, Any]) -> None:
        """Last writer wins, but a create race is never lost, and an equal document is not written."""

        def put(stored: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if stored == data:
                raise Unchanged  # a turn of the same person, running at the same time, wrote it
            return data, None

        await update(self.store, names.user_ref(aad_object_id), put)

    async def channel(self, team_id: str, channel_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(names.channel_ref(team_id, channel_id))
        return doc.data if doc else None

    async def put_channel(self, team_id: str, channel_id: str, data: dict[str, Any]) -> None:
        """As `put_user`: an equal document is not written."""

        def put(stored: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if stored == data:
                raise Unchanged
            return data, None

        await update(self.store, names.channel_ref(team_id, channel_id), put)
