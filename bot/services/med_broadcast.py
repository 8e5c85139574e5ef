"""The twice-yearly MED reminder: every workplace once per half-year, in its channel or its leader's chat.

A unit with a registered MED channel gets the reminder there. A unit without one gets it in a
1:1 chat with its leader (the deputy while the leader is away), with a way to register a
channel; a leader who never wrote to the bot gets a new chat (the Notifier's `to_person`: the Teams
side opens it).
A unit with neither is not reminded, and HR's overview shows it.

Exactly once per (unit, period): the record `med/sent/{period}/units/{unit}.json` is written
before the send ("sending") and after it ("sent", with where it went and the activity id, or
"failed" with a retry time). A restart or a second instance never sends it twice; a claim older
than `STALE_CLAIM` was left by a crash and is taken over. Per-channel records written before
unit records count for their unit. What is due is the domain's `units_due`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.chat.outgoing import Card, message
from bot.errors import AlreadyExists, Conflict, DeliveryFailed
from bot.guideline import med as domain
from bot.guideline.med import MedPeriod, MedSchedule
from bot.guideline.med_units import unit_key
from bot.hosting.logs import fields
from bot.jobs.send_guard import ClaimLost
from bot.repositories.med_evaluations import MedEvaluationRecords
from bot.repositories.med_units import UnitRecord
from bot.services.broadcast import Item, as_stream, broadcast
from bot.services.med_evaluations import MedEvaluations
from bot.services.med_units import MedUnits, Unit
from bot.services.ports import Clock, Languages, Notifier
from bot.storage import names
from bot.storage.store import Store
from bot.texts import Texts, language_for

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)  # a "sending" record older than this was left by a crash
CLAIM_MARGIN = timedelta(minutes=1)  # a send attempt starts only with this much of the claim left
RETRY_AFTER = timedelta(minutes=5)
# A card Teams refused (400, 413, 401: permanent, the channel not gone) fails the same way until the
# bot or its settings change (a deployment, a restart): tried again once a day, not every 5 minutes.
REFUSED_RETRY_AFTER = timedelta(hours=24)
SEND_CONCURRENCY = 8  # units in flight at once; the sender's limiter paces them to Teams' limits
# Claims ("sending" records) are written this many side by side, ahead of the sends (see _send).
CLAIM_CONCURRENCY = 16
# While a reminder goes out, 4 reads side by side keep well ahead of 50 sends a second, and leave
# the store (and, on one machine, the CPU) to the sends' claims and records.
SEND_READ_CONCURRENCY = 4
# How far the round reads and builds ahead of the sends: one second at Teams' app limit (50), so
# the next second's cards are ready while this second's sends wait for the limiter, and memory
# holds that many cards and unit records whatever the number of workplaces.
SEND_AHEAD = 50
READ_AHEAD = 16  # unit records read ahead of the round's stream (4 side by side)
FOLLOWED_UP_MEMORY = 20_000  # (period, unit) pairs known to be followed up; then forgotten, re-asked


@dataclass(frozen=True)
class Target:
    """Where one unit's reminder goes: its registered channel (team and channel id), or a person's chat."""

    unit: Unit
    channel: tuple[str, str] | None  # (team id, channel id); None for a chat
    person: str | None  # the leader (or deputy) for a chat

    @property
    def in_chat(self) -> bool:
        return self.channel is None


@dataclass
class Sent:
    channels: int = 0
    chats: int = 0

    @property
    def total(self) -> int:
        return self.channels + self.chats

    def count(self, target: Target) -> None:
        if target.in_chat:
            self.chats += 1
        else:
            self.channels += 1


@dataclass
class _Round:
    """One broadcast's working state for the units in flight (each entry goes once the unit's
    outcome is recorded, so memory does not grow with the number of workplaces)."""

    targets: dict[str, Target] = field(default_factory=dict)
    opened: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # key -> where it went (the Notifier's)
    claims: dict[str, asyncio.Future[bool]] = field(default_factory=dict)  # key -> claimed (ahead of its send)
    cards: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)  # keys whose send began (it may have arrived)
    sent: Sent = field(default_factory=Sent)

    def done(self, key: str) -> None:
        self.targets.pop(key, None)
        self.opened.pop(key, None)
        self.claims.pop(key, None)
        self.started.discard(key)
        card = self.cards.pop(key, None)
        if card is not None:
            card.cancel()  # built and sent, or not needed (claimed elsewhere)


class MedBroadcast:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        clock: Clock,
        schedule: MedSchedule,
        followup_weeks: int,
        units: MedUnits,
        evaluations: MedEvaluations,
        languages: Languages,
        default_language: str,
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.clock = clock
        self.schedule = schedule
        self.followup_weeks = followup_weeks
        self.units = units
        self.evaluations = evaluations
        self.languages = languages
        self.default_language = default_language
        self.stopping = asyncio.Event()  # set at shutdown: sends in flight finish, nothing new starts
        self.sends = evaluations.sends  # one memory of the period's sent records, for both
        self._followed_up: set[tuple[str, str]] = set()  # (period, unit tag): marker written or found
        self.evaluation_records = MedEvaluationRecords(store)  # the follow-up markers

    # -- what to send where ---------------------------------------------------------------------------
    async def _targets(self, only: str | None = None, settled: Collection[str] = ()) -> AsyncIterator[Target]:
        """Every workplace's target but the `settled` ones (unit tags: their records are not even
        read): the unit records as they are read (4 side by side, at most READ_AHEAD ahead of the
        stream), and the directory's units without a record (they need no read) right after the
        first unit with a channel. Opening a leader's chat needs the service URL, which the Teams
        side learns from a channel's record as it is read: without one first, the first chats
        would each look for it in every record."""
        await self.units.migrate()
        places = {w.key: w for w in await self.units.workplaces()}
        records = await self.units.records.names()
        recorded = {names.unit_record_tag(name) for name in records}
        wanted = unit_key(only) if only else None
        chats = [
            Target(Unit(key, place.name, place, None), None, place.recipient.aad_object_id)
            for key, place in places.items()
            if place.recipient is not None
            and (tag := names.unit_tag(key)) not in recorded
            and tag not in settled
            and wanted in (None, key)
        ]
        gate = asyncio.Semaphore(SEND_READ_CONCURRENCY)

        async def read(name: str) -> UnitRecord | None:
            async with gate:
                return await self.units.records.read(name)

        todo = iter([n for n in records if names.unit_record_tag(n) not in settled])
        reads: deque[asyncio.Future[UnitRecord | None]] = deque()

        def read_ahead() -> None:
            while len(reads) < READ_AHEAD and (name := next(todo, None)) is not None:
                reads.append(asyncio.ensure_future(read(name)))

        read_ahead()
        try:
            while reads:
                record = await reads.popleft()
                read_ahead()
                if record is None or wanted not in (None, record.key):
                    continue
                place = places.get(record.key)
                unit = Unit(record.key, place.name if place else record.name, place, record)
                if record.channel is not None:
                    yield Target(unit, (record.channel.team_id, record.channel.channel_id), None)
                    for target in chats:
                        yield target
                    chats = []
                elif place is not None and place.recipient is not None:
                    yield Target(unit, None, place.recipient.aad_object_id)
            for target in chats:  # no unit has a channel
                yield target
        finally:
            for pending in reads:
                pending.cancel()

    # -- the scheduler job and HR's "send now" -------------------------------------------------------
    async def send_due(self) -> Sent:
        """Follow-ups, then the reminders the domain says are due. Sending starts with the first
        target; the rest are read while the first are sent.

        The follow-ups come first: a reminder sent in this round is weeks from its follow-up, so
        checking before the round finds what checking after it would, and on the reminder date it
        lists the period's sent records while there are none instead of after every unit's."""
        now = self.clock.now()
        period = self.schedule.due_period(now)
        await self._followups(period)
        if not domain.reminder_due(now, self.schedule):  # past its catch-up days: read nothing
            return Sent()
        settled = await self._settled_units(period.id)
        return await self._send(period, self._targets(settled=settled))

    async def send_now(self, unit: str | None) -> Sent:
        """HR: send this half-year's reminder now, to every workplace or one (never twice)."""
        period = self.schedule.due_period(self.clock.now())
        settled = await self._settled_units(period.id)
        todo = [t async for t in self._targets(unit, settled)]
        return await self._send(period, todo)

    async def _settled_units(self, period_id: str) -> set[str]:
        """Tags of units whose reminder is sent, being sent by another instance, or waiting to retry.
        A unit's "sent" record is final: its tag and name say enough, it is not read. Per-channel
        records from before unit records count for their unit."""
        tags = set()
        now = self.clock.now()
        sent, others = await self.sends.of_period_unread_if_sent(period_id)
        tags.update(sent)
        for data in others:
            state = data.get("state")
            fresh_claim = state == "sending" and now - datetime.fromisoformat(data["at"]) < STALE_CLAIM
            waiting = state == "failed" and datetime.fromisoformat(data["next_at"]) > now
            if state == "sent" or fresh_claim or waiting:
                tags.add(names.unit_tag(str(data.get("unit") or "")))
        return tags

    async def _claim(self, period: MedPeriod, target: Target) -> datetime | None:
        """Record "sending" before the send: its time, or None if someone else holds or finished it."""
        now = self.clock.now()
        unit = target.unit
        record = {
            "key": domain.med_reminder_key(unit.key, period),
            "state": "sending",
            "at": now.isoformat(),
            "unit": unit.key,
            "name": unit.name,
            "via": "chat" if target.in_chat else "channel",
        }
        try:
            await self.sends.create(period.id, unit.key, record)
        except AlreadyExists:
            pass
        else:
            return now
        doc = await self.sends.get(period.id, unit.key)
        if doc is None:
            return None
        state = doc.data.get("state")
        stale = state == "sending" and now - datetime.fromisoformat(doc.data["at"]) >= STALE_CLAIM
        retry = state == "failed" and datetime.fromisoformat(doc.data["next_at"]) <= now
        if not (stale or retry):
            return None
        try:  # take it over with the ETag: of two instances only one wins
            await self.sends.replace(period.id, unit.key, {**doc.data, **record}, doc.etag)
        except Conflict:
            return None
        return now

    async def _renew_claim(self, period: MedPeriod, key: str, since: datetime) -> datetime:
        """Move our "sending" record's time to now, with the ETag; ClaimLost if it is not ours."""
        name = names.med_sent(period.id, key)
        doc = await self.sends.get(period.id, key)
        if doc is None or doc.data.get("state") != "sending" or doc.data.get("at") != since.isoformat():
            raise ClaimLost(name)
        now = self.clock.now()
        try:
            await self.sends.replace(period.id, key, {**doc.data, "at": now.isoformat()}, doc.etag)
        except Conflict:
            raise ClaimLost(name) from None
        return now

    async def _send(self, period: MedPeriod, targets: AsyncIterable[Target] | list[Target]) -> Sent:
        """Claim, build and send every target's reminder, then record each outcome.

        The sends are the round's pace (Teams' 50 a second for the app): nothing else should make
        them wait. So each unit is claimed ("sending" written, create-only) and its card built as
        soon as it comes up, SEND_AHEAD ahead of the sends, and a free send slot finds its request
        ready. The claim still precedes the send, and the outcome is recorded after it. Claims made
        ahead whose send never started (a stop, a failure of the round) are released before this
        returns, so the next run or another instance takes them at once; only a crash leaves them,
        for STALE_CLAIM, as it leaves the sends in flight."""
        work = _Round()
        gate = asyncio.Semaphore(SEND_READ_CONCURRENCY)
        claim_gate = asyncio.Semaphore(CLAIM_CONCURRENCY)
        # Which units have an evaluation document yet: one listing instead of a read per unit.
        stored = asyncio.ensure_future(self.evaluations.stored_tags(period.id))
        # The period's erased-case counts (one document for every unit): read once for the round.
        erased = asyncio.ensure_future(self.evaluations.erased_of_period(period))
        claimed_at: dict[str, datetime] = {}  # our claims not yet followed by a record

        async def build(target: Target) -> dict[str, Any]:
            async with gate:
                tx = None
                if target.person is not None:
                    # The Teams side keeps what it read for this (also that there is no chat yet),
                    # so opening the chat when the card is sent reads nothing more.
                    tx = Texts(language_for(await self.languages.locale(target.person), self.default_language))
                ev = await self.evaluations.evaluation_in_round(target.unit, period.id, await asyncio.shield(stored))
                card = await self.evaluations.card(
                    target.unit,
                    period,
                    being_sent=True,
                    in_chat=target.in_chat,
                    tx=tx,
                    evaluation=ev,
                    erased=await asyncio.shield(erased),
                )
                return _message(card)

        async def claim_ahead(target: Target) -> bool:
            """The unit's claim, then its card (a card for a unit claimed elsewhere is not built)."""
            async with claim_gate:
                at = await self._claim(period, target)
            if at is None:
                return False
            claimed_at[target.unit.key] = at
            work.cards[target.unit.key] = asyncio.ensure_future(build(target))
            return True

        async def items() -> AsyncIterator[Item]:
            async for target in as_stream(targets):
                key = target.unit.key
                work.targets[key] = target
                # Claimed and built as soon as the unit comes up, SEND_AHEAD ahead of the sends (the
                # broadcast takes no more): both are ready when the limiter lets its send go.
                work.claims[key] = asyncio.ensure_future(claim_ahead(target))

                async def content(key: str = key) -> dict[str, Any]:
                    return await asyncio.shield(work.cards[key])

                yield key, {"med_chat" if target.in_chat else "med_channel": key}, content

        async def claim(key: str) -> bool:
            if not await asyncio.shield(work.claims[key]):
                work.done(key)
                return False
            return True

        async def still_claimed(key: str) -> None:
            """Before each send attempt: a claim near STALE_CLAIM (a long Retry-After) is renewed
            if the record is still ours, or the send ends unsent (ClaimLost) if it was taken over."""
            if self.clock.now() - claimed_at[key] < STALE_CLAIM - CLAIM_MARGIN:
                return
            claimed_at[key] = await self._renew_claim(period, key, claimed_at[key])

        async def record(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
            target = work.targets[key]
            claimed_at.pop(key, None)
            now = self.clock.now()
            try:
                if activity_id is not None:
                    where = work.opened.get(key)
                    sent = {"state": "sent", "activity_id": activity_id, "sent_at": now.isoformat(), "reference": where}
                    await self.sends.record(period.id, key, sent)  # the evaluation reads "sent" from this record
                    work.sent.count(target)
                    return
                refused = error is not None and error.permanent and not error.gone
                retry_at = now + (REFUSED_RETRY_AFTER if refused else RETRY_AFTER)
                await self.sends.record(period.id, key, {"state": "failed", "next_at": retry_at.isoformat()})
                channel = target.unit.channel
                # Only a channel Teams says is gone (403/404) loses its place (HR is told). A card
                # refused otherwise is no sign of a gone channel: it stays registered, the failure
                # is logged, and the send is tried again after REFUSED_RETRY_AFTER.
                if error is not None and error.gone and not target.in_chat and channel is not None:
                    await self.units.deactivate(channel.team_id, channel.channel_id, "bot removed or channel gone")
            finally:
                self.sends.forget(period.id, key)  # the record is final for this round: keep no copy of it
                work.done(key)

        # Recording runs beside the next send (the worker is not held up by storage); all records
        # are awaited before this returns, so a graceful stop still leaves nothing unrecorded.
        recording: set[asyncio.Task[None]] = set()
        failures: list[BaseException] = []

        def recorded_one(task: asyncio.Task[None]) -> None:
            recording.discard(task)
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())  # type: ignore[arg-type]

        async def recorded(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
            task = asyncio.create_task(record(key, activity_id, error))
            recording.add(task)
            task.add_done_callback(recorded_one)

        try:
            result = await broadcast(
                _Deliver(self, work),
                items(),
                concurrency=SEND_CONCURRENCY,
                on_result=recorded,
                claim=claim,
                still_claimed=still_claimed,
                stop=self.stopping,
                ahead=SEND_AHEAD,
                keep=False,
            )
        finally:
            while recording:
                await asyncio.gather(*recording, return_exceptions=True)
            # Claims still being written finish (a claim cancelled mid-write could be stored
            # unknown to us), then every claim of ours whose send never started is released. A
            # send that started and was not recorded (cancelled when the round failed) may have
            # arrived: its claim stays, for STALE_CLAIM, as before.
            await asyncio.gather(*work.claims.values(), return_exceptions=True)
            await self._release(period, {k: at for k, at in claimed_at.items() if k not in work.started})
            futures: list[asyncio.Future[Any]] = [*work.claims.values(), *work.cards.values(), stored, erased]
            for future in futures:
                if future.done() and not future.cancelled():
                    future.exception()  # a failure was reported per unit; mark it as seen
                future.cancel()  # a card no send needed (its unit was claimed elsewhere)
        if failures:
            raise failures[0]
        sent = work.sent
        log.info(
            "med reminders",
            extra=fields(period=period.id, channels=sent.channels, chats=sent.chats, failed=result.failures),
        )
        return sent

    async def _release(self, period: MedPeriod, claimed: Mapping[str, datetime]) -> None:
        """Give up claims made ahead whose send never started (the round stopped or failed first):
        each is deleted if it is still ours (its time, with the ETag), so nobody waits STALE_CLAIM
        for it. A claim another instance took over (ClaimLost) is theirs and stays."""
        for key, at in list(claimed.items()):
            try:
                await self.sends.release(period.id, key, at.isoformat())
            except Exception:  # it expires after STALE_CLAIM all the same
                log.warning("med claim not released", extra=fields(period=period.id))
            finally:
                self.sends.forget(period.id, key)

    # -- after a mark, and the follow-up ------------------------------------------------------------
    async def update_card(self, unit: Unit, period: MedPeriod, except_conversation: str | None) -> None:
        """The reminder card where it was sent shows the new state (unless the mark came from it)."""
        doc = await self.sends.get(period.id, unit.key)
        if doc is None or not doc.data.get("activity_id") or not isinstance(doc.data.get("reference"), dict):
            return
        reference = doc.data["reference"]
        if (reference.get("conversation") or {}).get("id") == except_conversation:
            return
        in_chat = doc.data.get("via") == "chat"
        content = await self.evaluations.card(unit, period, in_chat=in_chat)
        try:
            await self.notifier.update(reference, str(doc.data["activity_id"]), _message(content))
        except DeliveryFailed:
            log.warning("med card update failed", extra=fields(period=period.id))

    async def _followups(self, period: MedPeriod) -> None:
        """Not done within the configured weeks: one follow-up where the reminder went, HR told.
        Every tick asks; the sent records are read once (MedSends keeps what it needs of them),
        and a unit followed up is not asked of the store again."""
        now = self.clock.now()
        for tag, ev in (await self.evaluations.period_evaluations(period.id)).items():
            if (period.id, tag) in self._followed_up:
                continue
            if not domain.needs_followup(ev, now, self.followup_weeks, self.schedule.tz):
                continue
            marker = {"unit": ev.unit, "period": period.id, "at": now.isoformat()}
            first = await self.evaluation_records.mark_followed_up(ev.unit, period.id, marker)
            if len(self._followed_up) >= FOLLOWED_UP_MEMORY:
                self._followed_up.clear()
            self._followed_up.add((period.id, tag))
            if not first:
                continue  # once per unit and period
            sent = await self.sends.get_by_tag(period.id, tag)
            reference = sent.data.get("reference") if sent else None
            if isinstance(reference, dict):
                tx = Texts(self.default_language)
                try:
                    text = tx("med.followup", period=period.id, unit=ev.unit)
                    await self.notifier.send(reference, {"type": "message", "text": text})
                except DeliveryFailed:
                    log.warning("med follow-up not delivered", extra=fields(period=period.id))
            await self.units.tell_hr("med.hr.followup", {"unit": ev.unit, "period": period.id})


class _Deliver:
    """The broadcast's sender: a channel target ({"med_channel": unit}) goes to the notifier by
    its team and channel id; a chat target ({"med_chat": unit}) to the person by their Entra id
    (the Teams side opens the chat if needed). Where it went is kept for the "sent" record."""

    def __init__(self, owner: MedBroadcast, work: _Round) -> None:
        self._owner = owner
        self._work = work

    async def send(self, item: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        key = item.get("med_chat")
        self._work.started.add(str(key if isinstance(key, str) else item["med_channel"]))
        if not isinstance(key, str):
            unit = str(item["med_channel"])
            channel = self._work.targets[unit].channel
            assert channel is not None
            where, activity_id = await self._owner.notifier.to_channel(*channel, activity)
            self._work.opened[unit] = where
            return activity_id
        person = self._work.targets[key].person
        assert person is not None
        opened, activity_id = await self._owner.notifier.to_person(person, activity)
        self._work.opened[key] = opened
        return activity_id


def _message(content: Card) -> dict[str, Any]:
    return message("", content)
