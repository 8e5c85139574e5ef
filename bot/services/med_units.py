"""MED registration: the workplaces, each one's MED channel and local plan, and who may change them.

The workplaces are the directory's units (the file, and Graph where configured) in one canonical
form, plus any unit that has a record (registered earlier). A channel is registered for a unit
chosen from those; free text that names none is refused with the closest names. Registering or
moving a unit's channel is for the unit's leader or deputy, or HR (`med_units.may_manage_channel`);
a move tells HR and leaves a short note in the old channel. The local plan's link is set by the
unit's MED channel or its leader, and every change is audited.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.chat.med_input import RegisterChannel
from bot.errors import DeliveryFailed, InvalidInput, Refused, UnknownUnit
from bot.guideline.med_units import (
    Workplace,
    closest_names,
    find_workplace,
    may_act_in_chat,
    may_manage_channel,
    merge_workplaces,
    unit_display,
    unit_key,
)
from bot.hosting.logs import fields
from bot.repositories.documents import Unchanged
from bot.repositories.med_units import ChannelSeen, MedChannel, UnitRecord, UnitRecords
from bot.services.ports import ChannelReferences, Clock, Notifier
from bot.storage.names import legacy_unit_tags, unit_audit_id
from bot.storage.store import Store
from bot.texts import Texts

log = logging.getLogger(__name__)

TellHr = Callable[[str, dict[str, Any]], Awaitable[None]]

# Every reason a MED action is refused for (text keys; tests check both languages have them).
REFUSALS = (
    "med.refused.register",
    "med.refused.not_unit_channel",
    "med.refused.not_leader",
    "med.refused.old_period",
    "med.refused.channel_only",
)


@dataclass(frozen=True)
class Place:
    """Where a MED action came from: who, and the team channel (None for a personal chat).

    Filled from the activity by the Teams edge, never from card data."""

    actor: str
    actor_name: str = ""
    team_id: str | None = None
    channel_id: str | None = None
    conversation_id: str = ""  # the channel's id, or the personal chat's: where the answer is shown

    @property
    def in_channel(self) -> bool:
        return self.team_id is not None and self.channel_id is not None


@dataclass(frozen=True)
class Registration:
    unit: UnitRecord
    moved_from: MedChannel | None  # the unit's channel before, when it was another one
    old_channel_told: bool = False  # the note reached that old channel (the card says so only then)


@dataclass(frozen=True)
class Unit:
    """A workplace as MED sees it: the directory's facts and the unit's record (if any)."""

    key: str
    name: str
    workplace: Workplace | None
    record: UnitRecord | None

    @property
    def channel(self) -> MedChannel | None:
        return self.record.channel if self.record else None

    @property
    def plan_link(self) -> str | None:
        return self.record.plan_link if self.record else None

    @property
    def spellings(self) -> tuple[str, ...]:
        return self.record.spellings if self.record else ()


class MedUnits:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        notifier: Notifier,
        directory_workplaces: Callable[[], Awaitable[list[Workplace]]],
        is_hr: Callable[[str], Awaitable[bool]],
        tell_hr: TellHr,
        texts: Callable[[], Texts],
        channel_book: ChannelReferences,
        channel_seen: ChannelSeen | None = None,
    ) -> None:
        self.store = store
        self.records = UnitRecords(store, channel_seen)
        self.channel_book = channel_book  # the Teams side's: where `migrate` hands old references
        self.clock = clock
        self.notifier = notifier
        self.directory_workplaces = directory_workplaces
        self.is_hr = is_hr
        self.tell_hr = tell_hr
        self.texts = texts
        self._migrated = False

    # -- the workplaces ----------------------------------------------------------------------------
    async def workplaces(self) -> list[Workplace]:
        """The directory's units, one per canonical form."""
        return merge_workplaces(await self.directory_workplaces())

    async def units(self) -> list[Unit]:
        """Every workplace: the directory's and those with a record, with their records."""
        await self.migrate()
        places, records = await asyncio.gather(self.workplaces(), self.records.all())
        by_key = {r.key: r for r in records}
        units = [Unit(w.key, w.name, w, by_key.pop(w.key, None)) for w in places]
        units += [Unit(r.key, r.name, None, r) for r in by_key.values()]
        return sorted(units, key=lambda u: u.name.casefold())

    async def unit(self, name: str) -> Unit | None:
        """A known unit by any spelling, or None."""
        key = unit_key(name)
        if not key:
            return None
        place = find_workplace(name, await self.workplaces())
        record = await self.records.get(name)
        if place is None and record is None:
            return None
        return Unit(key, place.name if place else record.name if record else unit_display(name), place, record)

    async def resolve(self, text: str) -> Unit:
        """The known unit `text` names; UnknownUnit (with the closest names) if none."""
        if not text.strip():
            raise InvalidInput("unit", "required")
        found = await self.unit(text)
        if found is None:
            places = await self.workplaces()
            raise UnknownUnit(text, closest_names(text, places))
        return found

    # -- registering a channel ---------------------------------------------------------------------
    async def register(self, command: RegisterChannel, place: Place) -> Registration:
        if not place.in_channel:
            raise Refused("med.refused.channel_only")
        assert place.team_id is not None and place.channel_id is not None
        places = await self.workplaces()
        chosen = find_workplace(command.unit, places)
        if chosen is None:
            if not command.unit.strip():
                raise InvalidInput("unit", "required")
            raise UnknownUnit(command.unit, closest_names(command.unit, places))
        if not may_manage_channel(chosen, place.actor, await self.is_hr(place.actor)):
            raise Refused("med.refused.register", unit=chosen.name)
        now = self.clock.now()
        channel = MedChannel(
            place.team_id,
            place.channel_id,
            command.committee.strip()[:200],
            place.actor,
            now.isoformat(),
        )

        def put(record: UnitRecord) -> tuple[UnitRecord, Registration]:
            before = record.channel
            same = before is not None and before.is_at(place.team_id, place.channel_id)
            if same and before is not None and before.committee == channel.committee:
                raise Unchanged
            moved = before if before is not None and not before.is_at(place.team_id, place.channel_id) else None
            new = replace(record, name=chosen.name, channel=channel).noted(
                now,
                place.actor,
                "channel_moved" if moved else "channel_registered",
                team_id=channel.team_id,
                channel_id=channel.channel_id,
                **({"from_team_id": moved.team_id, "from_channel_id": moved.channel_id} if moved else {}),
            )
            return new, Registration(new, moved)

        result = await self.records.change(chosen.name, put)
        if result is None:  # the same channel again: nothing changed
            record = await self.records.get(chosen.name)
            assert record is not None
            return Registration(record, None)
        await self.store.append_audit(
            unit_audit_id(chosen.name),
            {
                "type": "med_channel_moved" if result.moved_from else "med_channel_registered",
                "actor": place.actor,
                "at": now.isoformat(),
                "before": _where(result.moved_from),
                "after": _where(channel),
            },
        )
        if result.moved_from is not None:
            told = await self._moved(chosen.name, result.moved_from, place)
            return replace(result, old_channel_told=told)
        return result

    async def _moved(self, unit: str, old: MedChannel, place: Place) -> bool:
        """One MED channel per unit: the old channel is told (True when it was), and so is HR
        (through HR's outbox: delivered now or retried)."""
        told = False
        try:
            note = self.texts()("med.moved.old_channel", unit=unit)
            # By its ids, as every MED post: the Teams side's channel book keeps the old channel's
            # reference (or was just told it, reading a record from before the book).
            await self.notifier.to_channel(old.team_id, old.channel_id, {"type": "message", "text": note})
            told = True
        except DeliveryFailed:
            log.warning("med move note not delivered to the old channel", extra=fields())
        await self.tell_hr("med.hr.channel_moved", {"unit": unit, "name": place.actor_name or place.actor})
        return told

    # -- the local plan ----------------------------------------------------------------------------
    async def set_plan(self, unit: Unit, link: str, actor: str) -> UnitRecord:
        """Set or change the link to the unit's local guideline and action plan (audited)."""
        now = self.clock.now()

        def put(record: UnitRecord) -> tuple[UnitRecord, tuple[UnitRecord, str | None]]:
            if record.plan_link == link:
                raise Unchanged
            new = replace(
                record, name=unit.name, plan_link=link, plan_changed_by=actor, plan_changed_at=now.isoformat()
            ).noted(now, actor, "plan_link", before=record.plan_link, after=link)
            return new, (new, record.plan_link)

        changed = await self.records.change(unit.name, put)
        if changed is None:  # the same link again
            record = await self.records.get(unit.name)
            assert record is not None
            return record
        record, before = changed
        await self.store.append_audit(
            unit_audit_id(unit.name),
            {"type": "med_plan_link", "actor": actor, "at": now.isoformat(), "before": before, "after": link},
        )
        return record

    # -- who may act on a unit's evaluation or plan -------------------------------------------------
    async def authorize(self, unit_text: str, place: Place) -> Unit:
        """The unit the action is for, if `place` may act for it: from the unit's registered MED
        channel (the activity's own channel), or from the unit's leader or deputy in a personal
        chat. Anyone else gets a Refused with the reason."""
        unit = await self.unit(unit_text)
        if unit is None:
            raise Refused("med.refused.not_unit_channel" if place.in_channel else "med.refused.not_leader")
        if place.in_channel:
            if unit.channel is None or not unit.channel.is_at(place.team_id, place.channel_id):
                raise Refused("med.refused.not_unit_channel", unit=unit.name)
            return unit
        if unit.workplace is None or not may_act_in_chat(unit.workplace, place.actor):
            raise Refused("med.refused.not_leader", unit=unit.name)
        return unit

    # -- Teams' channel and team events --------------------------------------------------------------
    async def deactivate(self, team_id: str, channel_id: str | None, reason: str) -> int:
        """The bot was removed, or the channel deleted: the units it served lose their channel
        (their reminder goes to the leader's chat until a new one is registered); HR is told."""
        now = self.clock.now()
        count = 0
        for record in await self.records.serving(team_id, channel_id):

            def off(current: UnitRecord) -> tuple[UnitRecord, MedChannel | None]:
                channel = current.channel
                if channel is None or channel.team_id != team_id or channel_id not in (None, channel.channel_id):
                    raise Unchanged
                return replace(current, channel=None).noted(now, "teams", "channel_gone", reason=reason), channel

            gone = await self.records.change(record.name, off)
            if gone is None:
                continue
            count += 1
            await self.store.append_audit(
                unit_audit_id(record.name),
                {
                    "type": "med_channel_gone",
                    "actor": "teams",
                    "at": now.isoformat(),
                    "before": _where(gone),
                    "after": None,
                    "reason": reason,
                },
            )
            unit = await self.unit(record.name)
            fallback = unit is not None and unit.workplace is not None and unit.workplace.recipient is not None
            key = "med.hr.channel_gone" if fallback else "med.hr.channel_gone_no_leader"
            await self.tell_hr(key, {"unit": record.name, "reason": reason})
        return count

    async def renamed(self, team_id: str, channel_id: str, new_name: str) -> None:
        for record in await self.records.serving(team_id, channel_id):
            await self.tell_hr("med.hr.channel_renamed", {"unit": record.name, "name": new_name[:200]})

    # -- records from before unit records ------------------------------------------------------------
    async def migrate(self) -> None:
        """Move channels registered before unit records (`med/channels/`) into them, in the new
        shape (once per process; safe to repeat, to crash midway and to race: every write is an
        ETag write that changes nothing the second time, and the old record is then retired).

        The old record's conversation reference is handed to the Teams side's channel book first
        (`ChannelReferences.keep`), and only then is the unit record written naming its channel by
        team and channel id alone: a crash between the two leaves the old record active, and the
        next run finishes the move. Several old channels of one unit: the latest registered
        becomes the unit's channel. (Unit records written before the channel book, with the
        reference in them, are read as they are: see bot/teams/channel_book.py.)"""
        if self._migrated:
            return
        for data in await self.records.legacy_channels():
            await self._adopt_legacy_channel(data)
        self._migrated = True

    async def _adopt_legacy_channel(self, data: dict[str, Any]) -> None:
        raw = str(data.get("unit") or "")
        if not unit_key(raw):
            return
        place = find_workplace(raw, await self.workplaces())
        name = place.name if place else unit_display(raw)
        channel = MedChannel(
            str(data["team_id"]),
            str(data["channel_id"]),
            str(data.get("committee") or ""),
            str(data.get("registered_by") or ""),
            str(data.get("registered_at") or ""),
        )
        reference = data.get("reference")
        if isinstance(reference, dict) and reference:
            await self.channel_book.keep(channel.team_id, channel.channel_id, reference)
        else:  # never written so: the channel is moved, and a post to it fails as unreachable
            log.warning("an old MED channel record has no reference", extra=fields(unit=unit_key(raw)))
        now = self.clock.now()

        def adopt(record: UnitRecord) -> tuple[UnitRecord, None]:
            spellings = record.spellings
            if raw not in spellings and legacy_unit_tags(raw):
                spellings = (*spellings, raw)
            later = record.channel is None or record.channel.registered_at <= channel.registered_at
            new = replace(record, spellings=spellings, channel=channel if later else record.channel)
            if new == record:
                raise Unchanged
            return new.noted(
                now, "migration", "channel_registered", team_id=channel.team_id, channel_id=channel.channel_id
            ), None

        await self.records.change(name, adopt)
        await self.records.retire_legacy_channel(data, unit_key(raw))


def _where(channel: MedChannel | None) -> dict[str, str] | None:
    return {"team_id": channel.team_id, "channel_id": channel.channel_id} if channel else None
