"""Card JSON -> a botbuilder message activity (the one place that wraps cards for sending)."""

from __future__ import annotations

import copy
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment

from cards.common import Card, attachment


class CardAttachment(Attachment):  # type: ignore[misc]  # botbuilder ships no type hints
    """A card's attachment, whose JSON is not copied when botbuilder deep-copies the activity.

    `TurnContext.send_activities` deep-copies every reply before addressing it, so that the
    adapter's changes never reach the caller's object. The addressing is on the activity, which is
    still copied, and so is this attachment; the card's JSON inside is built for this one message
    and nothing changes it after, yet the copy walked all of it: thousands of objects for the
    report form (docs/performance.md, "Precise CPU"). msrest serialises it as an Attachment."""

    def __deepcopy__(self, memo: dict[int, Any]) -> CardAttachment:
        return copy.copy(self)  # the same content, in a new attachment


def card_activity(content: Card, text: str | None = None) -> Activity:
    att = attachment(content)
    card = CardAttachment(content_type=att["contentType"], content=att["content"])
    activity: Activity = MessageFactory.attachment(card)
    if text:
        activity.text = text
    return activity
