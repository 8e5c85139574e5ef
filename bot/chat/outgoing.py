"""What the bot sends, as JSON: a message (an Activity) of text and/or one Adaptive Card.

No Teams types: the sender (bot/teams/sender.py) turns this into botbuilder's Activity. Services
build messages with it; the cards themselves are drawn by cards/ (called from the presenters).
"""

from __future__ import annotations

from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

Card = dict[str, Any]  # an Adaptive Card as JSON


def attachment(content: Card) -> dict[str, Any]:
    return {"contentType": ADAPTIVE_CARD, "content": content}


def message(text: str, content: Card | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {"type": "message"}
    if text:
        activity["text"] = text
    if content is not None:
        activity["attachments"] = [attachment(content)]
    return activity
