"""The cards the bot sends are the pinned ones (tests/golden/cards/), in Danish and English.

Why: the architecture work (services returning events, repositories, the report flow as a state
machine) must not change what a user sees. A change meant to change a card regenerates the files
with the command below and names the change in its commit.
"""

from __future__ import annotations

import difflib
from functools import cache

from scripts.golden_cards import COMMAND, GOLDEN, rendered

MAX_DIFF_LINES = 40


def _diff(name: str, want: str, got: str) -> str:
    lines = difflib.unified_diff(
        want.splitlines(), got.splitlines(), f"golden/{name}", f"built/{name}", n=2, lineterm=""
    )
    shown = list(lines)
    more = f"\n... {len(shown) - MAX_DIFF_LINES} more diff lines" if len(shown) > MAX_DIFF_LINES else ""
    return "\n".join(shown[:MAX_DIFF_LINES]) + more


@cache
def _built() -> dict[str, str]:
    return rendered()


def test_every_card_matches_its_golden_file() -> None:
    built = _built()
    pinned = {path.name: path.read_text(encoding="utf-8") for path in GOLDEN.glob("*.json")}
    missing = sorted(set(built) - set(pinned))
    stale = sorted(set(pinned) - set(built))
    changed = sorted(name for name in set(built) & set(pinned) if built[name] != pinned[name])
    problems = []
    if missing:
        problems.append(f"{len(missing)} card(s) have no golden file: {', '.join(missing[:10])}")
    if stale:
        problems.append(f"{len(stale)} golden file(s) no card is built for: {', '.join(stale[:10])}")
    if changed:
        problems.append(f"{len(changed)} card(s) differ from their golden file: {', '.join(changed[:10])}")
        problems.append(_diff(changed[0], pinned[changed[0]], built[changed[0]]))
    assert not problems, "\n".join(
        [*problems, f"If the change is intended, regenerate with `{COMMAND}` and name it in the commit."]
    )


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
