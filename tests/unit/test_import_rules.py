"""The layers' import rules, read from the source with `ast` (every import, also inside functions):

- botbuilder, botframework and msrest only in the Teams edge (`bot/teams/`), `dialogs/` and `app.py`;
- `bot/guideline` imports the standard library only (from an explicit list) and itself;
- `cards` never imports services, presenters or the edge;
- `bot/services` never imports `cards`, presenters or the edge (`bot/teams`, `dialogs`);
- `bot/teams` never imports `dialogs` (app.py hands the dialogs in).

A rule broken on purpose, for now, goes in ALLOWED with the reason; nothing is listed today.
Beside the imports: a Bot Framework service URL is handled only at the edge, except where
SERVICE_URL_OUTSIDE_THE_EDGE lists it (the inbound checks, which run before any turn).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("app.py", "bot", "cards", "dialogs")  # the deployed code (tests, scripts, benchmarks aside)
SDK = ("botbuilder", "botframework", "msrest")
EDGE = ("bot/teams/", "dialogs/", "app.py")

# (file, imported module) pairs that break a rule for now, each with why. Empty: every rule holds.
ALLOWED: dict[tuple[str, str], str] = {}

GUIDELINE_STDLIB = {
    "__future__",
    "collections",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "re",
    "types",
    "typing",
    "zoneinfo",
    "urllib",
    "difflib",  # the closest known unit names to a mistyped one (med_units)
    "unicodedata",  # one canonical form of a unit's name (med_units)
}


def product_files() -> Iterator[Path]:
    for entry in PRODUCT:
        path = ROOT / entry
        if path.is_file():
            yield path
        else:
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[str]:
    """Every module `path` imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            else:
                yield node.module or ""


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def broken(rule: str, files: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in product_files():
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(files):
            continue
        for name in imports(path):
            if within(name, *forbidden) and (rel, name) not in ALLOWED:
                out.append(f"{rel} imports {name} ({rule})")
    return out


def test_the_bot_framework_sdk_only_at_the_edge() -> None:
    found = []
    for path in product_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(EDGE):
            continue
        found += [f"{rel} imports {n}" for n in imports(path) if within(n, *SDK) and (rel, n) not in ALLOWED]
    assert found == []


def test_the_guideline_imports_only_the_standard_library_and_itself() -> None:
    found = []
    for path in (ROOT / "bot" / "guideline").rglob("*.py"):
        for name in imports(path):
            root = name.split(".")[0]
            if within(name, "bot.guideline"):
                continue
            if root not in GUIDELINE_STDLIB or root not in sys.stdlib_module_names | {"__future__"}:
                found.append(f"{path.name} imports {name}")
    assert found == []


def test_cards_never_import_services_presenters_or_the_edge() -> None:
    assert broken("cards are pure", "cards/", ("bot.services", "bot.presenters", "bot.teams", "dialogs")) == []


def test_services_never_import_cards_presenters_or_the_edge() -> None:
    forbidden = ("cards", "bot.presenters", "bot.teams", "dialogs", *SDK)
    assert broken("services draw no card, see no Teams type", "bot/services/", forbidden) == []


def test_the_teams_edge_never_imports_the_dialogs() -> None:
    assert broken("app.py hands the dialogs in", "bot/teams/", ("dialogs",)) == []


# Where a Bot Framework service URL is handled outside the edge, and why. The services name
# people (Notifier.to_person) and channels (Notifier.to_channel) and never see one: where a new
# chat is opened is the Teams side's choice (bot/teams/notifier.py).
SERVICE_URL_OUTSIDE_THE_EDGE = {
    # The inbound checks read the protocol's JSON (its serviceUrl) before any turn begins.
    "bot/hosting/inbound.py",
}


def handles_a_service_url(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value == "serviceUrl":
            return True
        name = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "arg", None)
        if isinstance(name, str) and "service_url" in name:
            return True
    return False


def test_service_urls_stay_at_the_edge() -> None:
    found = {
        path.relative_to(ROOT).as_posix()
        for path in product_files()
        if not path.relative_to(ROOT).as_posix().startswith(EDGE) and handles_a_service_url(path)
    }
    assert found == SERVICE_URL_OUTSIDE_THE_EDGE


def test_the_rules_can_fail() -> None:
    """The reader really sees imports: a file known to import the SDK and cards is read as such."""
    names = set(imports(ROOT / "bot" / "teams" / "case_invoke.py"))
    assert "botbuilder.core" in names
    assert any(within(n, "cards") for n in names)
    assert "bot.guideline.errors" in set(imports(ROOT / "bot" / "chat" / "messages.py"))
    relative = {n for n in imports(ROOT / "bot" / "guideline" / "__init__.py") if within(n, "bot.guideline")}
    assert relative  # the package's re-exports, relative or absolute, are resolved
    assert handles_a_service_url(ROOT / "bot" / "teams" / "notifier.py")
