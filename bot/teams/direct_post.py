"""A proactive message posted through botbuilder's kept connector client, without the model round trips.

botbuilder's proactive path (`CloudAdapter.continue_conversation`, then `TurnContext.send_activity`)
turns our JSON message into an msrest Activity model, deep-copies it, addresses it from the
reference, and msrest serialises it back: its body step deserialises the model once more first.
For a case card (12-18 KB of JSON) that is four walks of the card, about 2.5 ms of CPU per
message, to put on the wire the JSON we started from plus the reference's addressing fields.

This module writes that JSON directly and posts it with the same connector client botbuilder
builds for the conversation's service URL (its credentials policy signs it; `connectors.py`
keeps the client and sends over aiohttp). What botbuilder's path puts on the wire, this puts:
- the reference's `channelId`, `serviceUrl`, `conversation`; the bot as `from`, the user as
  `recipient`, each as msrest serialises the reference (worked out once per reference, by msrest);
- `type` "message" and `inputHint` "acceptingInput" when the message has none;
- no `id`, no `replyToId` (a new post) and no `locale` (the continuation activity has none).
Only messages of the shapes the services build (`bot/chat/outgoing.py`: text and attachments with
plain JSON content) take this path; anything else goes through botbuilder as before
(`tests/bot/test_direct_post.py` compares the two bodies for each shape).
Errors are msrest's (`ErrorResponseException`, an HttpOperationError), as the connector
operation raises them, so the sender's retries read status and Retry-After as before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from botbuilder.schema import Activity, Attachment, ConversationReference
from botframework.connector.models import ErrorResponseException

from bot.services.bounded import Expiring
from bot.teams.activities import CardAttachment

ADDRESSING_IDLE = 120.0  # seconds after a reference's last message that its addressing is kept

# Keys of the messages the services build, and of their attachments. msrest would keep each of them
# as it is (strings; the card content is a plain JSON object msrest passes through).
_MESSAGE_KEYS = frozenset({"type", "text", "attachments", "summary", "textFormat", "inputHint"})
_ATTACHMENT_KEYS = frozenset({"contentType", "content", "name", "contentUrl", "thumbnailUrl"})
_PATH = "/v3/conversations/{conversationId}/activities"
_REPLY_PATH = "/v3/conversations/{conversationId}/activities/{activityId}"
_HEADERS = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}


def plain_message(activity: Mapping[str, Any]) -> bool:
    """Whether the message is of a shape this path writes exactly as botbuilder's would."""
    if not set(activity) <= _MESSAGE_KEYS:
        return False
    if any(not isinstance(activity[k], str) for k in activity if k != "attachments"):
        return False
    attachments = activity.get("attachments", [])
    if not isinstance(attachments, list):
        return False
    for item in attachments:
        if not isinstance(item, dict) or not set(item) <= _ATTACHMENT_KEYS:
            return False
        if any(not isinstance(item[k], str) for k in item if k != "content"):
            return False
        if "content" in item and not isinstance(item["content"], (dict, list, str)):
            return False
    return True


