"""TeamsSender through a real botbuilder CloudAdapter against the throttling fake Bot Connector."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.errors import DeliveryFailed, NotReachable
from bot.repositories.med_units import MedChannel, UnitRecord, UnitRecords
from bot.storage import names
from bot.teams.channel_book import ChannelBook
from bot.teams.notifier import ConversationSender, TeamsNotifier
from bot.teams.ratelimit import RateLimiter, parse_retry_after
from bot.teams.reference_book import ReferenceBook
from bot.teams.sender import (
    ConversationGone,
    DeliveryExhausted,
    DeliveryRejected,
    TeamsSender,
)
from tests.fakes.connector import FakeConnector
from tests.fakes.memory import MemoryStore

CHANNEL = "19:med-channel@thread.tacv2"
TENANT = "tenant-1"


class LocalConfig:
    """The configuration object botbuilder reads; an empty app id means no tokens (local mode)."""

    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


def card_message(title: str) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": title}]},
            }
        ],
    }


def reference(fake: FakeConnector, conversation_id: str = CHANNEL) -> dict[str, Any]:
    return {
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "conversation": {"id": conversation_id, "conversationType": "channel", "tenantId": TENANT},
        "bot": {"id": "28:bot", "name": "Krænkelser"},
        "user": {"id": "29:someone"},
    }


class Sleeps:
    """Records each back-off the sender asks for and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as connector:
        yield connector


@pytest.fixture
def adapter() -> CloudAdapter:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(LocalConfig()))
    turn_errors: list[Exception] = []

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        turn_errors.append(error)  # what the app does: apologise and log; must not hide failures

    adapter.on_turn_error = on_turn_error
    return adapter


def make_sender(
    adapter: CloudAdapter, *, limiter: RateLimiter | None = None, sleep: Any = None, max_attempts: int = 5
) -> TeamsSender:
    return TeamsSender(
        adapter,
        "",
        limiter or RateLimiter(),
        max_attempts=max_attempts,
        sleep=sleep or asyncio.sleep,
        jitter=lambda: 1.0,
    )


async def test_a_proactive_card_arrives_once_with_its_id(fake: FakeConnector, adapter: CloudAdapter) -> None:
    sender = make_sender(adapter)

    activity_id = await sender.send(reference(fake), card_message("MED-evaluering"))

    [got] = fake.messages(CHANNEL)
    assert got.activity_id == activity_id
    assert got.activity["attachments"][0]["content"]["body"][0]["text"] == "MED-evaluering"
    assert got.activity["from"]["id"] == "28:bot"
    assert fake.auth_headers == [None]  # local mode: no token needed
    assert got.reply_to_id is None and "replyToId" not in got.activity  # a new post, not a reply


async def test_429_is_retried_no_sooner_than_retry_after(fake: FakeConnector, adapter: CloudAdapter) -> None:
    # A limiter that lets everything through, so the fake's own throttling answers 429.
    sender = make_sender(adapter, limiter=RateLimiter([(1000, 1.0)], [(1000, 1.0)]))

    ids = await asyncio.gather(*(sender.send(reference(fake), card_message(f"n{i}")) for i in range(8)))

    assert len(set(ids)) == 8 and len(fake.messages(CHANNEL)) == 8
    [throttled] = fake.throttled
    assert throttled.retry_after == 1
    retried = max(m.at for m in fake.messages(CHANNEL))
    assert retried - throttled.at >= 1.0


async def test_the_limiter_keeps_one_channel_free_of_429(fake: FakeConnector, adapter: CloudAdapter) -> None:
    sender = make_sender(adapter, limiter=RateLimiter())

    await asyncio.gather(*(sender.send(reference(fake), card_message(f"n{i}")) for i in range(8)))

    assert fake.throttled == []
    stamps = sorted(m.at for m in fake.messages(CHANNEL))
    assert len(stamps) == 8 and stamps[7] - stamps[0] >= 1.0


