"""Write every card the bot sends, in Danish and English, to tests/golden/cards/ (one JSON file each).

Two parts: "cards", every card drawn from fixed typed views (tests/golden/catalog.py), and
"chat", the cards a scripted conversation through the real bot sends (tests/golden/chat.py,
files named chat.*). Run after a change that is meant to change a card, and name the change in
the commit:
    .venv/bin/python scripts/golden_cards.py
tests/unit/test_golden_cards.py and tests/bot/test_golden_chat.py fail while the files and the
cards differ. Files for cards no longer built are removed.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "cards"
COMMAND = ".venv/bin/python scripts/golden_cards.py"
PARTS = ("cards", "chat")
MAX_DIFF_LINES = 40


def file_name(name: str) -> str:
    """ "case/main/new_case/leader/da" -> "case.main.new_case.leader.da.json"."""
    return name.replace("/", ".") + ".json"


def part_of(file: str) -> str:
    return "chat" if file.startswith("chat.") else "cards"


def dumps(card: dict[str, Any]) -> str:
    return json.dumps(card, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _builder(part: str) -> Callable[[], Coroutine[Any, Any, dict[str, dict[str, Any]]]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    if part == "chat":
        from tests.golden import chat

        return chat.build
    from tests.golden import catalog

    return catalog.build


def rendered(part: str) -> dict[str, str]:
    """File name -> the file's text, for every card of one part."""
    cards = asyncio.run(_builder(part)())
    files = {file_name(name): dumps(card) for name, card in cards.items()}
    assert len(files) == len(cards), "two card names map to one file name"
    assert all(part_of(name) == part for name in files), f"a {part} card is named like another part's"
    return files


def pinned(part: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.json") if part_of(p.name) == part}


def problems(part: str, built: dict[str, str]) -> list[str]:
    """What differs between the built cards and the files, with a short diff; [] when equal."""
    files = pinned(part)
    missing = sorted(set(built) - set(files))
    stale = sorted(set(files) - set(built))
    changed = sorted(name for name in set(built) & set(files) if built[name] != files[name])
    out = []
    if missing:
        out.append(f"{len(missing)} card(s) have no golden file: {', '.join(missing[:10])}")
    if stale:
        out.append(f"{len(stale)} golden file(s) no card is built for: {', '.join(stale[:10])}")
    if changed:
        out.append(f"{len(changed)} card(s) differ from their golden file: {', '.join(changed[:10])}")
        first = changed[0]
        diff = list(
            difflib.unified_diff(
                files[first].splitlines(), built[first].splitlines(), f"golden/{first}", f"built/{first}", n=2,
                lineterm="",
            )
        )  # fmt: skip
        more = [f"... {len(diff) - MAX_DIFF_LINES} more diff lines"] if len(diff) > MAX_DIFF_LINES else []
        out += [*diff[:MAX_DIFF_LINES], *more]
    if out:
        out.append(f"If the change is intended, regenerate with `{COMMAND}` and name it in the commit.")
    return out


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        files = rendered(part)
        stale = [GOLDEN / name for name in pinned(part) if name not in files]
        for path in stale:
            path.unlink()
        changed = 0
        for name, body in sorted(files.items()):
            path = GOLDEN / name
            if not path.exists() or path.read_text(encoding="utf-8") != body:
                path.write_text(body, encoding="utf-8")
                changed += 1
        where = GOLDEN.relative_to(ROOT)
        print(f"{part}: {len(files)} cards; {changed} written, {len(stale)} removed under {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