class Addressing:
    """The reference's part of the wire activity, as msrest writes it; kept per reference while it
    is in use (dropped `ADDRESSING_IDLE` seconds after its last message; a miss costs one msrest
    walk), so a stream of new people does not fill it to its bound."""

    def __init__(
        self, size: int = 1024, idle: float = ADDRESSING_IDLE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._known: Expiring[str, tuple[str, dict[str, Any]]] = Expiring(
            size, "proactive addressing", expire_after=idle, idle=True, clock=clock
        )

    def of(self, reference: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """(conversation id, the addressing fields) of a stored reference."""
        key = json.dumps(reference, sort_keys=True, separators=(",", ":"))
        known = self._known.get(key)
        if known is None:
            ref = ConversationReference.deserialize(dict(reference))
            fields: dict[str, Any] = {"channelId": ref.channel_id, "serviceUrl": ref.service_url}
            fields["conversation"] = ref.conversation.serialize() if ref.conversation else None
            fields["from"] = ref.bot.serialize() if ref.bot else None
            fields["recipient"] = ref.user.serialize() if ref.user else None
            conversation_id = str(ref.conversation.id or "") if ref.conversation else ""
            known = (conversation_id, {k: v for k, v in fields.items() if v is not None})
            self._known.put(key, known)
        return known[0], known[1]


# An Activity model's attributes that a reply in a turn may hold and this path writes (strings, the
# attachments, and the three small models of the addressing, which msrest itself serialises).
_MODEL_STRINGS = frozenset(
    {
        "type",
        "text",
        "input_hint",
        "channel_id",
        "service_url",
        "reply_to_id",
        "locale",
        "summary",
        "text_format",
        "attachment_layout",
    }
)
_MODEL_ACCOUNTS = frozenset({"conversation", "from_property", "recipient"})
_ATTACHMENT_STRINGS = frozenset({"content_type", "content_url", "name", "thumbnail_url"})


def plain_model(activity: Any) -> bool:
    """Whether a reply (an msrest Activity) is a plain message this path writes exactly as msrest."""
    if getattr(activity, "type", None) != "message" or getattr(activity, "additional_properties", None):
        return False
    for name, value in vars(activity).items():
        if value is None or name == "additional_properties":
            continue
        if name in _MODEL_STRINGS:
            if not _string(value):
                return False
        elif name == "attachments":
            if not isinstance(value, list) or not all(_plain_attachment(a) for a in value):
                return False
        elif name not in _MODEL_ACCOUNTS:
            return False
    return True


def _string(value: Any) -> bool:
    """A str, or one of botbuilder's str enums (ActivityTypes, InputHints...): msrest writes its value."""
    return type(value) is str or (isinstance(value, str) and isinstance(value, Enum))


def _plain_attachment(attachment: Any) -> bool:
    if type(attachment) not in (Attachment, CardAttachment) or getattr(attachment, "additional_properties", None):
        return False
    for name, value in vars(attachment).items():
        if value is None or name == "additional_properties":
            continue
        if name in _ATTACHMENT_STRINGS:
            if not _string(value):
                return False
        elif name != "content" or not isinstance(value, (dict, list, str)):
            return False
    return True


def wire_of_model(activity: Any) -> dict[str, Any]:
    """The JSON msrest writes for a plain reply (`plain_model`): strings and the card content as
    they are, the conversation and the two accounts serialised by msrest, unset fields left out."""
    body: dict[str, Any] = {}
    for name, spec in Activity._attribute_map.items():
        value = getattr(activity, name, None)
        if value is None:
            continue
        if name in _MODEL_ACCOUNTS:
            body[spec["key"]] = _account_wire(value)
        elif name == "attachments":
            body[spec["key"]] = [_attachment_wire(a) for a in value]
        else:
            body[spec["key"]] = value.value if isinstance(value, Enum) else value
    return body


_PLAIN = {"str": str, "bool": bool}


def _account_wire(account: Any) -> dict[str, Any]:
    """What msrest's `serialize()` writes for a conversation or an account whose fields are plain
    strings and booleans (the keys in the model's order, unset fields left out), without building a
    Serializer and walking the model: about 25 us each, three a reply. Anything else: msrest."""
    out: dict[str, Any] = {}
    if getattr(account, "additional_properties", None):
        return dict(account.serialize())
    for name, spec in type(account)._attribute_map.items():
        value = getattr(account, name, None)
        if value is None:
            continue
        if type(value) is not _PLAIN.get(spec["type"]):
            return dict(account.serialize())
        out[spec["key"]] = value
    return out


def _attachment_wire(attachment: Attachment) -> dict[str, Any]:
    out = {}
    for name, spec in Attachment._attribute_map.items():
        value = getattr(attachment, name, None)
        if value is not None:
            out[spec["key"]] = value.value if isinstance(value, Enum) else value
    return out


def wire_activity(activity: Mapping[str, Any], addressing: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON botbuilder's proactive path would post for a plain message (see the module doc)."""
    body: dict[str, Any] = {"type": "message", **{k: v for k, v in activity.items() if v is not None}}
    body.update(addressing)
    body.setdefault("inputHint", "acceptingInput")
    return body


async def post(client: Any, conversation_id: str, body: dict[str, Any], reply_to: str | None = None) -> str:
    """POST the activity with the connector client's pipeline (a reply to `reply_to`, as
    `reply_to_activity`, or a new post, as `send_to_conversation`); the new activity's id ("" if none)."""
    operations = client.conversations
    conversation = operations._serialize.url("conversation_id", conversation_id, "str")
    if reply_to:
        reply = operations._serialize.url("activity_id", reply_to, "str")
        url = operations._client.format_url(_REPLY_PATH, conversationId=conversation, activityId=reply)
    else:
        url = operations._client.format_url(_PATH, conversationId=conversation)
    request = operations._client.post(url, {}, dict(_HEADERS), body)
    response = await operations._client.async_send(request, stream=False)
    if response.status_code not in (200, 201, 202):
        raise ErrorResponseException(operations._deserialize, response)
    try:
        answer = json.loads(response.body() or b"{}")
    except ValueError:
        return ""
    return str(answer.get("id") or "") if isinstance(answer, dict) else ""
