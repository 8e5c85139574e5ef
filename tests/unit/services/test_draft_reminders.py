"""Unfinished reports: one reminder before the draft expires (never two, also with two instances),
retried when it could not be delivered, and the whole draft discarded when its time is up."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta

from bot.services.draft_reminders import remind_and_expire
from bot.services.drafts import DraftIndex
from bot.storage import names
from bot.storage.store import EvidenceMeta
from bot.teams.reference_book import ReferenceBook
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, user_reference

USER, CASE = "u-employee", "c0ffee00c0ffee00c0ffee00c0ffee00"
TTL = timedelta(hours=48)  # the reminder goes 12 hours before the end


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def started(store: MemoryStore, clock: FakeClock, *, locale: str = "da-DK") -> DraftIndex:
    drafts = DraftIndex(store)
    await ReferenceBook(store).remember(USER, user_reference(USER), locale)
    await drafts.start(USER, CASE, clock.now())
    data = b"\x89PNG screenshot"
    meta = EvidenceMeta(hashlib.sha256(data).hexdigest(), len(data), "image/png", "s.png", USER, clock.now())
    await store.put_evidence(names.evidence(CASE, meta.sha256), _bytes(data), meta)
    await drafts.record(USER, CASE, meta, cap=10)
    return drafts


async def test_one_reminder_in_the_persons_language_before_the_draft_expires(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    drafts = await started(store, clock, locale="en-GB")
    clock.advance(hours=35)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 0  # not yet
    clock.advance(hours=2)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 1
    assert notifier.texts_to(USER) == [  # 37 hours of 48 gone: 11 left, not the 12 the reminder is planned for
        "You have a report that hasn't been sent yet. Send it within 11 hours, or you won't be able to continue it."
    ]
    clock.advance(hours=1)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 0  # never twice


async def test_two_instances_send_the_reminder_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    drafts = await started(store, clock)
    clock.advance(hours=37)
    runs = (remind_and_expire(DraftIndex(store), notifier, clock, TTL, "da", ReferenceBook(store)) for _ in range(2))
    sent = await asyncio.gather(*runs)
    assert sorted(sent) == [0, 1]
    assert len(notifier.to(USER)) == 1
    assert (await drafts.get(USER, CASE) or {}).get("reminded") is True


async def test_a_reminder_not_delivered_is_tried_again_on_the_next_tick(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    drafts = await started(store, clock)
    clock.advance(hours=37)
    notifier.fail_for(USER, times=1)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 0
    assert (await drafts.get(USER, CASE) or {}).get("reminded") is False
    clock.advance(minutes=1)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 1


async def test_touching_the_draft_puts_the_reminder_off(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    drafts = await started(store, clock)
    clock.advance(hours=30)
    await drafts.touch(USER, CASE, clock.now())
    clock.advance(hours=7)
    assert await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store)) == 0


async def test_an_expired_draft_is_discarded_whole(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    drafts = await started(store, clock)
    clock.advance(hours=49)
    await remind_and_expire(drafts, notifier, clock, TTL, "da", ReferenceBook(store))
    assert store.data(names.draft(USER)) is None
    assert await store.list(names.evidence_prefix(CASE)) == []  # its files went with it
    assert notifier.sent == []  # too late to remind: it is gone


async def test_a_short_time_to_live_is_counted_in_minutes_never_more_than_is_left(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    """DRAFT_TTL_HOURS=1: the reminder goes 15 minutes before the end and must not say "1 hour"."""
    drafts = await started(store, clock)
    clock.advance(minutes=46)
    assert await remind_and_expire(drafts, notifier, clock, timedelta(hours=1), "da", ReferenceBook(store)) == 1
    assert notifier.texts_to(USER) == [
        "Du har en indberetning, som ikke er sendt endnu. Send den inden for 14 minutter – ellers kan du ikke "
        "længere fortsætte med den."
    ]
