"""Small builders shared by the cards. Cards are plain JSON: schema 1.5, at most 28 KB."""

from __future__ import annotations

from typing import Any

from cards.verbs import Verb

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

Card = dict[str, Any]
Element = dict[str, Any]


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


def attachment(content: Card) -> dict[str, Any]:
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}
