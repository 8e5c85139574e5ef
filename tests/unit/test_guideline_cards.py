"""The welcome and guideline cards carry what the guideline asks everyone to know.

Why a test: these cards are where an employee meets the guideline first; a reworded text that
drops the zero tolerance, a definition or the leader's duties would go unnoticed otherwise.
"""

from __future__ import annotations

import pytest

from bot.guideline.definitions import DEFINITIONS
from bot.texts import Texts
from cards.guideline import guideline_card
from cards.welcome import welcome_card
from tests.bot.chat import all_text

# What the guideline asks people to know, as the Danish cards word it.
ESSENTIALS_DA = {
    "zero tolerance": "nultolerance",
    "the Working Environment Act": "arbejdsmiljøloven",
    "like violence and threats": "på linje med vold og trusler om vold",
    "secure evidence at once": "sikr dokumentation",
    "screenshot": "skærmbillede",
    "photo of the screen": "foto af skærmen",
    "Word document": "Word-dokument",
    "saving on the case": "gemme materialet på den relevante sag",
    "24/7": "24/7",
    "decision date": "16. december 2020",
    "source": "kommuneMED",
}
GUIDELINE_ONLY_DA = {
    "removal": "fjernet fra nettet/de sociale medier",
    "citizen": "fremtidige henvendelser",
    "police report": "politianmeldt",
    "the offer": "tilbyde dig at deltage i politianmeldelsen",
    "InsuBiz": "InsuBiz",
    "APV": "APV-handlingsplan",
    "DEFGO": "DEFGO",
    "follow-up": "Følge op på episoden",
    "own conduct online": "hensigtsmæssig adfærd på sociale medier og på nettet",
    "no casework on social media": "sagsbehandling på sociale medier",
    "official channels": "officielle kanaler",
    "MED evaluation": "to gange om året",
}
ESSENTIALS_EN = ["zero tolerance", "Working Environment Act", "violence and threats of violence",
                 "Word document", "photo of the screen", "24/7", "16 December 2020"]  # fmt: skip


@pytest.mark.parametrize("what", sorted(ESSENTIALS_DA))
def test_both_cards_carry_the_essentials_in_danish(what: str) -> None:
    tx = Texts("da")
    for made in (welcome_card(tx), guideline_card(tx)):
        assert ESSENTIALS_DA[what].lower() in all_text(made).lower(), what


@pytest.mark.parametrize("what", sorted(GUIDELINE_ONLY_DA))
def test_the_guideline_card_carries_the_leaders_duties_and_prevention(what: str) -> None:
    assert GUIDELINE_ONLY_DA[what] in all_text(guideline_card(Texts("da")))


def test_the_three_definitions_are_the_guidelines_own_words_on_both_cards() -> None:
    tx = Texts("da")
    for made in (welcome_card(tx), guideline_card(tx)):
        shown = all_text(made)
        assert all(definition in shown for definition in DEFINITIONS.values())


def test_the_english_cards_carry_the_same() -> None:
    tx = Texts("en")
    for made in (welcome_card(tx), guideline_card(tx)):
        shown = all_text(made)
        assert [e for e in ESSENTIALS_EN if e not in shown] == []
    assert "What your manager must see to straight away" in all_text(guideline_card(tx))
