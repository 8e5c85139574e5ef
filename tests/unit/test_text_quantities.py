"""A number of days, hours or minutes from the settings may be 1: every text that reads one says
"1 dag" / "1 day", not "1 dage" / "1 days" (`bot.texts._Quantities`, `{n:one|many}`)."""

from __future__ import annotations

import re

import pytest

from bot.texts import da, en, t

VALUES = {
    "step": "S",
    "number": "KH-1",
    "leader": "Lene",
    "cases": 1,
    "files": 1,
    "url": "u",
    "until": "x",
    "sha256": "h",
}

# key, placeholder, (Danish for 1, for 2), (English for 1, for 2)
QUANTITIES = [
    ("report.draft_reminder", "hours", ("1 time –", "2 timer –"), ("1 hour,", "2 hours,")),
    ("report.draft_reminder_minutes", "minutes", ("1 minut –", "2 minutter –"), ("1 minute,", "2 minutes,")),
    (
        "notify.escalation",
        "days",
        ("1 arbejdsdag efter", "2 arbejdsdage efter"),
        ("1 working day past", "2 working days past"),
    ),
    ("export.ready", "days", ("efter 1 dag.", "efter 2 dage."), ("after 1 day.", "after 2 days.")),
    (
        "notify.removal_recheck",
        "days",
        ("det er 1 dag siden", "det er 2 dage siden"),
        ("it is 1 day since", "it is 2 days since"),
    ),
    (
        "notify.removal_recheck_again",
        "days",
        ("det er 1 dag siden", "det er 2 dage siden"),
        ("it is 1 day since", "it is 2 days since"),
    ),
    (
        "notify.deputy_late",
        "hours",
        ("inden for 1 arbejdstime,", "inden for 2 arbejdstimer,"),
        ("within 1 office hour,", "within 2 office hours,"),
    ),
]


@pytest.mark.parametrize(("key", "name", "danish", "english"), QUANTITIES, ids=[q[0] for q in QUANTITIES])
def test_a_text_with_a_number_of_days_hours_or_minutes_reads_right_for_1_and_more(
    key: str, name: str, danish: tuple[str, str], english: tuple[str, str]
) -> None:
    for lang, expected in (("da", danish), ("en", english)):
        for n, phrase in zip((1, 2), expected, strict=True):
            assert phrase in t(lang, key, **VALUES, **{name: n}), (lang, n)


def test_no_text_puts_a_unit_after_a_bare_number_placeholder() -> None:
    """A new text with "{days} dage" would read "1 dage" when the setting is 1."""
    danish = r"\{[a-z_]+\}\s*(arbejds|kontor)?(dage|timer|minutter)\b"
    english = r"\{[a-z_]+\}\s*(working |office )?(days|hours|minutes)\b"
    bare = re.compile(f"{danish}|{english}")
    assert [k for k, v in {**da.TEXTS, **en.TEXTS}.items() if bare.search(v)] == []
    assert {k for k, *_ in QUANTITIES} == {k for k, v in da.TEXTS.items() if re.search(r"\{[a-z_]+:[^}|]+\|", v)}


def test_zero_reads_in_the_plural_in_both_languages() -> None:
    assert t("da", "notify.escalation", step="S", number="KH-1", days=0).endswith("0 arbejdsdage efter fristen.")
    assert t("en", "notify.escalation", step="S", number="KH-1", days=0).endswith("0 working days past its deadline.")
