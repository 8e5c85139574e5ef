"""HR notices are never lost and never "delivered" to nobody: kept in HR's outbox until one HR
person got them, backed off while nobody can be reached, each HR person in their language."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.hr_notices import HrNotices
from bot.services.hr_people import HrPeople
from bot.storage import names
from bot.teams.reference_book import ReferenceBook
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, user_reference

HR_DA, HR_EN, HR_NEW = "hr-da", "hr-en", "hr-new"
VALUES = {"unit": "Borgerservice", "period": "2026-1"}


def make(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, directory: MemoryDirectory | None = None
) -> tuple[HrNotices, ReferenceBook]:
    directory = directory or MemoryDirectory(groups={"hr-group": {HR_DA, HR_EN, HR_NEW}})
    refs = ReferenceBook(store)
    hr = HrPeople([], "hr-group", directory)
    return HrNotices(store, hr, refs, notifier, clock, "da", alert_after=timedelta(hours=1)), refs


def outbox(store: MemoryStore) -> list[str]:
    return [n for n in store.names() if n.startswith(names.HR_OUTBOX)]


async def test_a_notice_reaches_every_hr_person_with_a_chat_in_their_language(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notices, refs = make(store, notifier, clock)
    await refs.remember(HR_DA, user_reference(HR_DA), "da-DK")
    await refs.remember(HR_EN, user_reference(HR_EN), "en-US")
    await notices.tell("med.hr.followup", VALUES)
    assert notifier.texts_to(HR_DA) == [
        "MED-evalueringen for Borgerservice (2026-1) er ikke gennemført inden for fristen."
    ]
    assert notifier.texts_to(HR_EN) == [
        "The MED evaluation for Borgerservice (2026-1) was not done within the deadline."
    ]
    assert notifier.to(HR_NEW) == []  # never wrote to the bot: no chat to post in
    assert outbox(store) == []  # delivered: gone from the outbox


async def test_nobody_reachable_keeps_the_notice_and_backs_off_until_someone_is(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notices, refs = make(store, notifier, clock)
    await refs.remember(HR_DA, user_reference(HR_DA), "da-DK")
    notifier.fail_for(HR_DA)
    await notices.tell("med.hr.followup", VALUES)
    [pending] = outbox(store)
    stored = store.data(pending)
    assert stored is not None and stored["attempts"] == 1
    assert await notices.deliver_due() == 0  # backing off: not due yet
    notifier.recover(HR_DA)
    clock.advance(minutes=1)
    assert await notices.deliver_due() == 1
    assert len(notifier.to(HR_DA)) == 1
    assert outbox(store) == []


async def test_one_hr_person_failing_does_not_keep_it_from_the_others(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notices, refs = make(store, notifier, clock)
    for person in (HR_DA, HR_EN):
        await refs.remember(person, user_reference(person), "da-DK")
    notifier.fail_for(HR_DA, permanent=True)
    await notices.tell("med.hr.followup", VALUES)
    assert len(notifier.to(HR_EN)) == 1
    assert outbox(store) == []


async def test_hr_group_unreadable_keeps_the_notice_pending(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    directory = MemoryDirectory(groups={"hr-group": {HR_DA}})
    notices, refs = make(store, notifier, clock, directory)
    await refs.remember(HR_DA, user_reference(HR_DA), "da-DK")
    directory.unavailable = True
    await notices.tell("med.hr.followup", VALUES)
    assert notifier.sent == [] and len(outbox(store)) == 1
    directory.unavailable = False
    clock.advance(minutes=2)
    assert await notices.deliver_due() == 1


async def test_waiting_past_alert_after_marks_the_notice_alerted_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notices, _ = make(store, notifier, clock)  # nobody in HR ever wrote to the bot
    await notices.tell("med.hr.followup", VALUES)
    [pending] = outbox(store)
    for _ in range(6):
        clock.advance(minutes=20)
        await notices.deliver_due()
    stored = store.data(pending)
    assert stored is not None and stored["alerted"] is True and stored["attempts"] >= 3


async def test_two_instances_deliver_a_notice_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    first, refs = make(store, notifier, clock)
    second, _ = make(store, notifier, clock)
    await refs.remember(HR_DA, user_reference(HR_DA), "da-DK")
    notifier.fail_for(HR_DA, times=1)
    await first.tell("med.hr.followup", VALUES)  # not reached: waits in the outbox
    clock.advance(minutes=5)
    delivered = await asyncio.gather(first.deliver_due(), second.deliver_due())
    assert sorted(delivered) == [0, 1]
    assert len(notifier.to(HR_DA)) == 1
