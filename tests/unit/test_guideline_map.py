"""docs/guideline-map.md has a row for every step of the case and every case action.

Why: the map is how a reader checks the bot against the guideline sentence by sentence. A step or
action added to the code without a row would be a duty (or a button) nobody has traced back to the
guideline, so this fails until the row is written.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.guideline.actions import ACTIONS
from bot.guideline.model import StepId

MAP = Path(__file__).resolve().parents[2] / "docs" / "guideline-map.md"
MIN_EXPLANATION = 30  # characters: a row must say where, or why not, in words


def rows() -> dict[str, str]:
    """Tag ("step:removal", "action:close") -> the text of the table row that carries it."""
    found: dict[str, str] = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            for tag in re.findall(r"`((?:step|action|removed):[a-z_]+)`", line):
                found.setdefault(tag, line)
    return found


def explanation(row: str) -> str:
    """The row's last cell: where the bot carries the duty, or why it does not."""
    return row.strip().strip("|").split("|")[-1].strip()


def test_every_step_has_a_row_that_says_where() -> None:
    mapped = rows()
    missing = [step.value for step in StepId if f"step:{step.value}" not in mapped]
    assert missing == [], "add a row to docs/guideline-map.md for each step"
    thin = [s.value for s in StepId if len(explanation(mapped[f"step:{s.value}"])) < MIN_EXPLANATION]
    assert thin == []


def test_every_case_action_has_a_row() -> None:
    mapped = rows()
    missing = sorted(name for name in ACTIONS if f"action:{name}" not in mapped)
    assert missing == [], "add a row to docs/guideline-map.md for each case action"
    thin = sorted(n for n in ACTIONS if len(explanation(mapped[f"action:{n}"])) < MIN_EXPLANATION)
    assert thin == []


def test_the_map_names_no_action_that_is_gone() -> None:
    """A removed action is tagged `removed:`; an `action:` tag must be a real action."""
    stale = sorted(tag for tag in rows() if tag.startswith("action:") and tag.split(":", 1)[1] not in ACTIONS)
    assert stale == []


def test_the_map_quotes_the_guideline_s_own_duties() -> None:
    """A few sentences that must never drop out of the map, quoted as the guideline words them."""
    text = MAP.read_text(encoding="utf-8")
    for quote in (
        "Episoden politianmeldes",
        "Lederen skal tilbyde medarbejderen at deltage ved politianmeldelse af episoden.",
        "som registreres i InsuBiz",
        "APV handlingsplanen lægges i DEFGO",
        "gemme materialet på den relevante sag",
        "Retningslinjen gælder 24/7",
        "to gange årligt",
    ):
        assert quote in text
