"""The Notifier for Teams resolves a person to their chat: their stored one, or a new one opened
at the service of another person's chat, or NotReachable; and a channel, by its team and channel
id, to its reference. The sender beneath records."""

from __future__ import annotations

import pytest

from bot.errors import NotReachable
from bot.repositories.med_units import MedChannel, UnitRecord, UnitRecords
from bot.storage import names
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


async def test_a_channel_is_found_by_its_ids_from_the_unit_records_read_and_unknown_is_not_reachable() -> None:
    """The MED services name a channel by team and channel id; the Teams side knows its reference
    from the unit record the broadcast read (no read of its own), or reads the record that has it
    registered; a channel no unit has is NotReachable and nothing is sent."""
    store = MemoryStore()
    book = ChannelBook(store)
    record = UnitRecord(
        "borgerservice", "Borgerservice", MedChannel("19:team", "19:med", channel_reference("19:team", "19:med"))
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
