"""Chat with the bot as a Teams user through botbuilder's TestAdapter (no HTTP).

The bot is built by app.build_runtime, the same door production uses, over a real store.
"""

from __future__ import annotations

import secrets
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, ConversationAccount

from app import Runtime

CARD = "application/vnd.microsoft.card.adaptive"


class Chat:
    """One user's personal chat with the bot."""

    def __init__(
        self,
        runtime: Runtime,
        aad_object_id: str,
        name: str = "Medarbejder",
        locale: str = "da-DK",
        *,
        service_url: str = "https://smba.trafficmanager.net/emea/",
    ):
        self.runtime = runtime
        self.locale = locale
        self.adapter = TestAdapter(
            runtime.bot.on_turn,
            Activity(
                channel_id="msteams",
                service_url=service_url,
                from_property=ChannelAccount(id=f"29:{aad_object_id}", name=name, aad_object_id=aad_object_id),
                recipient=ChannelAccount(id="28:bot", name="Bot"),
                conversation=ConversationAccount(
                    id=f"a:chat-{aad_object_id}", conversation_type="personal", tenant_id="tenant"
                ),
            ),
        )
        # TestAdapter numbers activities 0, 1, 2... per adapter; Teams' ids are unique per
        # conversation, and the bot ignores a repeated id (a re-send). Start each chat elsewhere.
        self.adapter._next_id = secrets.randbelow(10**12) * 1000

    async def send(
        self,
        text: str | None = None,
        *,
        value: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
    ) -> list[Activity]:
        before = len(self.adapter.activity_buffer)
        activity = Activity(
            type=ActivityTypes.message,
            text=text,
            value=value,
            locale=self.locale,
            attachments=[Attachment().deserialize(a) for a in attachments or []] or None,
        )
        await self.adapter.process_activity(activity, self.runtime.bot.on_turn)
        replies = list(self.adapter.activity_buffer[before:])
        return replies


def cards(replies: list[Activity]) -> list[dict[str, Any]]:
    return [a.content for r in replies for a in (r.attachments or []) if a.content_type == CARD]


def texts(replies: list[Activity]) -> list[str]:
    return [r.text for r in replies if r.text]


def all_text(card: dict[str, Any]) -> str:
    """Every string in a card, for "does it say X" assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            out.append(node)

    walk(card)
    return "\n".join(out)


async def invoke(chat: Chat, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    """An Action.Execute click: the adaptiveCard/action invoke; returns the card the bot answers with."""
    before = len(chat.adapter.activity_buffer)
    activity = Activity(
        type=ActivityTypes.invoke,
        name="adaptiveCard/action",
        locale=chat.locale,
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
    )
    await chat.adapter.process_activity(activity, chat.runtime.bot.on_turn)
    # The invoke answers before its follow-up work (other people's cards, what became due) is
    # done in the background. A test that moves the clock next must not let that work run at the
    # new time (it once claimed a check-in at the moved clock while the tick asserted on it).
    await chat.runtime.background.drain()
    [response] = [a for a in chat.adapter.activity_buffer[before:] if a.type == "invokeResponse"]
    body = response.value.body
    assert response.value.status == 200
    card: dict[str, Any] = body.value if hasattr(body, "value") else body["value"]
    return card


class ChannelChat(Chat):
    """A member in a team channel (messages reach the bot when they @mention it)."""

    def __init__(
        self,
        runtime: Runtime,
        aad_object_id: str,
        team_id: str,
        channel_id: str,
        *,
        service_url: str,
        name: str = "MED-medlem",
    ) -> None:
        super().__init__(runtime, aad_object_id, name, "da-DK", service_url=service_url)
        self.team_id = team_id
        self.channel_id = channel_id
        self.adapter.template.conversation = ConversationAccount(
            id=channel_id, conversation_type="channel", tenant_id="tenant", is_group=True
        )

    def channel_data(self) -> dict[str, Any]:
        return {
            "team": {"id": self.team_id, "name": "Arbejdspladsen"},
            "channel": {"id": self.channel_id},
            "tenant": {"id": "tenant"},
        }

    async def activity(self, activity: Activity) -> list[Activity]:
        before = len(self.adapter.activity_buffer)
        activity.channel_data = self.channel_data()
        activity.locale = self.locale
        await self.adapter.process_activity(activity, self.runtime.bot.on_turn)
        return list(self.adapter.activity_buffer[before:])

    async def invoke_card(self, verb: str, data: dict[str, Any]) -> dict[str, Any]:
        replies = await self.activity(
            Activity(
                type=ActivityTypes.invoke,
                name="adaptiveCard/action",
                value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
            )
        )
        [response] = [a for a in replies if a.type == "invokeResponse"]
        body = response.value.body
        card: dict[str, Any] = body.value if hasattr(body, "value") else body["value"]
        return card


def said(activity: dict[str, Any]) -> str:
    """Everything a person sees in one message: its text and its cards' text."""
    cards_text = [all_text(a.get("content") or {}) for a in activity.get("attachments") or []]
    return "\n".join([activity.get("text") or "", *cards_text])
