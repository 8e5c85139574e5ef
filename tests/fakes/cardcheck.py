"""Adaptive Card checker for tests: Microsoft's renderer (via node) plus the Teams limits we set ourselves.

Why: the cards are pure functions producing JSON; the only honest check that Teams will show them is the
renderer Teams uses (npm `adaptivecards`, run by ``cardcheck.js`` under jsdom). On top of that come the
limits that the renderer does not know: schema version <= 1.5 in Teams, a ``$schema`` for tooling, and
our 28 KB budget per card. Every Action.Execute / Action.Submit verb and data is collected so that a
test can compare them with the bot's routing table (a button whose verb no route handles is a dead end).

Node is started once for all cards: a node start costs about a second on this machine.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CARDCHECK_JS = Path(__file__).with_name("cardcheck.js")
MAX_CARD_BYTES = 28 * 1024
MAX_VERSION = (1, 5)
ACTION_TYPES = ("Action.Execute", "Action.Submit")


@dataclass(frozen=True)
class CardAction:
    """One Execute/Submit action found in a card: its type, title, verb (Execute only) and data."""

    type: str
    title: str | None
    verb: str | None
    data: Any
    path: str


@dataclass
class CardReport:
    """What is wrong with one card. ``ok`` is true when there are no errors (warnings are allowed)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actions: list[CardAction] = field(default_factory=list)
    size_bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def verbs(self) -> set[str]:
        """Execute verbs plus Submit ``data.verb`` / ``data.action`` values, the keys a router matches."""
        found: set[str] = set()
        for action in self.actions:
            if action.verb:
                found.add(action.verb)
            if isinstance(action.data, dict):
                for key in ("verb", "action"):
                    value = action.data.get(key)
                    if isinstance(value, str):
                        found.add(value)
        return found


def card_size(card: dict[str, Any]) -> int:
    """Bytes of the card as compact UTF-8 JSON, the way it travels inside an activity."""
    return len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _parse_version(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, str):
        return None
    parts = value.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def collect_actions(node: Any, path: str = "$") -> list[CardAction]:
    """Every Action.Execute / Action.Submit anywhere: body, ActionSets, selectAction, ShowCard."""
    found: list[CardAction] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(collect_actions(item, f"{path}[{i}]"))
    elif isinstance(node, dict):
        if node.get("type") in ACTION_TYPES:
            found.append(
                CardAction(
                    type=node["type"],
                    title=node.get("title"),
                    verb=node.get("verb"),
                    data=node.get("data"),
                    path=path,
                )
            )
        for key, value in node.items():
            if key != "data" and isinstance(value, dict | list):
                found.extend(collect_actions(value, f"{path}.{key}"))
    return found


def python_checks(card: dict[str, Any]) -> CardReport:
    """The Teams and project limits that the renderer does not enforce."""
    report = CardReport(size_bytes=card_size(card), actions=collect_actions(card))
    version = _parse_version(card.get("version"))
    if version is None:
        report.errors.append(f"version missing or malformed: {card.get('version')!r}")
    elif version > MAX_VERSION:
        report.errors.append(f"version {card['version']} is above 1.5, the highest Teams renders")
    if not card.get("$schema"):
        report.errors.append("$schema missing")
    if report.size_bytes > MAX_CARD_BYTES:
        report.errors.append(f"card is {report.size_bytes} bytes, above the {MAX_CARD_BYTES}-byte budget")
    for action in report.actions:
        if action.type == "Action.Execute" and not action.verb:
            report.errors.append(f"Action.Execute without verb at {action.path}")
    return report


def _run_renderer(cards: list[Any]) -> list[dict[str, list[str]]]:
    proc = subprocess.run(
        ["node", str(CARDCHECK_JS)],
        input=json.dumps(cards).encode("utf-8"),
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=300,  # generous: a loaded CI machine is slow; a real hang still fails
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"cardcheck.js failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    reports = json.loads(proc.stdout)
    if not isinstance(reports, list) or len(reports) != len(cards):
        raise RuntimeError(f"cardcheck.js returned {reports!r} for {len(cards)} cards")
    return reports


def check_cards(cards: list[dict[str, Any]]) -> list[CardReport]:
    """Check every card with the renderer (one node run) and the Python limits; one report per card."""
    if not cards:
        return []
    rendered = _run_renderer(cards)
    reports: list[CardReport] = []
    for card, from_js in zip(cards, rendered, strict=True):
        report = python_checks(card) if isinstance(card, dict) else CardReport()
        report.errors = list(from_js.get("errors", [])) + report.errors
        report.warnings = list(from_js.get("warnings", [])) + report.warnings
        reports.append(report)
    return reports


def check_card(card: dict[str, Any]) -> CardReport:
    """One card; prefer ``check_cards`` for many (one node start)."""
    return check_cards([card])[0]


def format_reports(names: list[str], reports: list[CardReport]) -> str:
    """A readable failure message: only the cards that have errors."""
    lines = []
    for name, report in zip(names, reports, strict=True):
        for err in report.errors:
            lines.append(f"{name}: {err}")
    return "\n".join(lines)
