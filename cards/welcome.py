"""The welcome card: what the bot is for, that the guideline applies 24/7, and the main buttons."""

from __future__ import annotations

from bot.texts import Texts
from cards.common import Card, card, submit, text, title
from cards.verbs import Verb


def welcome_card(tx: Texts) -> Card:
    return card(
        [
            title(tx("welcome.title")),
            text(tx("welcome.body")),
            text(tx("welcome.24_7"), weight="Bolder"),
            text(tx("welcome.urgent"), isSubtle=True, size="Small"),
        ],
        [
            submit(tx("action.report"), Verb.REPORT, style="positive"),
            submit(tx("action.my_cases"), Verb.MY_CASES),
            submit(tx("action.guideline"), Verb.GUIDELINE),
        ],
    )
