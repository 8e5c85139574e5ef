"""The Notifier for Teams resolves a person to their chat: their stored one, or a new one opened
at the service of another person's chat, or NotReachable. The sender beneath records."""

from __future__ import annotations

import pytest

from bot.errors import NotReachable
from bot.services.refs import ReferenceBook
from bot.teams.notifier import TeamsNotifier
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, user_reference

MESSAGE = {"type": "message", "text": "Hej"}


async def test_a_person_with_a_chat_gets_the_message_there() -> None:
    store = MemoryStore()
    await ReferenceBook(store).remember("u-leader", user_reference("u-leader", "a:leader-chat"))
    sender = RecordingNotifier()
    where, activity_id = await TeamsNotifier(sender, ReferenceBook(store), "tenant-1").to_person("u-leader", MESSAGE)
    [sent] = sender.sent
    assert sent.reference["conversation"]["id"] == "a:leader-chat" == where["conversation"]["id"]
    assert sent.activity_id == activity_id and sent.text == "Hej"
    assert sender.opened == []


async def test_someone_who_never_wrote_gets_a_new_chat_at_the_service_of_open_from() -> None:
    store = MemoryStore()
    reporter = {**user_reference("u-reporter"), "serviceUrl": "https://smba.example.test/north/"}
    await ReferenceBook(store).remember("u-reporter", reporter)
    sender = RecordingNotifier()
    notifier = TeamsNotifier(sender, ReferenceBook(store), "tenant-1")
    where, _ = await notifier.to_person("u-leader", MESSAGE, open_from="u-reporter")
    assert sender.opened == ["u-leader"]
    assert where["serviceUrl"] == "https://smba.example.test/north/"
    assert where["conversation"]["tenantId"] == "tenant-1"
    assert await ReferenceBook(store).reference("u-leader") == where  # remembered for next time


@pytest.mark.parametrize("open_from", [None, "u-nobody"])
async def test_nobody_to_open_a_chat_from_is_not_reachable(open_from: str | None) -> None:
    store = MemoryStore()
    sender = RecordingNotifier()
    with pytest.raises(NotReachable):
        await TeamsNotifier(sender, ReferenceBook(store), "tenant-1").to_person(
            "u-leader", MESSAGE, open_from=open_from
        )
    assert sender.sent == [] and sender.opened == []
