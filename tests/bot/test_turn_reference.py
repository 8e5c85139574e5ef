"""The turn's conversation reference, kept per chat, is botbuilder's own (without the message id)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.teams.turn_reference import TurnReferences


def incoming(message_id: str, *, name: str = "Medarbejder", locale: str = "da-DK", url: str = "https://a/") -> Activity:
    return Activity(
        type="message",
        id=message_id,
        channel_id="msteams",
        service_url=url,
        locale=locale,
        from_property=ChannelAccount(id="29:someone", name=name, aad_object_id="aad-1"),
        recipient=ChannelAccount(id="28:bot", name="Krænkelser"),
        conversation=ConversationAccount(id="a:chat-1", conversation_type="personal", tenant_id="tenant"),
    )


def botbuilders(activity: Activity) -> dict[str, Any]:
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)
    return reference


def test_each_turn_gets_botbuilders_reference_without_the_message_id() -> None:
    references = TurnReferences()
    variants = [
        incoming("1"),
        incoming("2"),  # the same chat: the same reference
        incoming("3", name="Medarbejder Ny"),
        incoming("4", locale="en-US"),
        incoming("5", url="https://b/"),
    ]
    for activity in variants:
        assert references.of(activity) == botbuilders(activity)
        assert "activityId" not in references.of(activity)


def test_a_changed_reference_is_a_new_one_and_each_turn_gets_its_own_copy() -> None:
    references = TurnReferences()
    first = references.of(incoming("1"))
    first["user"]["name"] = "changed by a caller"
    assert references.of(incoming("2"))["user"]["name"] == "Medarbejder"
    assert references.of(incoming("3", name="Ny"))["user"]["name"] == "Ny"
