"""Activities already taken: Teams re-sends an activity whose turn took over 15 seconds.

A repeated activity id must not be processed twice (the files downloaded again, every answer
given twice). The claim is one create-only document per (conversation, activity id) in the store,
so a re-send that reaches another instance is recognised too, and any number of messages arriving
at once never contend for one document (its name: `bot.storage.names.seen`). This class is the
claims' repository. Bounded: a job deletes claims older than `keep_for`
(Teams re-sends within seconds), found through their `at` tag, never by a scan.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.errors import AlreadyExists
from bot.services.ports import Clock
from bot.storage import names
from bot.storage.store import Store


class SeenActivities:
    def __init__(self, store: Store, clock: Clock, keep_for: timedelta = timedelta(hours=1)) -> None:
        self._store = store
        self._clock = clock
        self._keep_for = keep_for

    async def first_time(self, conversation_id: str, activity_id: str) -> bool:
        """Claim the id; False when it was claimed before (a re-send)."""
        at = self._clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            await self._store.put(
                names.seen(conversation_id, activity_id), {"at": at}, etag=None, tags=names.seen_tags(at)
            )
        except AlreadyExists:
            return False
        return True

    async def forget_old(self) -> int:
        """Delete claims older than `keep_for` (a scheduler job); returns how many."""
        cutoff = (self._clock.now() - self._keep_for).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        old = await self._store.find({names.KIND: names.SEEN}, at_most={"at": cutoff})
        for name in old:
            await self._store.delete(name)
        return len(old)
