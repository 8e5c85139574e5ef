"""Give every stored case the index tags this version writes (today: `figures`, the MED figures' tag).

A case gets its tags whenever it is written, so only cases stored before the tag existed lack it,
and a query on the tag would miss them. This job, run by the scheduler, writes those cases back
unchanged with their new tags, a batch per tick, and records how far it got in one marker
document (written with the ETag). Once it has gone through every case it marks itself done, and
from then on `done()` lets the MED figures ask the index for the cases that can count (until then
they read all of a workplace's cases, which is slower but gives the same figures).
"""

from __future__ import annotations

import contextlib

from bot.errors import AlreadyExists, Conflict
from bot.repositories.cases import CaseRepository
from bot.storage import names
from bot.storage.store import Store

MARKER = names.CASE_TAGS_MIGRATION
BATCH = 500


class TagsComplete:
    """Whether every stored case has this version's tags; asked of the store until it says yes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._yes = False  # once done, done for good: cases written later get the tags anyway

    async def __call__(self) -> bool:
        if not self._yes:
            found = await self.store.get(MARKER)
            self._yes = bool(found and found.data.get("done"))
        return self._yes


class CaseTagMigration:
    def __init__(self, cases: CaseRepository, batch: int = BATCH) -> None:
        self.cases = cases
        self.batch = batch
        self.done = TagsComplete(cases.store)

    async def run(self) -> int:
        """One batch: the next cases by name after the marker's; how many were written back."""
        if await self.done():
            return 0
        store = self.cases.store
        marker = await store.get(MARKER)
        after = str(marker.data.get("after", "")) if marker else ""
        batch = [name for name in await store.find(names.cases_where()) if name > after][: self.batch]
        written = 0
        for name in batch:
            written += await self.cases.retag(name)
        progress = {"after": batch[-1] if batch else after, "done": not batch}
        # Another instance moved the marker meanwhile (the scheduler's lease makes that rare):
        # its progress stands, and this batch's cases carry their tags whatever the marker says.
        with contextlib.suppress(Conflict, AlreadyExists):
            await store.put(MARKER, progress, etag=marker.etag if marker else None)
        return written
