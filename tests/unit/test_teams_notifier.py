"""The Notifier for Teams resolves a person to their chat: their stored one, or a new one opened
at the service of another person's chat, or NotReachable; and a channel, by its team and channel
id, to its reference. The sender beneath records."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, cast

import pytest

from bot.errors import NotReachable
from bot.repositories.med_units import MedChannel, UnitRecord, UnitRecords
from bot.storage import names
from bot.storage.store import Store
from bot.teams.channel_book import ChannelBook
from bot.teams.notifier import TeamsNotifier
from bot.teams.reference_book import ReferenceBook
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, channel_reference, user_reference

MESSAGE = {"type": "message", "text": "Hej"}


async def test_a_person_with_a_chat_gets_the_message_there() -> None:
    store = MemoryStore()
    await ReferenceBook(store).remember("u-leader", user_reference("u-leader", "a:leader-chat"))
    fake = RecordingNotifier()
    where, activity_id = await TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1").to_person(
        "u-leader", MESSAGE
    )
    [sent] = fake.sent
    assert sent.reference["conversation"]["id"] == "a:leader-chat" == where["conversation"]["id"]
    assert sent.activity_id == activity_id and sent.text == "Hej"
    assert fake.opened == []


async def test_someone_who_never_wrote_gets_a_new_chat_at_the_service_of_open_from() -> None:
    store = MemoryStore()
    reporter = {**user_reference("u-reporter"), "serviceUrl": "https://smba.example.test/north/"}
    await ReferenceBook(store).remember("u-reporter", reporter)
    fake = RecordingNotifier()
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1")
    where, _ = await notifier.to_person("u-leader", MESSAGE, open_from="u-reporter")
    assert fake.opened == ["u-leader"]
    assert where["serviceUrl"] == "https://smba.example.test/north/"
    assert where["conversation"]["tenantId"] == "tenant-1"
    assert await ReferenceBook(store).reference("u-leader") == where  # remembered for next time


@pytest.mark.parametrize("open_from", [None, "u-nobody"])
async def test_nobody_to_open_a_chat_from_is_not_reachable(open_from: str | None) -> None:
    store = MemoryStore()
    fake = RecordingNotifier()
    with pytest.raises(NotReachable):
        await TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1").to_person(
            "u-leader", MESSAGE, open_from=open_from
        )
    assert fake.sent == [] and fake.opened == []


async def test_a_channel_of_an_old_record_is_found_from_the_unit_record_and_unknown_is_not_reachable() -> None:
    """A unit record from before the channel book carries the reference: the Teams side knows it
    from the record the broadcast read (no read of its own), or reads the record that has it
    registered; a channel nobody kept and no unit has is NotReachable and nothing is sent."""
    store = MemoryStore()
    book = ChannelBook(store)
    record = UnitRecord(
        "borgerservice",
        "Borgerservice",
        MedChannel("19:team", "19:med", reference=channel_reference("19:team", "19:med")),
    )
    await UnitRecords(store).change("Borgerservice", lambda _: (record, None))
    fake = RecordingNotifier()
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", book)
    with pytest.raises(NotReachable):
        await notifier.to_channel("19:team", "19:other", MESSAGE)
    assert fake.sent == []

    where, activity_id = await notifier.to_channel("19:team", "19:med", MESSAGE)  # read from the record
    [sent] = fake.sent
    assert sent.to == "19:team/19:med" and sent.activity_id == activity_id and where == sent.reference

    seen = ChannelBook(store)
    await UnitRecords(store, seen.remember).get("Borgerservice")  # as the broadcast reads it
    await store.delete(names.unit_record("Borgerservice"))  # so a read of its own would find nothing
    await TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", seen).to_channel("19:team", "19:med", MESSAGE)
    assert len(fake.to("19:team/19:med")) == 2


async def test_a_kept_channel_is_found_by_its_ids_on_another_instance_also_once_no_unit_has_it() -> None:
    """Registration keeps the channel's reference in the channel book (`refs/channels.json`); the
    unit record names the channel by its ids alone. Another instance's book reads it once, then
    knows it; a moved channel's note still finds it."""
    store = MemoryStore()
    reference = {**channel_reference("19:team", "19:med"), "serviceUrl": "https://smba.example.test/north/"}
    await ChannelBook(store).keep("19:team", "19:med", reference)
    record = UnitRecord("borgerservice", "Borgerservice", MedChannel("19:team", "19:med", "MED-udvalget"))
    await UnitRecords(store).change("Borgerservice", lambda _: (record, None))
    assert "reference" not in (await store.get(names.unit_record("Borgerservice"))).data["channel"]  # type: ignore[union-attr]

    fake = RecordingNotifier()
    other = ChannelBook(store)
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", other)
    where, _ = await notifier.to_channel("19:team", "19:med", MESSAGE)
    assert where == reference
    await store.delete(names.CHANNEL_REFS)
    await notifier.to_channel("19:team", "19:med", MESSAGE)  # known now: no read
    assert len(fake.to("19:team/19:med")) == 2

    await ChannelBook(store).keep("19:team", "19:med", reference)
    await store.delete(names.unit_record("Borgerservice"))  # no unit has it any more (moved)
    fresh = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", ChannelBook(store))
    await fresh.to_channel("19:team", "19:med", MESSAGE)
    assert len(fake.to("19:team/19:med")) == 3


