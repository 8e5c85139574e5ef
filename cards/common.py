"""Small builders shared by the cards. Cards are plain JSON: schema 1.5, at most 28 KB."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.texts import Texts
from cards.verbs import Verb

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

Card = dict[str, Any]
Element = dict[str, Any]


# -- users' own text on a card -------------------------------------------------------------------
# Teams renders a Markdown subset in TextBlocks and FactSets: `[text](url)` is a link whose target
# the reader does not see, and bidi controls (U+202A-E, U+2066-9) reorder what is shown, so
# "fil.exe\u202egnp" reads as "filpng.exe". Every card shows free text from users (descriptions,
# names, links, unit names, notes, file names) through `user_text`, the one place that defuses it.
WORD_JOINER = "\u2060"  # invisible, not a space: breaks "](" and "<https" without changing what is read
_REMOVED = {
    **dict.fromkeys(range(0x00, 0x20), None),
    **dict.fromkeys(range(0x7F, 0xA0), None),
    **dict.fromkeys((0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)), None),
    ord("\n"): "\n",
    ord("\t"): " ",
    0x2028: "\n",
    0x2029: "\n",
}
_DEFUSED = {ord("]"): "]" + WORD_JOINER, ord("<"): "<" + WORD_JOINER}


def user_text(value: object, limit: int | None = None) -> str:
    """A user's free text, safe to show on a card.

    - control characters and bidi overrides/isolates are removed (new lines are kept);
    - `]` and `<` are followed by an invisible word joiner, so no `[text](url)`, `![x](url)`,
      `[text][ref]`, `<https://…>` or HTML can form, whatever the renderer's escape rules;
    - `limit` cuts long text with "…" (before defusing, so the limit counts what is read).
    """
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "").translate(_REMOVED)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.translate(_DEFUSED)


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


def attachment(content: Card) -> dict[str, Any]:
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}


def when(tx: Texts, moment: datetime, zone: ZoneInfo) -> str:
    """A deadline people read: "onsdag 25-11-2026 kl. 10:00" (weekday first, local time)."""
    local = moment.astimezone(zone)
    return tx(
        "time.when",
        weekday=tx(f"weekday.{local.weekday()}"),
        date=local.strftime("%d-%m-%Y"),
        time=local.strftime("%H:%M"),
    )
