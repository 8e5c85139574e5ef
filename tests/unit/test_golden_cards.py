"""The cards the bot draws are the pinned ones (tests/golden/cards/), in Danish and English.

Why: the architecture work (services returning events, repositories, the report flow as a state
machine) must not change what a user sees. A change meant to change a card regenerates the files
with `.venv/bin/python scripts/golden_cards.py` and names the change in its commit. The cards as a
scripted conversation through the real bot sends them are compared by tests/bot/test_golden_chat.py.
"""

from __future__ import annotations

from functools import cache

from scripts.golden_cards import problems, rendered


@cache
def _built() -> dict[str, str]:
    return rendered("cards")


def test_every_card_matches_its_golden_file() -> None:
    found = problems("cards", _built())
    assert not found, "\n".join(found)


def test_the_catalogue_covers_every_role_state_and_language() -> None:
    """Guards the catalogue itself: a scenario that stopped producing cards would pin nothing."""
    built = _built()
    for role in ("reporter", "leader", "deputy", "hr"):
        for lang in ("da", "en"):
            for state in ("main.new_case", "accepted.acknowledged", "accepted.offer_accepted", "main.closed"):
                assert f"case.{state}.{role}.{lang}.json" in built
    kinds = {name.split(".")[0] for name in built}
    assert kinds >= {
        "welcome", "guideline", "help", "evidence_prompt", "report", "review", "receipt", "my_cases", "hr",
        "refusal", "case", "evidence_list", "med_register", "med_registered", "med_reminder", "med_overview",
        "evidence_pack_ready",
    }  # fmt: skip
