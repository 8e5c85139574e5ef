"""Card JSON -> a botbuilder message activity (the one place that wraps cards for sending)."""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment

from cards.common import Card, attachment


def card_activity(content: Card, text: str | None = None) -> Activity:
    att = attachment(content)
    activity: Activity = MessageFactory.attachment(Attachment(content_type=att["contentType"], content=att["content"]))
    if text:
        activity.text = text
    return activity
