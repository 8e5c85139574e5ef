"""What someone who is not on the case (or may not do this here) sees: no case content at all."""

from __future__ import annotations

from bot.texts import Texts
from cards.common import Card, card, text, title


def refusal_card(tx: Texts, message: str | None = None) -> Card:
    return card([title(tx("refused.title")), text(message or tx("error.not_permitted"))])
