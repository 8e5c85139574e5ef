"""Every text the code asks for exists in Danish (the reference), and English matches Danish.

Why: a missing key is a KeyError in front of a user, and a placeholder that differs between the
languages is a KeyError (or a literal "{number}") for English users only. The code is scanned for
its `tx("...")` keys; keys built at run time (`tx(f"step.{step.value}")`) are checked against the
enums and tables they are built from, and a new kind of built key fails until it is checked here.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat.forms import MAX_DESCRIPTION, MAX_LINK, MAX_OFFENDER, ReportForm
from bot.errors import InvalidInput
from bot.guideline.actions import ACTIONS
from bot.guideline.definitions import Category, Platform
from bot.guideline.med import MedStatus, MeetingKind
from bot.guideline.model import CaseStatus, DeputyReason, Outcome, StepId, StepStatus
from bot.services.evidence_packs import KINDS as PACK_KINDS
from bot.services.med_units import REFUSALS
from bot.services.reports import validate_report
from bot.texts import da, en, t
from cards.case_card import SHOWN_CHOICES, SHOWN_FIELDS
from cards.help import SECTION_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "bot", "cards", "dialogs")
DA, EN = da.TEXTS, en.TEXTS

# Keys built at run time: prefix -> every key that can be built from it.
BUILT: dict[str, set[str]] = {
    "step.": {f"step.{s.value}" for s in StepId},
    "stepstatus.": {f"stepstatus.{s.value}" for s in StepStatus},
    "outcome.": {f"outcome.{o.value}" for o in Outcome},
    "status.": {f"status.{s.value}" for s in CaseStatus},
    "category.": {f"category.{c.value}" for c in Category} | {f"category.{c.value}.definition" for c in Category},
    "platform.": {f"platform.{p.value}" for p in Platform},
    "act.": {f"act.{name}" for name in ACTIONS},
    "med.state.": {f"med.state.{s.value}" for s in MedStatus},
    "med.status.count.": {f"med.status.count.{s.value}" for s in MedStatus},
    "med.meeting_kind.": {f"med.meeting_kind.{k.value}" for k in MeetingKind},
    "fieldname.": {f"fieldname.{k}" for k in (*SHOWN_FIELDS, *SHOWN_CHOICES, "reason")},
    "choice.": {i.choice_key(c) for spec in ACTIONS.values() for i in spec.inputs for c in i.choices},
    "pack.kind.": {f"pack.kind.{kind}" for kind in PACK_KINDS},
    "pack.open.": {f"pack.open.{kind}" for kind in PACK_KINDS},
    "help.section.": {f"help.section.{s}" for s in SECTION_COMMANDS},
    "help.body.": {f"help.body.{s}" for s in SECTION_COMMANDS},
    "weekday.": {f"weekday.{n}" for n in range(7)},
    "deputy_reason.": {f"deputy_reason.{r.value}" for r in DeputyReason},
    "notify.deputy_in.": {f"notify.deputy_in.{r.value}" for r in DeputyReason if r is not DeputyReason.ACK_OVERDUE},
}
# Built keys looked up only after `tx.has(key)`, with a fallback, or checked by a behaviour test below.
GUARDED = {"history.", "domain.", "invalid.", "field."}


@dataclass(frozen=True)
class Use:
    where: str
    key: str | None  # the literal key, or None when built at run time
    prefix: str  # the literal start of a built key
    kwargs: frozenset[str] | None  # keyword names passed; None when **values is passed


def _is_texts_call(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name == "tx" or name.endswith("_tx")


def _prefix(arg: ast.expr) -> str | None:
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return str(arg.values[0].value)
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add) and isinstance(arg.left, ast.Constant):
        return str(arg.left.value)
    return None


def uses() -> Iterator[Use]:
    files = [ROOT / s for s in SOURCES if s.endswith(".py")]
    files += [p for s in SOURCES if not s.endswith(".py") for p in sorted((ROOT / s).rglob("*.py"))]
    for path in files:
        if "texts" in path.relative_to(ROOT).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _is_texts_call(node) or not node.args:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            kwargs = None if any(k.arg is None for k in node.keywords) else frozenset(str(k.arg) for k in node.keywords)
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield Use(where, first.value, "", kwargs)
            elif (prefix := _prefix(first)) is not None:
                yield Use(where, None, prefix, kwargs)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_scan_finds_the_code_s_texts() -> None:
    found = list(uses())
    assert len([u for u in found if u.key]) > 100  # the scan itself works
    assert {u.prefix for u in found if u.prefix} >= {"step.", "choice.", "category."}


def test_every_english_key_exists_in_danish() -> None:
    assert sorted(set(EN) - set(DA)) == []


def test_every_danish_key_exists_in_english() -> None:
    """No silent fallback: an English user never meets a Danish sentence in the middle of a card."""
    assert sorted(set(DA) - set(EN)) == []


# Reporting content to Facebook, TikTok etc. is "anmeld" in the platforms' own Danish menus.
PLATFORM_WORDS = frozenset({"takedown.route", "takedown.open"})


def test_danish_reads_as_municipal_danish() -> None:
    """ "indberet" for the internal report, "politianmeld" for the police, no "bevis(er)"
    (it is "dokumentation" or "skærmbillede"), and no "Kontrolsum" in anything a person reads."""
    wrong = {
        key: value
        for key, value in DA.items()
        if re.search(r"bevis|kontrolsum|(?<!politi)anmeld", value, re.IGNORECASE) and key not in PLATFORM_WORDS
    }
    assert wrong == {}
    assert DA["hr.only"] == "Kommandoen kan kun bruges af HR."


def test_english_says_manager_not_leader() -> None:
    """Placeholders named {leader} are code; the words a person reads say "manager"."""
    wrong = {
        key: value
        for key, value in EN.items()
        if re.search(r"\bleaders?\b|checksum", re.sub(r"\{[a-z_]+\}", "", value), re.IGNORECASE)
    }
    assert wrong == {}


def test_placeholders_match_between_the_languages() -> None:
    differ = {k: (placeholders(DA[k]), placeholders(EN[k])) for k in EN if placeholders(DA[k]) != placeholders(EN[k])}
    assert differ == {}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_text_reads_the_same_through_the_quick_path(lang: str) -> None:
    """`t` formats with str.format unless a template has a `one|many` placeholder: every text, with
    a value for each placeholder (1 and 3 for the quantities), reads as the Formatter makes it."""
    from bot.texts import _FORMAT

    for key, template in (DA if lang == "da" else EN).items():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        for n in (1, 3):
            values = {name: n if "|" in template else f"<{name}>" for name in names}
            if values:
                assert t(lang, key, **values) == _FORMAT.format(template, **values), key
    assert t("da", "receipt.title", number="KH-2026-0001") == "Din indberetning er modtaget – sag KH-2026-0001"


def test_every_literal_key_used_in_code_exists_in_danish() -> None:
    missing = sorted(f"{u.where}: {u.key}" for u in uses() if u.key and u.key not in DA)
    assert missing == []


def test_literal_keys_get_exactly_the_values_their_placeholders_need() -> None:
    """tx("key") on a template with {number} shows a literal "{number}"; a missing value raises."""
    wrong = []
    for u in uses():
        if not u.key or u.key not in DA or u.kwargs is None:
            continue
        needed = placeholders(DA[u.key])
        if needed != set(u.kwargs):
            wrong.append(f"{u.where}: {u.key} needs {sorted(needed)}, gets {sorted(u.kwargs)}")
    assert wrong == []


def test_every_built_key_has_its_danish_text() -> None:
    unknown = sorted(
        {f"{u.where}: {u.prefix}..." for u in uses() if u.prefix and u.prefix not in BUILT | dict.fromkeys(GUARDED)}
    )
    assert unknown == [], "a new kind of built key: add what it is built from to BUILT"
    missing = sorted(
        key for prefix in {u.prefix for u in uses() if u.prefix in BUILT} for key in BUILT[prefix] if key not in DA
    )
    assert missing == []


# cards/med.py formats these two with date= first; its built fallback only meets them if a stored
# evaluation lacks its date, which the domain (put_on_agenda, mark_done) never writes.
FORMATTED_BEFORE_FALLBACK = {"med.state.on_agenda", "med.state.done"}


def test_built_keys_get_the_values_their_placeholders_need() -> None:
    wrong = []
    for u in uses():
        if u.prefix not in BUILT or u.kwargs is None:
            continue
        for key in sorted(BUILT[u.prefix]):
            if key in FORMATTED_BEFORE_FALLBACK:
                continue
            if key in DA and placeholders(DA[key]) != set(u.kwargs):
                wrong.append(f"{u.where}: {key} needs {sorted(placeholders(DA[key]))}, gets {sorted(u.kwargs)}")
    assert wrong == []


def test_enum_values_all_have_texts() -> None:
    """Even where no card shows a value yet: the next card that does must not crash."""
    missing = sorted(key for keys in BUILT.values() for key in keys if key not in DA)
    assert missing == []


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Copenhagen")
GOOD = {
    "category": "trussel",
    "description": "Han skrev at han ved hvor jeg bor.",
    "date": "2026-03-01",
    "time": "21:30",
    "platform": "facebook",
}


@pytest.mark.parametrize(
    "change",
    [
        {"category": ""},
        {"category": "spam"},
        {"description": " "},
        {"description": "x" * (MAX_DESCRIPTION + 1)},
        {"platform": ""},
        {"platform": "myspace"},
        {"date": ""},
        {"date": "2026-02-30"},
        {"date": "2027-01-01"},
        {"link": "ftp://example.invalid/x"},
        {"link": "https://e.invalid/" + "x" * MAX_LINK},
        {"offender": "x" * (MAX_OFFENDER + 1)},
    ],
)
def test_report_form_problems_have_texts_in_both_languages(change: dict[str, str]) -> None:
    """dialogs/report.py shows tx(f"invalid.{reason}", field=tx(f"field.{field}")) unguarded."""
    with pytest.raises(InvalidInput) as raised:
        validate_report(ReportForm.from_payload({**GOOD, **change}), NOW, ZONE)
    for key in (f"invalid.{raised.value.reason}", f"field.{raised.value.field}"):
        assert key in DA
    assert placeholders(DA[f"invalid.{raised.value.reason}"]) <= {"field"}


def test_evidence_rejection_reasons_are_text_keys() -> None:
    reasons = set()
    for path in [*(ROOT / "bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "EvidenceRejected"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                reasons.add(str(node.args[0].value))
    assert len(reasons) >= 5
    assert sorted(r for r in reasons if r not in DA) == []
    assert sorted(r for r in reasons if not placeholders(DA[r]) <= {"max_size"}) == []


def test_every_med_refusal_has_its_text_in_both_languages() -> None:
    """A MED refusal's reason is a text key raised deep in the service (bot.errors.Refused)."""
    assert [key for key in REFUSALS if key not in DA or key not in EN] == []
    assert {k for k in DA if k.startswith("med.refused.")} == set(REFUSALS)


def test_no_key_is_written_twice_in_a_text_file() -> None:
    """A repeated key in the dict literal silently keeps the last wording: the first is dead text."""
    import ast
    import collections
    from pathlib import Path

    for lang in ("da", "en"):
        tree = ast.parse((Path(__file__).resolve().parents[2] / "bot" / "texts" / f"{lang}.py").read_text("utf-8"))
        keys = [
            k.value for n in ast.walk(tree) if isinstance(n, ast.Dict) for k in n.keys if isinstance(k, ast.Constant)
        ]
        repeated = [key for key, count in collections.Counter(keys).items() if count > 1]
        assert not repeated, (lang, repeated)


@pytest.mark.parametrize(
    ("lang", "hr"), [("da", "HR, hvis ingen leder er kendt"), ("en", "HR, if no manager is known")]
)
def test_the_welcome_promises_who_is_told_as_the_bot_does_it(lang: str, hr: str) -> None:
    """A report without a known leader goes to HR (ReportService.submit, due.CASE_ASSIGNED): the
    welcome must not promise that the leader is always the one told."""
    assert hr in t(lang, "welcome.body")
