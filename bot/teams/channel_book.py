"""Team channels' conversation references, looked up by team and channel id (the Teams side).

The services name a MED channel by its team and channel id (`Notifier.to_channel`); this book finds
the channel's conversation reference. Its durable copy is, for now, the unit record that registered
the channel (`med/units/{unit}.json`, written by the registration since unit records exist, and
moved there from the older `med/channels/...` records): every stored record already carries it, so
no migration run is needed. A reference read is kept in memory, so a broadcast that posts to many
units sharing a channel, or a second round, reads it once per process (a channel's reference does
not change while it stays registered; a re-registration replaces the cached copy via `remember`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.repositories.med_units import UnitRecords
from bot.services.bounded import Lru
from bot.storage.store import Store


class ChannelBook:
    def __init__(self, store: Store, *, memory: int = 10_000) -> None:
        self.records = UnitRecords(store)
        self._known: Lru[tuple[str, str], dict[str, Any]] = Lru(memory)
        self.service_url = ""  # of the last channel reference seen, "" before any

    def remember(self, team_id: str, channel_id: str, reference: Mapping[str, Any]) -> None:
        """Keep a channel's reference (as just seen in a turn, or used for a send)."""
        self._known.put((team_id, channel_id), dict(reference))
        self.service_url = str(reference.get("serviceUrl") or "") or self.service_url

    async def any_service_url(self) -> str:
        """The service URL of a channel seen, else of any registered channel's reference (one
        listing, one read): where Teams takes this bot's messages; "" when no channel is known."""
        if not self.service_url:
            for record in await self.records.serving_any(1):
                if record.channel is not None and record.channel.reference:
                    self.remember(record.channel.team_id, record.channel.channel_id, record.channel.reference)
        return self.service_url

    async def reference(self, team_id: str, channel_id: str) -> dict[str, Any] | None:
        """The channel's reference, or None when no unit has it registered (nor had it this process)."""
        known = self._known.get((team_id, channel_id))
        if known is not None:
            return known
        for record in await self.records.serving(team_id, channel_id):
            channel = record.channel
            if channel is not None and channel.is_at(team_id, channel_id) and channel.reference:
                self.remember(team_id, channel_id, channel.reference)
                return dict(channel.reference)
        return None
