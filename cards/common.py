"""Small builders shared by the cards. Cards are plain JSON: schema 1.5, at most 28 KB."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat.outgoing import Card as Card
from bot.chat.outgoing import attachment as attachment
from bot.chat.safe_text import WORD_JOINER as WORD_JOINER
from bot.chat.safe_text import user_text as user_text
from bot.texts import Texts
from cards.verbs import Verb

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

Element = dict[str, Any]


# Users' own text: defused in bot/chat/safe_text.py (messages use it too); re-exported for the cards.


def user_link_label(value: object, limit: int | None = None) -> str:
    """A user's text as the label of a link the bot makes (a file name): no brackets at all."""
    return user_text(value, limit).replace("[", "(").replace("]" + WORD_JOINER, ")").replace("]", ")")


def card(body: list[Element], actions: list[Element] | None = None, **extra: Any) -> Card:
    out: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        out["actions"] = actions
    out.update(extra)
    return out


def title(text: str) -> Element:
    return {"type": "TextBlock", "text": text, "size": "Large", "weight": "Bolder", "wrap": True}


def heading(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "size": "Medium",
        "weight": "Bolder",
        "wrap": True,
        "spacing": "Medium",
    }


def text(value: str, **extra: Any) -> Element:
    return {"type": "TextBlock", "text": value, "wrap": True, **extra}


def facts(pairs: list[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}


def submit(label: str, verb: Verb, style: str | None = None, **data: Any) -> Element:
    """Action.Submit: arrives as a message whose value carries the verb (personal-chat flows)."""
    action: Element = {"type": "Action.Submit", "title": label, "data": {"verb": verb.value, **data}}
    if style:
        action["style"] = style
    return action


def execute(label: str, verb: Verb, style: str | None = None, **data: Any) -> Element:
    """Action.Execute: an adaptiveCard/action invoke answered with the refreshed card."""
    action: Element = {"type": "Action.Execute", "title": label, "verb": verb.value, "data": dict(data)}
    if style:
        action["style"] = style
    return action


def when(tx: Texts, moment: datetime, zone: ZoneInfo) -> str:
    """A deadline people read: "onsdag 25-11-2026 kl. 10:00" (weekday first, local time)."""
    local = moment.astimezone(zone)
    return tx(
        "time.when",
        weekday=tx(f"weekday.{local.weekday()}"),
        date=local.strftime("%d-%m-%Y"),
        time=local.strftime("%H:%M"),
    )
