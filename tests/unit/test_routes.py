"""The routing table, without HTTP: typed commands and card verbs map to exactly one verb."""

from __future__ import annotations

import pytest

from bot.chat.routes import command_argument, command_for, verb_of
from cards.verbs import Verb


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("rapportér", Verb.REPORT), ("Report", Verb.REPORT), ("  rapporter! ", Verb.REPORT),
        ("mine sager", Verb.MY_CASES), ("My cases", Verb.MY_CASES),
        ("retningslinje", Verb.GUIDELINE), ("guideline", Verb.GUIDELINE),
        ("hjælp", Verb.HELP), ("HELP?", Verb.HELP),
        ("sager", Verb.HR_CASES), ("MED-overblik", Verb.HR_MED_OVERVIEW), ("MED overview", Verb.HR_MED_OVERVIEW),
        ("MED-status", Verb.HR_MED_OVERVIEW),  # the old name still works
        ("<at>Krænkelser</at> MED-evaluering", Verb.MED_CARD), ("MED evaluation", Verb.MED_CARD),
        ("<at>Krænkelser</at> registrer MED-kanal", Verb.MED_REGISTER),
        ("send MED-påmindelse", Verb.HR_MED_SEND), ("send MED-påmindelse Borgerservice", Verb.HR_MED_SEND),
    ],
)  # fmt: skip
def test_commands_route_to_their_verb(text: str, verb: Verb) -> None:
    assert command_for(text) is verb


@pytest.mark.parametrize("text", ["", "hvad er klokken", "rapportér mig", "help me please", "sager om noget"])
def test_anything_else_routes_nowhere(text: str) -> None:
    assert command_for(text) is None  # only whole commands; a command inside a sentence is not one


def test_only_argument_commands_take_an_argument() -> None:
    assert command_argument("send MED-påmindelse Borgerservice") == "borgerservice"
    assert command_argument("send MED-påmindelse") == ""


@pytest.mark.parametrize("value", [None, "report", {"verb": 1}, {"verb": "drop_tables"}, {"no": "verb"}])
def test_card_data_without_a_known_verb_is_refused(value: object) -> None:
    assert verb_of(value) is None


def test_card_data_with_a_known_verb() -> None:
    assert verb_of({"verb": "review_submit", "extra": "ignored"}) is Verb.REVIEW_SUBMIT
    assert verb_of({"verb": "hr_med_status"}) is Verb.HR_MED_OVERVIEW  # a card from before the rename