async def test_a_new_chat_opens_at_the_service_url_of_any_registered_channel() -> None:
    """Nobody wrote to this instance and no HR person has a chat: the Teams side lists one unit
    that has a channel and takes its kept reference's service URL."""
    store = MemoryStore()
    reference = {**channel_reference("19:team", "19:med"), "serviceUrl": "https://smba.example.test/north/"}
    await ChannelBook(store).keep("19:team", "19:med", reference)
    record = UnitRecord("borgerservice", "Borgerservice", MedChannel("19:team", "19:med"))
    await UnitRecords(store).change("Borgerservice", lambda _: (record, None))
    fake = RecordingNotifier()
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", ChannelBook(store), lambda: ["u-hr"])
    where, _ = await notifier.to_person("u-leader", MESSAGE)
    assert fake.opened == ["u-leader"] and where["serviceUrl"] == "https://smba.example.test/north/"


async def test_chats_opened_side_by_side_take_the_kept_channels_service_url_without_listing_units() -> None:
    """A MED round opens many chats at once on a fresh instance: the book's one read tells them
    the service URL; the unit records are not listed for it."""
    store = MemoryStore()
    reference = {**channel_reference("19:team", "19:med"), "serviceUrl": "https://smba.example.test/north/"}
    await ChannelBook(store).keep("19:team", "19:med", reference)
    record = UnitRecord("borgerservice", "Borgerservice", MedChannel("19:team", "19:med"))
    await UnitRecords(store).change("Borgerservice", lambda _: (record, None))
    counting = CountingGets(store)
    fake = RecordingNotifier()
    book = ChannelBook(cast(Store, counting))
    notifier = TeamsNotifier(fake.sender, ReferenceBook(cast(Store, counting)), "tenant-1", book)
    opened = await asyncio.gather(*(notifier.to_person(f"u-leader-{i}", MESSAGE) for i in range(5)))
    assert {where["serviceUrl"] for where, _ in opened} == {"https://smba.example.test/north/"}
    assert counting.finds == 0 and counting.gets[names.CHANNEL_REFS] == 1


async def test_a_new_chat_opens_at_an_hr_persons_service_url_before_listing_channels() -> None:
    store = MemoryStore()
    hr_chat = {**user_reference("u-hr"), "serviceUrl": "https://smba.example.test/hr/"}
    await ReferenceBook(store).remember("u-hr", hr_chat)
    fake = RecordingNotifier()
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", ChannelBook(store), lambda: ["u-hr"])
    where, _ = await notifier.to_person("u-leader", MESSAGE)
    assert where["serviceUrl"] == "https://smba.example.test/hr/"


class CountingGets:
    """The store, counting reads by name."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner
        self.gets: Counter[str] = Counter()
        self.finds = 0

    async def get(self, name: str) -> Any:
        self.gets[name] += 1
        return await self._inner.get(name)

    async def find(self, *args: Any, **kwargs: Any) -> Any:
        self.finds += 1
        return await self._inner.find(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_one_read_for_every_kept_channel_and_registrations_side_by_side_all_kept() -> None:
    """The MED round posts in many channels: a book that knows none reads the one document once.
    Registrations at the same moment (two instances) are all kept (ETag, re-applied)."""
    store = MemoryStore()
    ids = [("19:team", f"19:c{i}") for i in range(5)]
    await asyncio.gather(*(ChannelBook(store).keep(t, c, channel_reference(t, c)) for t, c in ids))
    counting = CountingGets(store)
    book = ChannelBook(cast(Store, counting))
    fake = RecordingNotifier()
    notifier = TeamsNotifier(fake.sender, ReferenceBook(store), "tenant-1", book)
    await asyncio.gather(*(notifier.to_channel(t, c, MESSAGE) for t, c in ids))
    assert sorted(m.to for m in fake.sent) == sorted(f"{t}/{c}" for t, c in ids)
    assert counting.gets == Counter({names.CHANNEL_REFS: 1})
    with pytest.raises(NotReachable):  # unknown here: read again (kept meanwhile on another instance?)
        await notifier.to_channel("19:team", "19:nobody", MESSAGE)