@pytest.mark.parametrize("status", [503, 412, 502, 504])
async def test_transient_failures_are_retried_with_backoff(
    fake: FakeConnector, adapter: CloudAdapter, status: int
) -> None:
    sleeps = Sleeps()
    sender = make_sender(adapter, sleep=sleeps)
    fake.fail_next(2, status)

    activity_id = await sender.send(reference(fake), card_message("x"))

    assert fake.statuses() == [status, status, 201]
    assert [m.activity_id for m in fake.messages()] == [activity_id]
    assert sleeps.calls == [0.5, 1.0]  # exponential; jitter pinned to its top


async def test_a_429_without_retry_after_backs_off(fake: FakeConnector, adapter: CloudAdapter) -> None:
    sleeps = Sleeps()
    fake.fail_next(1, 429)

    await make_sender(adapter, sleep=sleeps).send(reference(fake), card_message("x"))

    assert fake.statuses() == [429, 201] and sleeps.calls == [0.5]


@pytest.mark.parametrize("status", [403, 404])
async def test_a_removed_bot_or_lost_conversation_is_permanent(
    fake: FakeConnector, adapter: CloudAdapter, status: int
) -> None:
    sleeps = Sleeps()
    if status == 403:
        fake.remove_bot(CHANNEL)
    else:
        fake.forget(CHANNEL)

    with pytest.raises(ConversationGone) as caught:
        await make_sender(adapter, sleep=sleeps).send(reference(fake), card_message("x"))

    assert isinstance(caught.value, DeliveryFailed)
    assert caught.value.permanent and caught.value.status == status
    assert fake.statuses() == [status] and sleeps.calls == []


async def test_a_bad_request_is_not_retried(fake: FakeConnector, adapter: CloudAdapter) -> None:
    fake.fail_next(1, 400)

    with pytest.raises(DeliveryRejected) as caught:
        await make_sender(adapter, sleep=Sleeps()).send(reference(fake), card_message("x"))

    assert caught.value.permanent and fake.statuses() == [400]


async def test_gives_up_after_max_attempts(fake: FakeConnector, adapter: CloudAdapter) -> None:
    fake.fail_next(10, 503)

    with pytest.raises(DeliveryExhausted) as caught:
        await make_sender(adapter, sleep=Sleeps(), max_attempts=3).send(reference(fake), card_message("x"))

    assert not caught.value.permanent and caught.value.attempts == 3
    assert fake.statuses() == [503, 503, 503] and fake.messages() == []


async def test_a_dropped_connection_is_retried(fake: FakeConnector, adapter: CloudAdapter) -> None:
    fake.drop_next(1, after_accept=False)

    await make_sender(adapter, sleep=Sleeps()).send(reference(fake), card_message("x"))

    assert fake.statuses() == [0, 201] and len(fake.messages()) == 1


async def test_a_crash_after_the_connector_accepted_can_duplicate(fake: FakeConnector, adapter: CloudAdapter) -> None:
    # The one case where at-least-once shows: we cannot know the first copy arrived.
    fake.drop_next(1, after_accept=True)

    await make_sender(adapter, sleep=Sleeps()).send(reference(fake), card_message("x"))

    assert len(fake.messages()) == 2


async def test_update_replaces_the_card_in_place(fake: FakeConnector, adapter: CloudAdapter) -> None:
    sender = make_sender(adapter, sleep=Sleeps())
    activity_id = await sender.send(reference(fake), card_message("Åben"))
    fake.fail_next(1, 503)

    await sender.update(reference(fake), activity_id, card_message("Afsluttet"))

    [original] = fake.messages(CHANNEL)
    [update] = original.updates
    assert update["id"] == activity_id
    assert update["attachments"][0]["content"]["body"][0]["text"] == "Afsluttet"
    # One failed PUT and one good one: msrest did not retry behind our back.
    assert [r.status for r in fake.log if r.method == "PUT"] == [503, 200]


async def test_updating_an_unknown_activity_is_permanent(fake: FakeConnector, adapter: CloudAdapter) -> None:
    with pytest.raises(ConversationGone):
        await make_sender(adapter).update(reference(fake), "1:999", card_message("x"))


