"""The message that brings a person their evidence pack: three links that expire, and what to do
with the files. It says plainly that the bot keeps the pack but does not save it in the
municipality's case system: a person does that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.texts import Texts
from cards.common import Card, Element, card, facts, text, title


@dataclass(frozen=True)
class PackFileView:
    kind: str  # pdf, docx or zip
    name: str
    size: int
    sha256: str
    url: str


@dataclass(frozen=True)
class PackReadyView:
    number: str
    files: tuple[PackFileView, ...]
    expires_at: datetime
    zone: ZoneInfo


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",") if size >= 100_000 else f"{max(1, size // 1024)} KB"


def pack_ready_card(tx: Texts, view: PackReadyView) -> Card:
    expires = view.expires_at.astimezone(view.zone).strftime("%d-%m-%Y %H:%M")
    body: list[Element] = [
        title(tx("pack.ready.title", number=view.number)),
        text(tx("pack.ready.body", expires=expires)),
        facts([(tx(f"pack.kind.{f.kind}"), f"{f.name} · {_megabytes(f.size)} · {f.sha256[:16]}…") for f in view.files]),
        text(tx("pack.ready.not_saved"), weight="Bolder"),
    ]
    actions: list[Element] = [
        {"type": "Action.OpenUrl", "title": tx(f"pack.open.{f.kind}"), "url": f.url} for f in view.files
    ]
    return card(body, actions)
