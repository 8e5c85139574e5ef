"""botbuilder's CloudAdapter, with a turn's plain replies posted without msrest's model round trip.

A reply in a turn (the receipt, a card, a text) reaches `CloudAdapterBase.send_activities`, which
hands each Activity to the connector client's `reply_to_activity` or `send_to_conversation`:
msrest's body step deserialises the model into a new one and serialises that, walking the whole
card twice. For a message of the plain shape (`direct_post.plain_model`: strings, attachments of
plain JSON, the addressing botbuilder set), the JSON is written directly and posted with the same
client, to the same URL, in the same dependency span; anything else (typing, invoke responses,
traces, entities, suggested actions...) is left to botbuilder. `tests/bot/test_direct_post.py`
compares the JSON with msrest's own.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ResourceResponse

from bot.hosting.telemetry import METRICS
from bot.teams.connector_spans import CATEGORY
from bot.teams.direct_post import plain_model, post, wire_of_model


def _direct(activity: Activity) -> bool:
    conversation = getattr(activity, "conversation", None)
    return bool(conversation is not None and conversation.id) and plain_model(activity)


class DirectReplyAdapter(CloudAdapter):  # type: ignore[misc]
    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        client: Any = context.turn_state.get(self.BOT_CONNECTOR_CLIENT_KEY) if context else None
        if client is None or not activities or not all(_direct(a) for a in activities):
            responses: list[ResourceResponse] = await super().send_activities(context, activities)
            return responses
        out = []
        for activity in activities:
            activity.id = None  # as botbuilder does before it sends
            body = wire_of_model(activity)
            operation = "reply_to_activity" if activity.reply_to_id else "send_to_conversation"
            with METRICS.dependency(CATEGORY, operation):
                activity_id = await post(client, activity.conversation.id, body, reply_to=activity.reply_to_id)
            out.append(ResourceResponse(id=activity_id))
        return out
