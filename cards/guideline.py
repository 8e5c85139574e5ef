"""The guideline card: everything the guideline asks employees and managers to know.

Zero tolerance and the Working Environment Act, the three definitions word for word, what to do
at once, the leader's duties, prevention, 24/7, the twice-yearly evaluation, and the decision
date and source. docs/guideline-map.md lists which sentence of the guideline each part carries.
"""

from __future__ import annotations

from bot.texts import Texts
from cards.common import Card, card, heading, submit, text, title
from cards.verbs import Verb
from cards.welcome import definitions


def guideline_card(tx: Texts) -> Card:
    body = [
        title(tx("guideline.title")),
        text(tx("guideline.zero"), weight="Bolder"),
        text(tx("guideline.law")),
        heading(tx("guideline.definitions")),
        *definitions(tx),
        heading(tx("guideline.what_to_do")),
        text(tx("guideline.what_to_do.body")),
        heading(tx("guideline.leader")),
        text(tx("guideline.leader.body")),
        heading(tx("guideline.prevention")),
        text(tx("guideline.prevention.body")),
        text(tx("guideline.24_7"), weight="Bolder"),
        text(tx("guideline.evaluation")),
        text(tx("guideline.source"), isSubtle=True, size="Small"),
    ]
    return card(
        body, [submit(tx("action.report"), Verb.REPORT, style="positive"), submit(tx("action.help"), Verb.HELP)]
    )
