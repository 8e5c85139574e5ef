"""Workplaces in one canonical form, and who may act for a workplace's MED evaluation."""

from __future__ import annotations

import unicodedata

import pytest

from bot.guideline import Person
from bot.guideline.errors import InvalidDecision
from bot.guideline.med_units import (
    Workplace,
    closest_names,
    find_workplace,
    https_link,
    may_act_in_chat,
    may_manage_channel,
    merge_workplaces,
    unit_display,
    unit_key,
)

LEADER = Person("00000000-0000-0000-0000-0000000000a1", "Lene Leder")
DEPUTY = Person("00000000-0000-0000-0000-0000000000d1", "Dorte Stedfortræder")
OTHER = "00000000-0000-0000-0000-0000000000f1"


def test_case_spacing_and_composed_danish_letters_make_one_key() -> None:
    decomposed = unicodedata.normalize("NFD", "Rådhuset Ældre")
    assert decomposed != "Rådhuset Ældre"
    assert {unit_key(s) for s in ("Borgerservice", " borgerservice", "BORGERSERVICE", "Borger service")} == {
        "borgerservice",
        "borger service",
    }
    assert unit_key(decomposed) == unit_key("RÅDHUSET  ældre ") == "rådhuset ældre"
    assert unit_display(f"  {decomposed}  ") == "Rådhuset Ældre"


def test_merge_keeps_the_first_spelling_and_fills_in_a_deputy() -> None:
    merged = merge_workplaces(
        [Workplace("Borgerservice", LEADER), Workplace("Skole")],
        [Workplace(" BORGERSERVICE ", Person(OTHER, "x"), DEPUTY, leader_absent=True), Workplace("skole", LEADER)],
    )
    assert [(w.name, w.leader, w.deputy) for w in merged] == [
        ("Borgerservice", LEADER, DEPUTY),
        ("Skole", LEADER, None),
    ]


def test_the_reminder_goes_to_the_deputy_only_while_the_leader_is_away() -> None:
    assert Workplace("U", LEADER, DEPUTY).recipient == LEADER
    assert Workplace("U", LEADER, DEPUTY, leader_absent=True).recipient == DEPUTY
    assert Workplace("U", None, DEPUTY).recipient == DEPUTY
    assert Workplace("U").recipient is None


def test_who_may_manage_the_channel_and_act_in_a_chat() -> None:
    place = Workplace("U", LEADER, DEPUTY)
    assert may_manage_channel(place, LEADER.aad_object_id.upper(), is_hr=False)
    assert may_manage_channel(place, DEPUTY.aad_object_id, is_hr=False)
    assert may_manage_channel(place, OTHER, is_hr=True)
    assert not may_manage_channel(place, OTHER, is_hr=False)
    assert not may_manage_channel(Workplace("U"), "", is_hr=False)
    assert may_act_in_chat(place, LEADER.aad_object_id) and not may_act_in_chat(place, OTHER)


def test_find_by_any_spelling_and_offer_the_closest_names() -> None:
    places = [Workplace("Borgerservice"), Workplace("Jobcenter"), Workplace("Rådhuset")]
    assert find_workplace(" BORGERSERVICE", places) == places[0]
    assert find_workplace("Borgerservise", places) is None
    assert closest_names("Borgerservise", places) == ["Borgerservice"]
    assert closest_names("radhuset", places) == ["Rådhuset"]
    assert closest_names("zzz", places) == []


@pytest.mark.parametrize("link", ["http://x.dk/a", "javascript:alert(1)", "https://", "https://a b.dk", "", None, 7])
def test_links_on_cards_are_https_only(link: object) -> None:
    with pytest.raises(InvalidDecision):
        https_link(link, "plan_link")
    assert https_link(" https://intra.example.dk/plan ", "plan_link") == "https://intra.example.dk/plan"
