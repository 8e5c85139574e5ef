"""What an evidence pack says, gathered from the case and its audit log before any file is written.

Why a separate, pure step: the Word document, the PDF and the manifest must tell the same story,
and building twice for an unchanged case must give the same result. So everything is read once
into frozen values here; the writers only lay them out. Times are UTC, as the guideline's evidence
is for the police and the case system, not for one reader's clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.guideline.model import Case, EvidenceItem
from bot.texts import Texts

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
MAX_ARCHIVE_NAME = 80


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class PackItem:
    """One screenshot as the pack shows it; `archive_name` is its path inside the ZIP."""

    index: int
    sha256: str
    size: int
    content_type: str
    original_name: str
    uploader: str
    uploaded_at: datetime
    seen_at: str
    archive_name: str


@dataclass(frozen=True)
class PackContent:
    case_id: str
    number: str
    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value) in the order shown
    description: str
    timeline: tuple[TimelineEntry, ...]
    items: tuple[PackItem, ...]
    as_of: datetime  # the last change the pack reflects: its documents carry this time, not the build's
    language: str

    @property
    def base_name(self) -> str:
        return f"Dokumentation-{safe_name(self.number)}"


def safe_name(name: str) -> str:
    """A file name fit for a ZIP path and a SHA256SUMS line: letters (also æøå), digits, . - _ only."""
    name = unicodedata.normalize("NFC", name).strip()
    cleaned = _UNSAFE.sub("_", name).strip("._") or "fil"
    if len(cleaned) > MAX_ARCHIVE_NAME:
        _stem, dot, ext = cleaned.rpartition(".")
        ext = ext if dot and len(ext) <= 8 else ""
        cleaned = cleaned[: MAX_ARCHIVE_NAME - len(ext) - 1].rstrip("._") + (f".{ext}" if ext else "")
    return cleaned


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def human_size(size: int) -> str:
    return f"{size:,} bytes".replace(",", ".")


def item_rows(item: PackItem, label: Callable[..., str]) -> list[tuple[str, str]]:
    """What both documents say about one screenshot, in the same order."""
    return [
        ("SHA-256", item.sha256),
        (label("pack.size"), human_size(item.size)),
        (label("pack.original_name"), item.original_name),
        (label("pack.uploader"), item.uploader),
        (label("pack.uploaded_at"), utc(item.uploaded_at)),
        (label("pack.seen_at"), item.seen_at),
        (label("pack.in_zip"), item.archive_name),
    ]


def _names(case: Case) -> dict[str, str]:
    people = (case.reporter, case.leader, case.deputy, case.leader_manager)
    return {p.aad_object_id: p.name for p in people if p is not None}


def _at(entry: Mapping[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(entry.get("at")))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _decision_line(entry: Mapping[str, Any], tx: Texts) -> str | None:
    kind = entry.get("type")
    if kind == "StepDecided" and isinstance(entry.get("step"), str):
        after = entry.get("after") if isinstance(entry.get("after"), dict) else {}
        assert isinstance(after, dict)
        outcome = after.get("outcome")
        state = tx(f"outcome.{outcome}") if outcome else tx(f"stepstatus.{after.get('status', 'open')}")
        line = f"{tx('step.' + str(entry['step']))}: {state}"
        fields = after.get("fields") if isinstance(after.get("fields"), dict) else {}
        assert isinstance(fields, dict)
        details = [f"{tx('fieldname.' + k)}: {fields[k]}" for k in ("journal_number", "reference") if fields.get(k)]
        return " · ".join([line, *details])
    if kind == "CaseClosedEvent":
        return tx("history.CaseClosedEvent")
    if kind == "LeaderChanged":
        return tx("history.LeaderChanged")
    return None


def timeline(case: Case, audit: Iterable[Mapping[str, Any]], tx: Texts) -> tuple[TimelineEntry, ...]:
    """Reported, each screenshot added, each decision (and leader change, closing), oldest first."""
    names = _names(case)
    someone = tx("history.someone")
    entries = [TimelineEntry(case.created_at, case.reporter.name or someone, tx("pack.reported"))]
    for item in case.evidence:
        what = tx("pack.evidence_added", name=item.original_name, sha=item.sha256[:12])
        entries.append(TimelineEntry(item.uploaded_at, names.get(item.uploaded_by, someone), what))
    for entry in audit:
        line = _decision_line(entry, tx)
        at = _at(entry)
        if line is None or at is None:
            continue
        entries.append(TimelineEntry(at, names.get(str(entry.get("actor")), someone), line))
    # Stable: equal times keep their order (report first, then evidence, then decisions).
    return tuple(sorted(entries, key=lambda e: e.at))


def _item(case: Case, item: EvidenceItem, index: int, tx: Texts) -> PackItem:
    uploader = _names(case).get(item.uploaded_by) or tx("history.someone")
    return PackItem(
        index=index,
        sha256=item.sha256,
        size=item.size,
        content_type=item.content_type,
        original_name=item.original_name,
        uploader=uploader,
        uploaded_at=item.uploaded_at,
        seen_at=case.facts.link or tx("pack.no_link"),
        archive_name=f"originaler/{index:02d}-{safe_name(item.original_name)}",
    )


def pack_content(case: Case, audit: Iterable[Mapping[str, Any]], tx: Texts) -> PackContent:
    lines = timeline(case, audit, tx)
    f = case.facts
    facts: list[tuple[str, str]] = [
        (tx("pack.case_number"), case.number),
        (tx("pack.category"), tx(f"category.{f.category.value}")),
        (tx("case.reporter"), case.reporter.name or "–"),
        (tx("case.leader"), case.leader.name if case.leader else tx("case.no_leader")),
        (tx("field.occurred_at"), utc(f.occurred_at)),
        (tx("field.platform"), tx(f"platform.{f.platform.value}")),
        (tx("field.link"), f.link or tx("pack.no_link")),
        *([(tx("field.offender"), f.offender)] if f.offender else []),
        (tx("case.reported_at"), utc(case.created_at)),
        (tx("case.status"), tx(f"status.{case.status.value}")),
    ]
    return PackContent(
        case_id=case.id,
        number=case.number,
        title=tx("pack.title", number=case.number),
        facts=tuple(facts),
        description=f.description,
        timeline=lines,
        items=tuple(_item(case, item, i, tx) for i, item in enumerate(case.evidence, 1)),
        as_of=max(e.at for e in lines).astimezone(UTC),
        language=tx.lang,
    )
