"""Write every card the bot sends, in Danish and English, to tests/golden/cards/ (one JSON file each).

Run after a change that is meant to change a card, and name the change in the commit:
    .venv/bin/python scripts/golden_cards.py
tests/unit/test_golden_cards.py fails while the files and the cards differ. Files for cards no
longer built are removed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "cards"
COMMAND = ".venv/bin/python scripts/golden_cards.py"


def file_name(name: str) -> str:
    """ "case/main/new_case/leader/da" -> "case.main.new_case.leader.da.json"."""
    return name.replace("/", ".") + ".json"


def dumps(card: dict[str, Any]) -> str:
    return json.dumps(card, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def rendered() -> dict[str, str]:
    """File name -> the file's text, for every card the catalogue builds."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.golden.catalog import build

    cards = asyncio.run(build())
    files = {file_name(name): dumps(card) for name, card in cards.items()}
    assert len(files) == len(cards), "two card names map to one file name"
    return files


def main() -> int:
    files = rendered()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    stale = [path for path in GOLDEN.glob("*.json") if path.name not in files]
    for path in stale:
        path.unlink()
    changed = 0
    for name, body in sorted(files.items()):
        path = GOLDEN / name
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            path.write_text(body, encoding="utf-8")
            changed += 1
    print(f"{len(files)} cards; {changed} written, {len(stale)} removed under {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
