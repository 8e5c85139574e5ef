"""Conversation references: how the bot reaches a person or a MED channel.

- `refs/users/{aad_object_id}.json`: {"aad_object_id", "reference" (the Bot Framework
  ConversationReference as JSON), "locale"}.
- `refs/channels.json`: {"channels": [{"team_id", "channel_id", "reference"}, ...]}, one entry
  per channel ever registered as a unit's MED channel (the Teams side's channel book). One
  document, so the MED round reads every channel's reference with one read; it is written only
  when a channel is registered (rare), with the ETag.

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

    async def channels(self) -> list[dict[str, Any]]:
        """Every kept channel: {"team_id", "channel_id", "reference"}."""
        doc = await self.store.get(names.CHANNEL_REFS)
        found = doc.data.get("channels") if doc else None
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    async def put_channel(self, team_id: str, channel_id: str, reference: dict[str, Any]) -> None:
        """Add or replace one channel's entry (re-applied on a lost race); an equal one is not written."""
        entry = {"team_id": team_id, "channel_id": channel_id, "reference": reference}

        def put(stored: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            channels = list((stored or {}).get("channels") or [])
            others = [c for c in channels if (c.get("team_id"), c.get("channel_id")) != (team_id, channel_id)]
            if len(others) < len(channels) and entry in channels:
                raise Unchanged
            return {**(stored or {}), "channels": [*others, entry]}, None

        await update(self.store, names.CHANNEL_REFS, put)