async def test_send_to_user_opens_a_chat_and_returns_a_reusable_reference(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    sender = make_sender(adapter)

    ref, first_id = await sender.send_to_user("aad-leader", TENANT, fake.service_url, card_message("Ny sag"))

    [created] = fake.created
    assert created["members"] == [{"id": "aad-leader"}] and created["tenantID"] == TENANT
    assert created["channelData"] == {"tenant": {"id": TENANT}} and created["isGroup"] is False
    conversation_id = ref["conversation"]["id"]
    assert fake.find(first_id).conversation_id == conversation_id
    assert ref["user"]["aadObjectId"] == "aad-leader" and ref["serviceUrl"] == fake.service_url

    second_id = await sender.send(ref, card_message("Påmindelse"))
    again, _ = await sender.send_to_user("aad-leader", TENANT, fake.service_url, card_message("igen"))

    assert fake.find(second_id).conversation_id == conversation_id
    assert again["conversation"]["id"] == conversation_id


async def test_send_to_user_retries_the_create_and_refuses_when_not_installed(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    sender = make_sender(adapter, sleep=Sleeps())
    fake.fail_next(1, 503)
    await sender.send_to_user("aad-a", TENANT, fake.service_url, card_message("x"))
    assert [r.status for r in fake.log if r.method == "POST"][:2] == [503, 201]

    fake.blocked_users.add("aad-b")
    with pytest.raises(ConversationGone):
        await sender.send_to_user("aad-b", TENANT, fake.service_url, card_message("x"))


async def test_send_to_user_keeps_the_new_reference_when_only_the_message_fails(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    sender = make_sender(adapter, sleep=Sleeps(), max_attempts=2)
    ref, _ = await sender.send_to_user("aad-c", TENANT, fake.service_url, card_message("x"))
    fake.fail_next(2, 503, conversation_id=ref["conversation"]["id"])

    with pytest.raises(DeliveryExhausted) as caught:
        await sender.send_to_user("aad-c", TENANT, fake.service_url, card_message("y"))

    assert caught.value.reference == ref


async def test_a_connector_restart_is_survived(fake: FakeConnector, adapter: CloudAdapter) -> None:
    await fake.stop()
    delays: list[float] = []

    async def restart_during_backoff(seconds: float) -> None:
        delays.append(seconds)
        await fake.start()

    await make_sender(adapter, sleep=restart_during_backoff).send(reference(fake), card_message("x"))

    assert len(delays) == 1 and len(fake.messages()) == 1


def test_the_sender_is_what_the_teams_notifier_sends_through(adapter: CloudAdapter) -> None:
    sender: ConversationSender = make_sender(adapter)  # mypy checks the shape; this checks it exists
    assert callable(sender.send) and callable(sender.update) and callable(sender.send_to_user)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 10))
    assert parse_retry_after(date, now=now) == pytest.approx(10.0, abs=1.0)
    assert parse_retry_after("99999") == 300.0


async def test_the_notifier_opens_a_chat_at_the_service_url_of_a_channel_the_round_read(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    """`to_person` for someone who never wrote to the bot and no `open_from`: the Teams side takes
    the service URL from the MED channel whose unit record was just read (no read of its own), and
    keeps the new chat's reference; with nothing seen and nothing stored it is NotReachable."""
    store = MemoryStore()
    record = UnitRecord("borgerservice", "Borgerservice", MedChannel("19:team", CHANNEL, reference=reference(fake)))
    await UnitRecords(store).change("Borgerservice", lambda _: (record, None))
    nothing = TeamsNotifier(make_sender(adapter), ReferenceBook(MemoryStore()), TENANT, ChannelBook(MemoryStore()))
    with pytest.raises(NotReachable):
        await nothing.to_person("aad-new", card_message("MED"))
    assert fake.created == []

    channels = ChannelBook(store)
    await UnitRecords(store, channels.remember).get("Borgerservice")  # as the MED round reads it
    await store.delete(names.unit_record("Borgerservice"))  # so a read of its own would find nothing
    references = ReferenceBook(store)
    notifier = TeamsNotifier(make_sender(adapter), references, TENANT, channels)
    where, activity_id = await notifier.to_person("aad-new", card_message("MED"))

    [created] = fake.created
    assert created["members"] == [{"id": "aad-new"}] and created["tenantID"] == TENANT
    assert where["serviceUrl"] == fake.service_url and fake.find(activity_id).conversation_id == fake.opened["aad-new"]
    assert await ReferenceBook(store).reference("aad-new") == where  # the next message goes there
