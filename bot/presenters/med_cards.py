"""The MED cards, drawn for the MED services through their `MedPainter` port.

The services build the views (bot/chat/med_views.py); cards/med.py turns them into JSON.
"""

from __future__ import annotations

from bot.chat.med_views import MedCardView, OverviewRow
from bot.guideline.med import MedPeriod
from bot.texts import Texts
from cards.common import Card
from cards.med import med_overview_card, med_reminder_card, registered_card, registration_card


class MedCards:
    def reminder(self, tx: Texts, view: MedCardView) -> Card:
        return med_reminder_card(tx, view)

    def overview(self, tx: Texts, period: MedPeriod, rows: list[OverviewRow]) -> Card:
        return med_overview_card(tx, period, rows)

    def registration(self, tx: Texts, units: list[str], notice: str = "") -> Card:
        return registration_card(tx, units, notice=notice)

    def registered(self, tx: Texts, unit: str, committee: str, *, moved: bool = False, old_told: bool = True) -> Card:
        return registered_card(tx, unit, committee, moved=moved, old_told=old_told)
