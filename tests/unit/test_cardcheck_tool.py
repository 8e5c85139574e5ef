"""The card checker must be able to fail: each rule is shown to catch a broken card."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.cardcheck import MAX_CARD_BYTES, card_size, check_cards

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def valid_card() -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Velkommen", "wrap": True, "size": "Large", "weight": "Bolder"},
            {
                "type": "Input.Text",
                "id": "what",
                "label": "Hvad skete der?",
                "isMultiline": True,
                "isRequired": True,
                "errorMessage": "Skriv kort, hvad der skete",
            },
            {
                "type": "Input.ChoiceSet",
                "id": "kind",
                "label": "Type",
                "choices": [{"title": "Trussel", "value": "threat"}, {"title": "Chikane", "value": "harass"}],
            },
            {"type": "Input.Toggle", "id": "police", "title": "Anmeldt til politiet"},
            {"type": "Input.Date", "id": "when", "label": "Dato"},
            {
                "type": "ActionSet",
                "actions": [{"type": "Action.Submit", "title": "Gem", "data": {"verb": "report.save"}}],
            },
        ],
        "actions": [{"type": "Action.Execute", "title": "Send", "verb": "report.submit", "data": {"n": 1}}],
    }


def test_valid_card_has_no_errors_and_collects_verbs() -> None:
    [report] = check_cards([valid_card()])
    assert report.errors == []
    assert report.ok
    assert report.verbs == {"report.submit", "report.save"}
    assert {a.type for a in report.actions} == {"Action.Execute", "Action.Submit"}
    assert report.size_bytes == card_size(valid_card())


def test_unknown_element_and_bad_property_values_are_errors() -> None:
    card = valid_card()
    card["body"].append({"type": "Input.PeoplePickerX", "id": "who"})
    card["body"][0]["size"] = "Enormous"
    [report] = check_cards([card])
    assert not report.ok
    assert any("UnknownElementType" in e and "Input.PeoplePickerX" in e for e in report.errors)
    assert any("InvalidPropertyValue" in e and "size" in e for e in report.errors)


def test_misspelt_property_is_a_warning() -> None:
    card = valid_card()
    card["body"][1]["isMultiLine"] = card["body"][1].pop("isMultiline")
    [report] = check_cards([card])
    assert any("isMultiLine" in w for w in report.warnings)


def test_oversize_card_is_flagged() -> None:
    card = valid_card()
    card["body"].extend(
        {"type": "TextBlock", "text": "æ" * 1000, "wrap": True} for _ in range(MAX_CARD_BYTES // 2000 + 1)
    )
    assert card_size(card) > MAX_CARD_BYTES
    [report] = check_cards([card])
    assert any("byte budget" in e for e in report.errors)


def test_version_above_1_5_and_missing_schema_are_flagged() -> None:
    newer = valid_card()
    newer["version"] = "1.6"
    no_schema = valid_card()
    del no_schema["$schema"]
    reports = check_cards([newer, no_schema, valid_card()])
    assert any("1.6" in e for e in reports[0].errors)
    assert any("$schema" in e for e in reports[1].errors)
    assert reports[2].ok


def test_execute_without_verb_is_flagged_and_input_is_not_mutated() -> None:
    card = valid_card()
    del card["actions"][0]["verb"]
    before = copy.deepcopy(card)
    [report] = check_cards([card])
    assert any("without verb" in e for e in report.errors)
    assert card == before


def test_too_many_actions_for_teams() -> None:
    card = valid_card()
    card["actions"] = [{"type": "Action.Execute", "title": f"A{i}", "verb": f"v{i}"} for i in range(7)]
    [report] = check_cards([card])
    assert any("TooManyActions" in e for e in report.errors)
