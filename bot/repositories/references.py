"""Conversation references: how the bot reaches a person or a MED channel.

- `refs/users/{aad_object_id}.json`: {"aad_object_id", "reference" (the Bot Framework
  ConversationReference as JSON), "locale"}.
- `refs/channels.json`: {"channels": [{"team_id", "channel_id", "reference"}, ...]}, one entry
  per channel registered as a unit's MED channel (the Teams side's channel book). One document,
  so the MED round reads every channel's reference with one read; it is written only when a
  channel is registered or its team is gone (rare), with the ETag.

Both are deleted when Teams says the bot can no longer post there: a person's when they remove the
app from their personal scope, a team's channels when the bot is removed from the team or the team
is deleted (bot/teams/handler.py).

`bot.teams.reference_book.ReferenceBook` (the Teams side) keeps a small memory in front of this.
"""

from __future__ import annotations

from typing import Any

from bot.errors import AlreadyExists, Conflict
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

    async def delete_user(self, aad_object_id: str, reference: dict[str, Any] | None = None) -> bool:
        """Delete the person's document; with `reference`, only while it still holds that one (a
        chat that failed is forgotten, a newer one written meanwhile is not). Conditional on the
        ETag of what was read, so a write in between is judged again. True when one was deleted."""
        name = names.user_ref(aad_object_id)
        for _ in range(8):
            doc = await self.store.get(name)
            if doc is None or (reference is not None and doc.data.get("reference") != reference):
                return False
            try:
                await self.store.delete(name, etag=doc.etag)
            except Conflict:
                continue  # written meanwhile: decide on what is stored now
            return True
        raise Conflict(f"gave up deleting {name}")

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

    async def delete_channels(self, team_id: str, channel_id: str | None = None) -> list[str]:
        """Remove the team's channel, or every channel of the team (re-applied on a lost race, so a
        registration written meanwhile stays); returns the channel ids removed."""

        def leaving(entry: Any) -> bool:
            return (
                isinstance(entry, dict)
                and entry.get("team_id") == team_id
                and channel_id in (None, entry.get("channel_id"))
            )

        def drop(stored: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
            channels = list((stored or {}).get("channels") or [])
            kept = [c for c in channels if not leaving(c)]
            if len(kept) == len(channels):
                raise Unchanged
            gone = [str(c.get("channel_id")) for c in channels if c not in kept]
            return {**(stored or {}), "channels": kept}, gone

        removed: list[str] | None = await update(self.store, names.CHANNEL_REFS, drop)
        return removed or []
