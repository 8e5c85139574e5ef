"""The MED reminders' sent records: `med/sent/{period}/units/{unit_tag}.json`, one per unit and half-year.

Written before the send ("sending", create-only: the claim) and after it ("sent" with where it
went and the activity id, or "failed" with a retry time), tagged kind=med_sent, period, state.
Reminders from before unit records were per channel (`med/sent/{period}/{team}/{channel}.json`):
they are found by the period's tag and count for their unit, but are never written any more.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.errors import Conflict
from bot.repositories.documents import Recent, get_many, update
from bot.storage import names
from bot.storage.store import Document, Store

SENDING = "sending"
READ_CONCURRENCY = 16


class MedSends:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.recent = Recent(name="MED sends written")  # the "sending" records just written, so "sent" is one write
        # "sent" is final: what the follow-up check needs of each sent record of the current
        # period, once written or read here (unit tag -> unit, name, sent_at). Ticks after the
        # round then read no record again; one period is kept at a time (one entry per unit).
        self._sent_period = ""
        self._sent: dict[str, tuple[str, str, str]] = {}

    async def get(self, period_id: str, unit: str) -> Document | None:
        """The unit's record (`unit`: its name or key)."""
        return await self.store.get(names.med_sent(period_id, unit))

    async def get_by_tag(self, period_id: str, tag: str) -> Document | None:
        return await self.store.get(names.med_sent_by_tag(period_id, tag))

    async def create(self, period_id: str, unit: str, record: dict[str, Any]) -> None:
        """The claim: create-only "sending" (AlreadyExists when someone was first)."""
        name = names.med_sent(period_id, unit)
        etag = await self.store.put(name, record, etag=None, tags=names.med_sent_tags(period_id, SENDING))
        self.recent.keep(name, record, etag)  # the record after the send needs no read

    async def replace(self, period_id: str, unit: str, record: dict[str, Any], etag: str) -> None:
        """Take over or renew a claim with the ETag read (Conflict when another writer moved it)."""
        name = names.med_sent(period_id, unit)
        new = await self.store.put(name, record, etag=etag, tags=names.med_sent_tags(period_id, SENDING))
        self.recent.keep(name, record, new)

    async def release(self, period_id: str, unit: str, claimed_at: str) -> None:
        """Delete a "sending" claim whose send never started, if it is still the one made at
        `claimed_at` (the ETag guards against a takeover in between)."""
        name = names.med_sent(period_id, unit)
        doc = await self.store.get(name)
        if doc is None or doc.data.get("state") != SENDING or doc.data.get("at") != claimed_at:
            return
        try:
            await self.store.delete(name, etag=doc.etag)
        except Conflict:
            return  # moved on since the read: not ours to remove any more

    async def record(self, period_id: str, unit: str, values: dict[str, Any]) -> None:
        """Merge the outcome ("sent" or "failed") into the record, with the ETag."""

        def put(current: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            merged = {**(current or {}), **values}
            return merged, merged

        written = await update(
            self.store,
            names.med_sent(period_id, unit),
            put,
            tags=lambda d: names.med_sent_tags(period_id, str(d["state"])),
            recent=self.recent,
        )
        self._know(period_id, names.med_sent_tag(names.med_sent(period_id, unit)), written)

    async def of_period(self, period_id: str) -> list[dict[str, Any]]:
        """Every record of the period, per unit and (older) per channel."""
        return await get_many(self.store, await self.store.find(names.med_sent_where(period_id)))

    async def of_period_unread_if_sent(self, period_id: str) -> tuple[set[str], list[dict[str, Any]]]:
        """The period's records in two parts: the unit tags whose reminder was sent (a final state:
        the tag index names them, they are not read), and every other record (claims, failures,
        per-channel records from before unit records), read."""
        everything, sent = await asyncio.gather(
            self.store.find(names.med_sent_where(period_id)),
            self.store.find(names.med_sent_where(period_id, state="sent")),
        )
        prefix = names.med_sent_units(period_id)
        done = {names.med_sent_tag(n) for n in sent if n.startswith(prefix)}
        others = [n for n in everything if not n.startswith(prefix) or names.med_sent_tag(n) not in done]
        return done, await get_many(self.store, others)

    def forget(self, period_id: str, unit: str) -> None:
        """Drop the copy kept of the record just written (its last write in this round)."""
        self.recent.take(names.med_sent(period_id, unit))

    async def sent_units(self, period_id: str) -> list[dict[str, Any]]:
        """The per-unit records of the period whose reminder arrived ({"state", "unit", "name",
        "sent_at"}); each is read once by this instance (or not at all, if it wrote it)."""
        found = await self.store.find(names.med_sent_where(period_id, state="sent"))
        prefix = names.med_sent_units(period_id)
        known = self._known(period_id)
        unread = [n for n in found if n.startswith(prefix) and names.med_sent_tag(n) not in known]
        gate = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(name: str) -> None:
            async with gate:
                doc = await self.store.get(name)
            self._know(period_id, names.med_sent_tag(name), doc.data if doc else None)

        await asyncio.gather(*(read(n) for n in unread))
        tags = {names.med_sent_tag(n) for n in found if n.startswith(prefix)} | set(known)
        return [_sent_summary(known[t]) for t in sorted(tags) if t in known]

    def _known(self, period_id: str) -> dict[str, tuple[str, str, str]]:
        if period_id != self._sent_period:
            self._sent_period, self._sent = period_id, {}
        return self._sent

    def _know(self, period_id: str, tag: str, data: dict[str, Any] | None) -> None:
        if data is not None and data.get("state") == "sent" and isinstance(data.get("sent_at"), str):
            unit = str(data.get("unit") or "")
            self._known(period_id)[tag] = (unit, str(data.get("name") or unit), str(data["sent_at"]))


def _sent_summary(known: tuple[str, str, str]) -> dict[str, Any]:
    unit, name, sent_at = known
    return {"state": "sent", "unit": unit, "name": name, "sent_at": sent_at}
