"""Team channels' conversation references, looked up by team and channel id (the Teams side).

The services name a MED channel by its team and channel id (`Notifier.to_channel`), and a unit
record names its channel by those ids alone; this book keeps and finds the channel's conversation
reference. Its durable copy is one document, `refs/channels.json`, with an entry per channel
registered, written by the MED edge when a channel is registered (`keep`, from the registering
turn) and by the move of a channel record of before unit records into the new shape
(`MedUnits.migrate`, through the services' `ChannelReferences` port): a channel not in memory
loads the whole document, so the MED round reads it once for all its channels (a read per channel
would add one store call per unit). Unit records written before
that carry the reference themselves (`channel.reference`): they are read as they are, with no
migration run; `UnitRecords` tells this book each such reference as it reads a record (`remember`,
wired by app.py as `channel_seen`), and a channel not known otherwise is looked up in the records
that have it registered.

A reference read is kept in memory, so a broadcast that posts to many units sharing a channel, or
a second round, reads it once per process (a channel's reference does not change while it stays
registered; a re-registration replaces the kept copy). It also remembers the service URL of the
last channel reference it saw, one of the places `TeamsNotifier` opens a new chat at.

When the bot is removed from a team, or the team is deleted, the team's channels are deleted from
the document (`forget`, with the ETag; a deleted channel's alone) and from this process's memory. Another instance may
still hold one in memory; its units have lost the channel in the same event (`MedUnits.deactivate`),
so no round posts there, and a post that still tries finds the bot gone (403) and records the
unit as failed, never as sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from bot.repositories.med_units import UnitRecords
from bot.repositories.references import References
from bot.services.bounded import Lru
from bot.storage.store import Store


class ChannelBook:
    def __init__(self, store: Store, *, memory: int = 10_000) -> None:
        self.stored = References(store)
        self.records = UnitRecords(store)
        self._known: Lru[tuple[str, str], dict[str, Any]] = Lru(memory, "channel references")
        self.service_url = ""  # of the last channel reference seen, "" before any
        self._loading = asyncio.Lock()
        self._loads = 0

    def remember(self, team_id: str, channel_id: str, reference: Mapping[str, Any]) -> None:
        """Keep a channel's reference in memory (as a unit record carried it, or as read)."""
        self._known.put((team_id, channel_id), dict(reference))
        self.service_url = str(reference.get("serviceUrl") or "") or self.service_url

    async def keep(self, team_id: str, channel_id: str, reference: Mapping[str, Any]) -> None:
        """Store the channel's reference (a registration's turn): MED posts find it by the ids on
        every instance, also once no unit has the channel any more (a moved channel's note)."""
        await self.stored.put_channel(team_id, channel_id, dict(reference))  # not written when equal
        self.remember(team_id, channel_id, reference)

    async def forget(self, team_id: str, channel_id: str | None = None) -> list[str]:
        """The bot can no longer post in the channel, or anywhere in the team: the references are
        deleted (from the document and from memory); returns the channel ids that were kept."""
        removed = await self.stored.delete_channels(team_id, channel_id)
        # Also those only seen in a unit record from before the book.
        self._known.drop(lambda key: key[0] == team_id and channel_id in (None, key[1]))
        return removed

    async def reference(self, team_id: str, channel_id: str) -> dict[str, Any] | None:
        """The channel's reference, or None when it was never kept nor carried by a unit record
        that has it registered (nor seen by this process)."""
        known = self._known.get((team_id, channel_id))
        if known is None:
            await self._load()
            known = self._known.get((team_id, channel_id))
        if known is not None:
            return known
        for record in await self.records.serving(team_id, channel_id):  # written before the book
            channel = record.channel
            if channel is not None and channel.is_at(team_id, channel_id) and channel.reference:
                self.remember(team_id, channel_id, channel.reference)
                return dict(channel.reference)
        return None

    async def _load(self) -> None:
        """Read the kept channels into memory; misses side by side share one read."""
        loads = self._loads
        async with self._loading:
            if self._loads != loads:
                return  # loaded while this one waited
            for entry in await self.stored.channels():
                reference = entry.get("reference")
                if isinstance(reference, dict):
                    self.remember(str(entry.get("team_id")), str(entry.get("channel_id")), reference)
            self._loads += 1

    async def any_service_url(self) -> str:
        """The service URL of a channel seen, else of the kept channels (the book's one read,
        shared with the channel posts that start beside it: a MED round opening many chats would
        otherwise list the unit records once per chat until it is known), else of any registered
        channel's reference (one listing, one or two reads): where Teams takes this bot's
        messages; "" when none is known."""
        if not self.service_url:
            await self._load()
        if not self.service_url:
            for record in await self.records.serving_any(1):
                if record.channel is not None:
                    await self.reference(record.channel.team_id, record.channel.channel_id)
        return self.service_url
