"""HR's overview: every open case, overdue first, with the next due step; each one click away."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.guideline.model import Case
from bot.guideline.overview import NextDue
from bot.texts import Texts
from cards.case_list import case_lines
from cards.common import Card, Element, card, text, title


def hr_cases_card(tx: Texts, ordered: list[tuple[Case, NextDue | None]], zone: ZoneInfo) -> Card:
    """`ordered` comes from `bot.guideline.by_urgency` (overdue first)."""
    body: list[Element] = [title(tx("hr.title")), text(tx("hr.summary", open=len(ordered)))]
    if not ordered:
        body.append(text(tx("hr.none")))
    body += case_lines(tx, ordered, zone)
    return card(body)
