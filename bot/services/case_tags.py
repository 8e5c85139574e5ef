"""Give every stored case the index tags this version writes (v1: `figures`, the MED figures' tag;
v2: the case's status in the `leader` and `deputy` tags, see `names.role_tag`).

A case gets its tags whenever it is written, so only cases stored before the tag existed lack it,
and a query on the tag would miss them. This job, run by the scheduler, writes those cases back
unchanged with their new tags, a batch per tick, and records how far it got in one marker
document (written with the ETag). Once it has gone through every case it marks itself done, and
from then on `done()` lets the MED figures ask the index for the cases that can count (until then
they read all of a workplace's cases, which is slower but gives the same figures), and a person's
cases are asked by the new tags only (until then by the old ones as well).
"""

from __future__ import annotations

import contextlib

from bot.errors import AlreadyExists, Conflict
from bot.repositories.cases import CaseRepository, TagsComplete
from bot.storage import names

__all__ = ["BATCH", "MARKER", "CaseTagMigration", "TagsComplete"]

MARKER = names.CASE_TAGS_MIGRATION
BATCH = 500


class CaseTagMigration:
    def __init__(self, cases: CaseRepository, batch: int = BATCH) -> None:
        self.cases = cases
        self.batch = batch
        self.done = cases.tags_complete

    async def run(self) -> int:
        """One batch: the next cases by name after the marker's; how many were written back."""
        if await self.done():
            return 0
        store = self.cases.store
        marker = await store.get(MARKER)
        after = str(marker.data.get("after", "")) if marker else ""
        # Names only (a listing, not the index: the local store's `find` reads every document it
        # answers with, so asking it for every case each tick would read every case each tick).
        listed = await store.list(names.CASES)
        batch = [name for name in listed if name > after and name.endswith(".json")][: self.batch]
        written = 0
        for name in batch:
            written += await self.cases.retag(name)
        progress = {"after": batch[-1] if batch else after, "done": not batch}
        # Another instance moved the marker meanwhile (the scheduler's lease makes that rare):
        # its progress stands, and this batch's cases carry their tags whatever the marker says.
        with contextlib.suppress(Conflict, AlreadyExists):
            await store.put(MARKER, progress, etag=marker.etag if marker else None)
        return written
