"""The guideline card: the three definitions, what to do, the leader's steps, prevention."""

from __future__ import annotations

from bot.guideline.definitions import Category
from bot.texts import Texts
from cards.common import Card, card, heading, submit, text, title
from cards.verbs import Verb


def guideline_card(tx: Texts) -> Card:
    body = [
        title(tx("guideline.title")),
        text(tx("guideline.zero"), weight="Bolder"),
        heading(tx("guideline.definitions")),
        *[text(f"**{tx(f'category.{c.value}')}**: {tx(f'category.{c.value}.definition')}") for c in Category],
        heading(tx("guideline.what_to_do")),
        text(tx("guideline.what_to_do.body")),
        heading(tx("guideline.leader")),
        text(tx("guideline.leader.body")),
        heading(tx("guideline.prevention")),
        text(tx("guideline.prevention.body")),
        text(tx("guideline.24_7"), weight="Bolder"),
    ]
    return card(body, [submit(tx("action.report"), Verb.REPORT, style="positive")])
