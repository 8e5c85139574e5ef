"""MED evaluations in the workplaces' Teams channels: registration, the twice-yearly reminder,
"on the agenda" and "done", the follow-up, and HR's status.

Stored (one container, names built from ids only):
- `med/channels/{team}/{channel}.json`  a registered channel: unit, committee, conversation
  reference, active flag; tagged kind=med_channel, active, unit.
- `med/sent/{period}/{team}/{channel}.json`  the (channel, period) reminder record, written before
  the send ("sending") and after it ("sent" with the activity id, or "failed" with a retry time);
  tagged kind=med_sent, period, state. A restart or a second instance never sends it twice.
- `med/evaluations/{unit}/{period}.json`  the unit's evaluation (the domain's MedEvaluation).

What is due is the domain's `channels_due`; this layer claims, sends, records.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.errors import AlreadyExists, Conflict, DeliveryFailed, NotFound
from bot.guideline import med as domain
from bot.guideline.med import MedChannel, MedEvaluation, MedPeriod, MedSchedule
from bot.guideline.serialize import case_from_dict, med_evaluation_from_dict, med_evaluation_to_dict
from bot.logs import fields
from bot.ports import Clock, Notifier
from bot.send_guard import ClaimLost
from bot.services.broadcast import Item, as_stream, broadcast
from bot.services.cases import unit_tag
from bot.services.docs import Recent, Unchanged, get_many, update
from bot.storage.store import Document, Store
from bot.texts import Texts
from cards.common import Card, attachment
from cards.med import MedCardView, med_reminder_card

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)  # a "sending" record older than this was left by a crash
CLAIM_MARGIN = timedelta(minutes=1)  # a send attempt starts only with this much of the claim left
RETRY_AFTER = timedelta(minutes=5)
SEND_CONCURRENCY = 8  # channels in flight at once; the sender's limiter paces them to Teams' limits
READ_CONCURRENCY = 16  # store reads side by side (a listing of channels, the units' figures)
# While a reminder goes out, fewer: 4 reads keep well ahead of 50 sends a second, and leave the
# store (and, on one machine, the CPU) to the sends' claims and records.
SEND_READ_CONCURRENCY = 4
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _id(part: str) -> str:
    return _SAFE.sub("_", part)[:150] or "_"


def channel_name(team_id: str, channel_id: str) -> str:
    return f"med/channels/{_id(team_id)}/{_id(channel_id)}.json"


def sent_name(period_id: str, team_id: str, channel_id: str) -> str:
    return f"med/sent/{period_id}/{_id(team_id)}/{_id(channel_id)}.json"


def evaluation_name(unit: str, period_id: str) -> str:
    return f"med/evaluations/{unit_tag(unit)}/{period_id}.json"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Registered:
    team_id: str
    channel_id: str
    unit: str
    committee: str
    reference: dict[str, Any]
    active: bool
    card: dict[str, str] | None = None  # where the current reminder card is, for updates


class MedService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        clock: Clock,
        schedule: MedSchedule,
        threshold: int,
        followup_weeks: int,
        tell_hr: Callable[[str, dict[str, Any]], Awaitable[None]],
        texts: Callable[[], Texts],
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.clock = clock
        self.schedule = schedule
        self.threshold = threshold
        self.followup_weeks = followup_weeks
        self.tell_hr = tell_hr  # (text key, values) -> message to every HR person
        self.texts = texts  # channel cards are Danish first (the municipality's default language)
        self.stopping = asyncio.Event()  # set at shutdown: sends in flight finish, nothing new starts
        self._recent = Recent()  # the "sending" records just written, so "sent" is one write

    # -- channels --------------------------------------------------------------------------------
    async def register(
        self, team_id: str, channel_id: str, unit: str, committee: str, reference: dict[str, Any], actor: str
    ) -> Registered:
        unit = unit.strip()[:200]
        if not unit:
            raise ValueError("unit required")
        data = {
            "team_id": team_id,
            "channel_id": channel_id,
            "unit": unit,
            "committee": committee.strip()[:200],
            "reference": reference,
            "active": True,
            "registered_by": actor,
            "registered_at": self.clock.now().isoformat(),
        }

        def put(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            history = list((current or {}).get("history", []))
            history.append({"at": data["registered_at"], "actor": actor, "what": "registered", "unit": unit})
            return {**(current or {}), **data, "history": history}, None

        await update(self.store, channel_name(team_id, channel_id), put, tags=self._channel_tags)
        return self._registered(await self._channel_doc(team_id, channel_id))

    async def deactivate(self, team_id: str, channel_id: str | None, reason: str) -> int:
        """The bot was removed, or the channel deleted: stop posting, keep history, tell HR."""
        names = (
            [channel_name(team_id, channel_id)]
            if channel_id
            else await self.store.list(f"med/channels/{_id(team_id)}/")
        )
        count = 0
        for name in names:

            def off(current: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
                if current is None or not current.get("active"):
                    raise Unchanged
                history = [*current.get("history", []), {"at": self.clock.now().isoformat(), "what": reason}]
                return {**current, "active": False, "history": history}, str(current.get("unit", ""))

            unit = await update(self.store, name, off, tags=self._channel_tags)
            if unit is not None:
                count += 1
                await self.tell_hr("med.hr.channel_gone", {"unit": unit, "reason": reason})
        return count

    async def renamed(self, team_id: str, channel_id: str, new_name: str) -> None:
        def rename(current: dict[str, Any] | None) -> tuple[dict[str, Any], str]:
            if current is None:
                raise Unchanged
            return {**current, "channel_name": new_name[:200]}, str(current.get("unit", ""))

        unit = await update(self.store, channel_name(team_id, channel_id), rename, tags=self._channel_tags)
        if unit is not None:
            await self.tell_hr("med.hr.channel_renamed", {"unit": unit, "name": new_name[:200]})

    async def active_channels(self, unit: str | None = None) -> list[Registered]:
        return [channel async for channel in self._active_stream(unit)]

    async def _active_stream(
        self, unit: str | None = None, concurrency: int = READ_CONCURRENCY
    ) -> AsyncIterator[Registered]:
        """The active channels in name order, each as soon as it is read (reads run side by side)."""
        query = {"kind": "med_channel", "active": "true"}
        if unit:
            query["unit"] = unit_tag(unit)
        gate = asyncio.Semaphore(concurrency)

        async def read(name: str) -> Document | None:
            async with gate:
                return await self.store.get(name)

        reads = [asyncio.ensure_future(read(name)) for name in await self.store.find(query)]
        try:
            for pending in reads:
                doc = await pending
                if doc is not None and doc.data.get("active"):
                    yield self._registered(doc.data)
        finally:
            for pending in reads:
                pending.cancel()

    async def channel(self, team_id: str, channel_id: str) -> Registered | None:
        doc = await self.store.get(channel_name(team_id, channel_id))
        return self._registered(doc.data) if doc else None

    async def _channel_doc(self, team_id: str, channel_id: str) -> dict[str, Any]:
        doc = await self.store.get(channel_name(team_id, channel_id))
        if doc is None:
            raise NotFound(channel_id)
        return doc.data

    @staticmethod
    def _registered(data: dict[str, Any]) -> Registered:
        return Registered(
            str(data["team_id"]),
            str(data["channel_id"]),
            str(data["unit"]),
            str(data.get("committee") or ""),
            dict(data["reference"]),
            bool(data.get("active")),
        )

    @staticmethod
    def _channel_tags(data: dict[str, Any]) -> dict[str, str]:
        return {
            "kind": "med_channel",
            "active": "true" if data.get("active") else "false",
            "unit": unit_tag(str(data.get("unit", ""))),
        }

    # -- the reminder ----------------------------------------------------------------------------
    async def send_due(self) -> int:
        """The scheduler job: reminders the domain says are due, then follow-ups.

        Sending starts with the first channel read; the rest are read while the first are sent."""
        now = self.clock.now()
        period = self.schedule.due_period(now)
        settled = asyncio.ensure_future(self._settled_keys(period.id))  # read beside the channels
        channels: list[Registered] = []

        async def due() -> AsyncIterator[Registered]:
            async for channel in self._active_stream(concurrency=SEND_READ_CONCURRENCY):
                channels.append(channel)
                if domain.channels_due([_as_domain(channel, now)], await settled, now, self.schedule):
                    yield channel

        try:
            sent = await self._send(period, due())
        finally:
            settled.cancel()  # no channel at all: nobody awaited it
        await self._followups(period, channels)
        return sent

    async def send_now(self, unit: str | None) -> int:
        """HR: send this half-year's reminder now, to every workplace or one."""
        now = self.clock.now()
        # The evaluation cycle running now (the same one MED-status shows); channels that already
        # have its reminder are skipped, so "send now" never duplicates.
        period = self.schedule.due_period(now)
        channels = await self.active_channels(unit)
        settled = await self._settled_keys(period.id)
        todo = [c for c in channels if self._reminder_key(c, period) not in settled]
        return await self._send(period, todo)

    async def _settled_keys(self, period_id: str) -> set[str]:
        """Keys of reminders already sent (or being sent right now by another instance)."""
        keys = set()
        now = self.clock.now()
        for data in await get_many(self.store, await self.store.find({"kind": "med_sent", "period": period_id})):
            state = data.get("state")
            fresh_claim = state == "sending" and now - datetime.fromisoformat(data["at"]) < STALE_CLAIM
            waiting = state == "failed" and datetime.fromisoformat(data["next_at"]) > now
            if state == "sent" or fresh_claim or waiting:
                keys.add(str(data["key"]))
        return keys

    async def _claim(self, period: MedPeriod, channel: Registered) -> datetime | None:
        """Record "sending" before the send: its time, or None if someone else holds or finished it."""
        now = self.clock.now()
        key = self._reminder_key(channel, period)
        name = sent_name(period.id, channel.team_id, channel.channel_id)
        record = {"key": key, "state": "sending", "at": now.isoformat(), "unit": channel.unit}
        tags = {"kind": "med_sent", "period": period.id, "state": "sending"}
        try:
            etag = await self.store.put(name, record, etag=None, tags=tags)
        except AlreadyExists:
            pass
        else:
            self._recent.keep(name, record, etag)  # the record after the send needs no read
            return now
        doc = await self.store.get(name)
        if doc is None:
            return None
        state = doc.data.get("state")
        stale = state == "sending" and now - datetime.fromisoformat(doc.data["at"]) >= STALE_CLAIM
        retry = state == "failed" and datetime.fromisoformat(doc.data["next_at"]) <= now
        if not (stale or retry):
            return None
        try:  # take it over with the ETag: of two instances only one wins
            taken = {**doc.data, **record}
            self._recent.keep(name, taken, await self.store.put(name, taken, etag=doc.etag, tags=tags))
        except Conflict:
            return None
        return now

    async def _renew_claim(self, period: MedPeriod, channel: Registered, since: datetime) -> datetime:
        """Move our "sending" record's time to now, with the ETag; ClaimLost if it is not ours."""
        name = sent_name(period.id, channel.team_id, channel.channel_id)
        doc = await self.store.get(name)
        if doc is None or doc.data.get("state") != "sending" or doc.data.get("at") != since.isoformat():
            raise ClaimLost(name)
        now = self.clock.now()
        renewed = {**doc.data, "at": now.isoformat()}
        tags = {"kind": "med_sent", "period": period.id, "state": "sending"}
        try:
            self._recent.keep(name, renewed, await self.store.put(name, renewed, etag=doc.etag, tags=tags))
        except Conflict:
            raise ClaimLost(name) from None
        return now

    async def _send(self, period: MedPeriod, channels: AsyncIterable[Registered] | list[Registered]) -> int:
        by_key: dict[str, Registered] = {}
        # One card per unit (the figures are the unit's, not the channel's). Each is started as
        # soon as its first channel is known and awaited by the first send that needs it.
        cards: dict[str, asyncio.Future[dict[str, Any]]] = {}
        gate = asyncio.Semaphore(SEND_READ_CONCURRENCY)

        async def build(unit: str) -> dict[str, Any]:
            async with gate:
                return _message(await self._card(unit, period, being_sent=True))

        async def items() -> AsyncIterator[Item]:
            async for channel in as_stream(channels):
                key = self._key(channel)
                by_key[key] = channel
                if channel.unit not in cards:
                    cards[channel.unit] = asyncio.ensure_future(build(channel.unit))
                card = cards[channel.unit]

                async def content(card: asyncio.Future[dict[str, Any]] = card) -> dict[str, Any]:
                    return await asyncio.shield(card)

                yield key, channel.reference, content

        claimed_at: dict[str, datetime] = {}

        async def claim(key: str) -> bool:
            at = await self._claim(period, by_key[key])
            if at is None:
                return False
            claimed_at[key] = at
            return True

        async def still_claimed(key: str) -> None:
            """Before each send attempt: a claim near STALE_CLAIM (a long Retry-After) is renewed
            if the record is still ours, or the send ends unsent (ClaimLost) if it was taken over."""
            if self.clock.now() - claimed_at[key] < STALE_CLAIM - CLAIM_MARGIN:
                return
            channel = by_key[key]
            claimed_at[key] = await self._renew_claim(period, channel, claimed_at[key])

        units_marked: set[str] = set()

        async def record(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
            channel = by_key[key]
            name = sent_name(period.id, channel.team_id, channel.channel_id)
            now = self.clock.now()
            if activity_id is not None:
                sent = {"state": "sent", "activity_id": activity_id, "sent_at": now.isoformat()}
                await self._record(name, sent, period)
                if channel.unit not in units_marked:
                    units_marked.add(channel.unit)
                    await self._evaluation_sent(channel.unit, period)
                return
            await self._record(name, {"state": "failed", "next_at": (now + RETRY_AFTER).isoformat()}, period)
            if getattr(error, "permanent", False):
                await self.deactivate(channel.team_id, channel.channel_id, "bot removed or channel gone")

        # Recording runs beside the next send (the worker is not held up by storage); all records
        # are awaited before this returns, so a graceful stop still leaves nothing unrecorded.
        recording: list[asyncio.Task[None]] = []

        async def recorded(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
            recording.append(asyncio.create_task(record(key, activity_id, error)))

        try:
            result = await broadcast(
                self.notifier,
                items(),
                concurrency=SEND_CONCURRENCY,
                on_result=recorded,
                claim=claim,
                still_claimed=still_claimed,
                stop=self.stopping,
            )
        finally:
            await asyncio.gather(*recording)
            for card in cards.values():
                if card.done() and not card.cancelled():
                    card.exception()  # a failure was reported per channel; mark it as seen
                card.cancel()  # a card no send needed (every channel of its unit was skipped)
        log.info("med reminders", extra=fields(period=period.id, sent=len(result.sent), failed=len(result.failed)))
        return len(result.sent)

    async def _record(self, name: str, values: dict[str, Any], period: MedPeriod) -> None:
        def put(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            return {**(current or {}), **values}, None

        await update(
            self.store,
            name,
            put,
            tags=lambda d: {"kind": "med_sent", "period": period.id, "state": str(d["state"])},
            recent=self._recent,
        )

    def _reminder_key(self, channel: Registered, period: MedPeriod) -> str:
        return domain.med_reminder_key(_as_domain(channel, self.clock.now()), period)

    def _key(self, channel: Registered) -> str:
        return f"{channel.team_id}/{channel.channel_id}"

    # -- evaluations -----------------------------------------------------------------------------
    async def evaluation(self, unit: str, period_id: str) -> MedEvaluation:
        doc = await self.store.get(evaluation_name(unit, period_id))
        return med_evaluation_from_dict(doc.data["evaluation"]) if doc else domain.new_evaluation(unit, period_id)

    async def _change_evaluation(
        self, unit: str, period_id: str, change: Callable[[MedEvaluation], MedEvaluation]
    ) -> MedEvaluation:
        def apply(current: dict[str, Any] | None) -> tuple[dict[str, Any], MedEvaluation]:
            ev = med_evaluation_from_dict(current["evaluation"]) if current else domain.new_evaluation(unit, period_id)
            new = change(ev)
            if new == ev and current is not None:
                raise Unchanged
            return {**(current or {}), "evaluation": med_evaluation_to_dict(new)}, new

        result = await update(
            self.store,
            evaluation_name(unit, period_id),
            apply,
            tags=lambda _d: {"kind": "med_evaluation", "period": period_id, "unit": unit_tag(unit)},
        )
        return result if result is not None else await self.evaluation(unit, period_id)

    async def _evaluation_sent(self, unit: str, period: MedPeriod) -> None:
        await self._change_evaluation(unit, period.id, lambda ev: domain.mark_sent(ev, self.clock.now()))

    async def on_agenda(self, unit: str, period_id: str, meeting: date, actor: str) -> MedEvaluation:
        now = self.clock.now()
        return await self._change_evaluation(unit, period_id, lambda ev: domain.put_on_agenda(ev, meeting, actor, now))

    async def done(self, unit: str, period_id: str, done_date: date, link: str | None, actor: str) -> MedEvaluation:
        now = self.clock.now()
        tz = self.schedule.tz
        return await self._change_evaluation(
            unit, period_id, lambda ev: domain.mark_done(ev, done_date, link, actor, now, tz)
        )

    async def _card(self, unit: str, period: MedPeriod, notice: str = "", *, being_sent: bool = False) -> Card:
        names = await self.store.find({"kind": "case", "unit": unit_tag(unit)})
        cases = [case_from_dict(d["case"]) for d in await get_many(self.store, names)]
        figures = domain.figures(cases, unit, period, self.threshold)
        ev = await self.evaluation(unit, period.id)
        if being_sent:  # the card shows the state it will have once it arrives
            ev = domain.mark_sent(ev, self.clock.now())
        view = MedCardView(
            unit=unit, period=period, figures=figures, evaluation=ev, zone=self.schedule.zone, notice=notice
        )
        return med_reminder_card(self.texts(), view)

    async def card_for(self, unit: str, period_id: str, notice: str = "") -> Card:
        return await self._card(unit, self.schedule.period_by_id(period_id), notice)

    async def update_cards(self, unit: str, period_id: str, except_channel: str | None) -> None:
        """After a mark in one channel, the unit's other channels show it too."""
        period = self.schedule.period_by_id(period_id)
        content = await self._card(unit, period)
        for channel in await self.active_channels(unit):
            if channel.channel_id == except_channel:
                continue
            doc = await self.store.get(sent_name(period_id, channel.team_id, channel.channel_id))
            if doc and doc.data.get("activity_id"):
                try:
                    await self.notifier.update(channel.reference, str(doc.data["activity_id"]), _message(content))
                except DeliveryFailed:
                    log.warning("med card update failed", extra=fields(period=period_id))

    async def _followups(self, period: MedPeriod, channels: list[Registered]) -> None:
        """Not done within the configured weeks: one follow-up in each of the unit's channels, HR told."""
        now = self.clock.now()
        tx = self.texts()
        units = sorted({c.unit for c in channels})
        gate = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(unit: str) -> MedEvaluation:
            async with gate:
                return await self.evaluation(unit, period.id)

        for unit, ev in zip(units, await asyncio.gather(*(read(u) for u in units)), strict=True):
            if not domain.needs_followup(ev, now, self.followup_weeks, self.schedule.tz):
                continue
            name = f"med/followups/{unit_tag(unit)}/{period.id}.json"
            try:
                await self.store.put(name, {"unit": unit, "period": period.id, "at": now.isoformat()}, etag=None)
            except AlreadyExists:
                continue  # once per unit and period
            for channel in channels:
                if channel.unit == unit:
                    try:
                        await self.notifier.send(
                            channel.reference,
                            {"type": "message", "text": tx("med.followup", period=period.id)},
                        )
                    except DeliveryFailed:
                        log.warning("med follow-up not delivered", extra=fields(period=period.id))
            await self.tell_hr("med.hr.followup", {"unit": unit, "period": period.id})

    async def status(self) -> tuple[MedPeriod, list[tuple[str, MedEvaluation]]]:
        """HR's "MED-status": this half-year's evaluation per workplace with an active channel."""
        period = self.schedule.due_period(self.clock.now())
        units = sorted({c.unit for c in await self.active_channels()}, key=str.casefold)
        return period, [(unit, await self.evaluation(unit, period.id)) for unit in units]


def _as_domain(channel: Registered, now: datetime) -> MedChannel:
    return MedChannel(channel.team_id, channel.channel_id, channel.unit, now)


def _message(content: Card) -> dict[str, Any]:
    return {"type": "message", "attachments": [attachment(content)]}
