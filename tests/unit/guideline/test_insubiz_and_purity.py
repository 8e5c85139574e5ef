from pathlib import Path

import pytest

from bot.guideline import (
    DEFINITIONS,
    Category,
    InvalidTransition,
    OfferAnswer,
    PoliceReported,
    insubiz_note_draft,
)
from tests.unit.guideline.builders import AS_LEADER, apply, at, offer, opened

GUIDELINE_TEXT = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "guideline"
    / "retningslinje-kraenkende-handlinger-sociale-medier.txt"
)


def test_draft_names_what_the_note_must_say() -> None:
    case = offer(
        opened(family_threatened=True), OfferAnswer.NO_REPORT, now=at(2026, 3, 2, 11), answered=at(2026, 3, 3, 9)
    )
    text = insubiz_note_draft(case)
    assert "KH-2026-0001" in text
    assert "Rita Reporter" in text
    assert "digitale trusler" in text
    assert "Facebook" in text
    assert "01.03.2026" in text  # the episode
    assert "03.03.2026" in text  # the decline
    assert "02.03.2026 tilbudt personligt" in text  # the offer, and how it was made
    assert "ikke ønsker at anmelde episoden til politiet" in text
    assert "uden for arbejdstiden" in text
    assert "familie/nærmeste" in text
    assert "1 skærmbillede" in text
    assert "Lene Leder" in text
    assert case.facts.description not in text
    assert case.evidence[0].sha256 not in text


def test_draft_omits_what_does_not_apply() -> None:
    case = offer(opened(outside_working_hours=False), OfferAnswer.NO_REPORT)
    text = insubiz_note_draft(case)
    assert "uden for arbejdstiden" not in text
    assert "familie" not in text


def test_draft_refused_unless_declined() -> None:
    with pytest.raises(InvalidTransition):
        insubiz_note_draft(opened())
    with pytest.raises(InvalidTransition):
        insubiz_note_draft(apply(offer(opened()), AS_LEADER, PoliceReported("1", "Lene")))


def test_definitions_are_the_guidelines_words() -> None:
    if not GUIDELINE_TEXT.exists():
        pytest.skip("the guideline text is not beside the repository")
    source = " ".join(GUIDELINE_TEXT.read_text(encoding="utf-8").split())
    for category in Category:
        for sentence in DEFINITIONS[category].split(". "):
            words = sentence.rstrip(".")
            # The source breaks one paragraph across lines; compare with whitespace collapsed.
            assert words in source, (category, words)


# The domain's purity (standard library only) is checked with every other import rule in
# tests/unit/test_import_rules.py.
