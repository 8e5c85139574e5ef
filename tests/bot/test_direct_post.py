"""The sender's direct post puts on the wire what botbuilder's proactive turn puts there.

Both paths send the same messages through a real CloudAdapter (with the app's kept connector
clients) to the fake Bot Connector, which records the JSON it receives: they must be equal.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity
from botframework.connector import models
from msrest.serialization import Serializer

from app import build_adapter
from bot.hosting.settings import Settings
from bot.teams.activities import card_activity
from bot.teams.direct_post import plain_model, wire_of_model
from bot.teams.ratelimit import RateLimiter
from bot.teams.sender import DeliveryRejected, TeamsSender
from tests.fakes.connector import FakeConnector

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "cards" / "case.accepted.new_case.leader.da.json"
UNLIMITED = ((10**9, 1.0),)


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    async with FakeConnector(conversation_windows=UNLIMITED, app_windows=UNLIMITED) as connector:
        yield connector


@pytest.fixture
async def adapter(tmp_path: Path) -> AsyncIterator[CloudAdapter]:
    adapter = build_adapter(Settings.from_env({"DATA_DIR": str(tmp_path)}))
    yield adapter
    await adapter.bot_framework_authentication.close()


def card() -> dict[str, Any]:
    content: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return content


def messages() -> list[dict[str, Any]]:
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card()}
    return [
        {"type": "message", "text": "Din leder har fået besked."},
        {"type": "message", "attachments": [attachment]},
        {"type": "message", "text": "Sag KH-2026-0001", "attachments": [attachment]},
        {"text": "no type given", "summary": "kort"},
    ]


def references(fake: FakeConnector) -> list[dict[str, Any]]:
    personal = {
        "activityId": "1700000000000",  # the last message the person sent: never replied to
        "user": {"id": "29:someone", "aadObjectId": "aad-1", "name": "Medarbejder"},
        "bot": {"id": "28:bot", "name": "Krænkelser"},
        "conversation": {"id": "a:chat-1", "conversationType": "personal", "tenantId": "tenant"},
        "channelId": "msteams",
        "locale": "da-DK",
        "serviceUrl": fake.service_url,
    }
    channel = {
        "bot": {"id": "28:bot"},
        "conversation": {"id": "19:med@thread.tacv2", "conversationType": "channel", "isGroup": True},
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
    }
    return [personal, channel]


async def test_the_direct_post_sends_the_json_botbuilders_proactive_turn_sends(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    direct = TeamsSender(adapter, "", RateLimiter(UNLIMITED, UNLIMITED))
    through_botbuilder = TeamsSender(adapter, "", RateLimiter(UNLIMITED, UNLIMITED), direct_post=False)
    for reference in references(fake):
        for message in messages():
            first = await direct.send(reference, message)
            second = await through_botbuilder.send(reference, message)
            assert first and second and first != second  # each got its own id back
            got_direct, got_botbuilder = fake.find(first), fake.find(second)
            assert got_direct.activity == got_botbuilder.activity
            assert got_direct.reply_to_id is None and "replyToId" not in got_direct.activity
            assert got_direct.activity["from"] == reference["bot"]
            assert got_direct.activity["conversation"]["id"] == reference["conversation"]["id"]


async def test_a_message_of_another_shape_still_goes_through_botbuilder(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    sender = TeamsSender(adapter, "", RateLimiter(UNLIMITED, UNLIMITED))
    reference = references(fake)[0]
    odd = {"type": "message", "text": "hej", "entities": [{"type": "mention", "text": "<at>x</at>"}]}
    activity_id = await sender.send(reference, odd)
    # msrest's Entity model keeps only its own fields: the mark that botbuilder's path was taken.
    assert fake.find(activity_id).activity["entities"] == [{"type": "mention"}]


async def test_a_reference_without_a_conversation_is_refused_as_before(
    fake: FakeConnector, adapter: CloudAdapter
) -> None:
    sender = TeamsSender(adapter, "", RateLimiter(UNLIMITED, UNLIMITED))
    reference = {**references(fake)[0], "conversation": {"conversationType": "personal"}}
    with pytest.raises(DeliveryRejected):
        await sender.send(reference, messages()[0])
    assert not fake.activities


def replies() -> list[Activity]:
    """Replies as the dialogs make them (a card, a text), addressed by botbuilder from a turn."""
    incoming = Activity(
        type="message",
        id="1700000000001",
        channel_id="msteams",
        service_url="https://smba.example/emea/",
        locale="da-DK",
        from_property=ChannelAccount(id="29:someone", name="Medarbejder", aad_object_id="aad-1"),
        recipient=ChannelAccount(id="28:bot", name="Krænkelser"),
        conversation=ConversationAccount(id="a:chat-1", conversation_type="personal", tenant_id="tenant"),
    )
    reference = TurnContext.get_conversation_reference(incoming)
    made = [card_activity(card()), card_activity(card(), text="Kvittering"), MessageFactory.text("Tak.")]
    out = []
    for activity in made:
        activity.input_hint = activity.input_hint or "acceptingInput"
        out.append(TurnContext.apply_conversation_reference(activity, reference))
    return out


def test_a_plain_reply_is_written_as_msrest_writes_it() -> None:
    serializer: Any = Serializer(  # type: ignore[no-untyped-call]  # msrest has no annotations
        {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    )
    for reply in replies():
        assert plain_model(reply)
        assert wire_of_model(reply) == serializer.body(reply, "Activity")
        assert wire_of_model(reply)["replyToId"] == "1700000000001"


def test_a_reply_in_a_channel_or_with_other_account_fields_is_written_as_msrest_writes_it() -> None:
    """The conversation and the accounts are written without msrest for plain strings and booleans
    (a channel's isGroup, a role); a field of another type (properties) still goes through msrest."""
    serializer: Any = Serializer(  # type: ignore[no-untyped-call]  # msrest has no annotations
        {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    )
    for reply in replies():
        reply.conversation.is_group = True
        reply.conversation.name = "MED-udvalget"
        reply.recipient.role = "user"
        assert wire_of_model(reply) == serializer.body(reply, "Activity")
        assert wire_of_model(reply)["conversation"]["isGroup"] is True
        reply.from_property.properties = {"nested": {"a": [1, 2]}}
        reply.conversation.additional_properties = {"extra": "x"}
        assert wire_of_model(reply) == serializer.body(reply, "Activity")


def test_other_replies_are_left_to_botbuilder() -> None:
    typing = Activity(type="typing")
    mention = MessageFactory.text("hej")
    mention.entities = [Entity(type="mention")]
    suggested = MessageFactory.suggested_actions([], "vælg")
    invoke = Activity(type="invokeResponse", value={"status": 200})
    assert not any(plain_model(a) for a in (typing, mention, suggested, invoke))


async def test_a_card_reply_goes_out_without_a_deep_copy_of_the_card() -> None:
    """botbuilder deep-copies every reply before addressing it: the activity is still copied (our
    object keeps no addressing), the card's JSON, built for this message, goes out as it is."""
    reply = card_activity(card(), text="Kvittering")

    async def turn(context: TurnContext) -> None:
        await context.send_activity(reply)

    adapter = TestAdapter(turn)
    await adapter.receive_activity("hej")
    sent = adapter.activity_buffer[-1]
    assert sent is not reply and reply.conversation is None and sent.conversation is not None
    assert sent.attachments[0].content is reply.attachments[0].content  # not copied
    assert sent.attachments[0].content == card() and sent.text == "Kvittering"
