"""The unit records' repository: a workplace's one MED channel and local plan.

MED's stored things (names and tags: `bot.storage.names`; the sends and evaluations have their
own repositories beside this one):
- `med/units/{unit_tag}.json`  the unit record: canonical key, the name shown, its MED channel
  (team and channel id; records from before the Teams side's channel book also the channel's
  conversation reference) or none, the link to its local guideline and action plan,
  the spellings it was stored under before, and a history. Tagged kind=med_unit, has_channel,
  team and channel (digests), so "the units this channel serves" needs no scan. The record is the
  authority for "one MED channel per unit"; one channel may serve several units (a shared
  committee).
- `med/sent/{period}/units/{unit_tag}.json`  the unit's reminder for a half-year, written before
  the send ("sending") and after it ("sent" with where it went and the activity id, or "failed"
  with a retry time). Tagged kind=med_sent, period, state.
- `med/evaluations/{unit_tag}/{period}.json`  the evaluation (the domain's MedEvaluation).
- `audit/med-unit-{unit_tag}.log`  one line per change of the unit's channel or local plan.

Before unit records existed, a registered channel was `med/channels/{team}/{channel}.json`
(kind=med_channel) and reminders were per channel (`med/sent/{period}/{team}/{channel}.json`).
`legacy_channels` reads the active ones so they can be moved into unit records on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from bot.guideline.med_units import unit_display, unit_key
from bot.repositories.documents import Unchanged, get_many, update
from bot.storage import names
from bot.storage.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class MedChannel:
    """A unit's registered MED channel, by its team and channel id: where its reminder is posted.

    Its conversation reference is the Teams side's (bot/teams/channel_book.py). Records written
    before that carry it here (`reference`, read as stored and written back unchanged); new
    registrations leave it None."""

    team_id: str
    channel_id: str
    committee: str = ""
    registered_by: str = ""
    registered_at: str = ""
    reference: dict[str, Any] | None = None

    def is_at(self, team_id: str | None, channel_id: str | None) -> bool:
        return (self.team_id, self.channel_id) == (team_id, channel_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "channel_id": self.channel_id,
            **({"reference": self.reference} if self.reference is not None else {}),
            "committee": self.committee,
            "registered_by": self.registered_by,
            "registered_at": self.registered_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MedChannel:
        reference = data.get("reference")
        return cls(
            str(data["team_id"]),
            str(data["channel_id"]),
            str(data.get("committee") or ""),
            str(data.get("registered_by") or ""),
            str(data.get("registered_at") or ""),
            dict(reference) if isinstance(reference, dict) else None,
        )


@dataclass(frozen=True)
class UnitRecord:
    key: str
    name: str
    channel: MedChannel | None = None
    plan_link: str | None = None
    plan_changed_by: str | None = None
    plan_changed_at: str | None = None
    spellings: tuple[str, ...] = ()
    history: tuple[dict[str, Any], ...] = field(default=())

    @classmethod
    def new(cls, name: str) -> UnitRecord:
        return cls(unit_key(name), unit_display(name))

    def noted(self, at: datetime, actor: str, what: str, **details: Any) -> UnitRecord:
        entry = {"at": at.isoformat(), "actor": actor, "what": what, **details}
        return replace(self, history=(*self.history, entry))

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "key": self.key,
            "name": self.name,
            "channel": self.channel.to_json() if self.channel else None,
            "plan": {"link": self.plan_link, "by": self.plan_changed_by, "at": self.plan_changed_at}
            if self.plan_link
            else None,
            "spellings": list(self.spellings),
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnitRecord:
        plan = data.get("plan") or {}
        channel = data.get("channel")
        return cls(
            key=str(data["key"]),
            name=str(data["name"]),
            channel=MedChannel.from_json(channel) if isinstance(channel, dict) else None,
            plan_link=plan.get("link"),
            plan_changed_by=plan.get("by"),
            plan_changed_at=plan.get("at"),
            spellings=tuple(str(s) for s in data.get("spellings") or ()),
            history=tuple(data.get("history") or ()),
        )


def unit_tags(data: dict[str, Any]) -> dict[str, str]:
    channel = data.get("channel")
    if not channel:
        return names.med_unit_tags(str(data["key"]))
    if not isinstance(channel, dict):  # never written so; indexed as before: has a channel, no ids
        return {**names.med_unit_tags(str(data["key"])), "has_channel": "yes"}
    return names.med_unit_tags(str(data["key"]), str(channel["team_id"]), str(channel["channel_id"]))


ChannelSeen = Callable[[str, str, Mapping[str, Any]], None]


class UnitRecords:
    """The unit records, read and changed with the ETag.

    `channel_seen` (the Teams side's channel book, wired by app.py) is told each registered
    channel's reference as a record is read: the MED services then name a channel by its team and
    channel id alone, and the Teams side finds its reference in memory, with no read of its own."""

    def __init__(self, store: Store, channel_seen: ChannelSeen | None = None) -> None:
        self.store = store
        self.channel_seen = channel_seen

    def _record(self, data: dict[str, Any]) -> UnitRecord:
        record = UnitRecord.from_json(data)
        if self.channel_seen is not None and record.channel is not None and record.channel.reference:
            self.channel_seen(record.channel.team_id, record.channel.channel_id, record.channel.reference)
        return record

    async def get(self, unit: str) -> UnitRecord | None:
        doc = await self.store.get(names.unit_record(unit))
        return self._record(doc.data) if doc else None

    async def read(self, name: str) -> UnitRecord | None:
        """A record by its storage name, as `names()` lists them."""
        doc = await self.store.get(name)
        return self._record(doc.data) if doc else None

    async def change(self, name: str, mutate: Callable[[UnitRecord], tuple[UnitRecord, T]]) -> T | None:
        """Read-modify-write; a missing record starts as `UnitRecord.new(name)`. `mutate` is pure
        and raises Unchanged for nothing to write (then None is returned)."""

        def apply(current: dict[str, Any] | None) -> tuple[dict[str, Any], T]:
            record = self._record(current) if current else UnitRecord.new(name)
            new, result = mutate(record)
            if new == record and current is not None:
                raise Unchanged
            return new.to_json(), result

        result: T | None = await update(self.store, names.unit_record(name), apply, tags=unit_tags)
        return result

    async def names(self) -> list[str]:
        return await self.store.find(names.med_units_where())

    async def all(self) -> list[UnitRecord]:
        return [self._record(d) for d in await get_many(self.store, await self.names())]

    async def serving(self, team_id: str, channel_id: str | None) -> list[UnitRecord]:
        """The units whose MED channel is this channel (or, without a channel id, in this team)."""
        if channel_id is None:
            query = names.med_units_where(has_channel="yes", team=names.team_tag(team_id))
        else:
            query = names.med_units_where(has_channel="yes", channel=names.channel_tag(team_id, channel_id))
        return [self._record(d) for d in await get_many(self.store, await self.store.find(query))]

    async def serving_any(self, limit: int) -> list[UnitRecord]:
        """A few units that have a MED channel (any; for what all references share)."""
        found = (await self.store.find(names.med_units_where(has_channel="yes")))[:limit]
        return [self._record(d) for d in await get_many(self.store, found)]

    async def legacy_channels(self) -> list[dict[str, Any]]:
        """Active channel records from before unit records (kind=med_channel), oldest first."""
        active = await self.store.find({names.KIND: names.MED_CHANNEL, "active": "true"})
        found = [d for d in await get_many(self.store, active) if d.get("active")]
        return sorted(found, key=lambda d: str(d.get("registered_at") or ""))

    async def retire_legacy_channel(self, data: dict[str, Any], moved_to: str) -> None:
        def off(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or not current.get("active"):
                raise Unchanged
            history = [*current.get("history", []), {"what": "moved into the unit record", "unit": moved_to}]
            return {**current, "active": False, "moved_to": moved_to, "history": history}, None

        await update(
            self.store,
            names.legacy_med_channel(str(data["team_id"]), str(data["channel_id"])),
            off,
            tags=lambda d: names.legacy_med_channel_tags(False, str(d.get("unit", ""))),
        )
