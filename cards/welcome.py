"""The welcome card: what the bot is for and what the guideline asks everyone to know at once.

Zero tolerance and the Working Environment Act, what to do at once, that the guideline applies
24/7, its decision date and source. The three definitions sit behind a toggle (word for word, as
on the guideline card), so the first thing a new user sees stays short.
"""

from __future__ import annotations

from bot.guideline.definitions import Category
from bot.texts import Texts
from cards.common import Card, Element, card, heading, submit, text, title
from cards.verbs import Verb

DEFINITIONS_ID = "definitions"


def definitions(tx: Texts) -> list[Element]:
    """The guideline's three definitions; the Danish text is the guideline's own."""
    return [text(f"**{tx(f'category.{c.value}')}**: {tx(f'category.{c.value}.definition')}") for c in Category]


def welcome_card(tx: Texts) -> Card:
    toggle: Element = {
        "type": "ActionSet",
        "actions": [
            {"type": "Action.ToggleVisibility", "title": tx("welcome.definitions"), "targetElements": [DEFINITIONS_ID]}
        ],
    }
    return card(
        [
            title(tx("welcome.title")),
            text(tx("welcome.body")),
            text(tx("welcome.zero"), weight="Bolder"),
            heading(tx("guideline.what_to_do")),
            text(tx("guideline.what_to_do.body")),
            text(tx("welcome.24_7"), weight="Bolder"),
            toggle,
            {"type": "Container", "id": DEFINITIONS_ID, "isVisible": False, "items": definitions(tx)},
            text(tx("welcome.urgent"), isSubtle=True, size="Small"),
            text(tx("guideline.source"), isSubtle=True, size="Small"),
        ],
        [
            submit(tx("action.report"), Verb.REPORT, style="positive"),
            submit(tx("action.my_cases"), Verb.MY_CASES),
            submit(tx("action.guideline"), Verb.GUIDELINE),
            submit(tx("action.help"), Verb.HELP),
        ],
    )
