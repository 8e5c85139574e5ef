"""A stored case with real screenshots for the evidence pack tests: Danish letters, a long name,
a transparent PNG, a JPEG and a file that cannot be shown (a PDF)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from bot.guideline import Actor, Case, Category, DeadlinePolicy, EvidenceItem, Facts, Person, Platform, decide, new_case
from bot.guideline.decisions import OfferChannel, PoliceOfferMade, PoliceReported, RemovalDecided, RemovalOutcome
from bot.services.audit import record_events
from bot.storage.store import EvidenceMeta, Store

TZ = ZoneInfo("Europe/Copenhagen")
OPENED = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
REPORTER = Person("u-reporter", "Søren Ærlig-Østergård Å. Bæk")
LEADER = Person("u-leader", "Lene Leder")
LONG_NAME = "skærmbillede-" + "meget-lang-beskrivelse-af-opslaget-" * 6 + "ÆØÅ.png"


def png(width: int, height: int, text: str, *, alpha: bool = False) -> bytes:
    image = Image.new("RGBA" if alpha else "RGB", (width, height), (250, 250, 250, 0) if alpha else "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, width - 10, 60), fill=(59, 89, 152, 255))
    draw.text((20, 80), text, fill=(0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), (200, 220, 240))
    ImageDraw.Draw(image).ellipse((20, 20, width - 20, height - 20), fill=(240, 120, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


FILES: list[tuple[str, str, bytes]] = [
    ("opslag på facebook – æøå.png", "image/png", png(900, 1600, "Trussel i kommentar")),
    (LONG_NAME, "image/png", png(1200, 500, "gennemsigtig", alpha=True)),
    ("foto af skærm.jpg", "image/jpeg", jpeg(3000, 2000)),
    ("besked.pdf", "application/pdf", b"%PDF-1.4\n% not really shown\n%%EOF\n"),
]


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 65536):
        yield data[start : start + 65536]


async def stored_case(store: Store, files: list[tuple[str, str, bytes]] = FILES) -> Case:
    """Store the files as evidence, open the case with them and decide three steps (with audit lines)."""
    items = []
    for i, (name, content_type, data) in enumerate(files):
        sha = hashlib.sha256(data).hexdigest()
        when = OPENED.replace(minute=i)
        meta = EvidenceMeta(sha, len(data), content_type, name, REPORTER.aad_object_id, when)
        await store.put_evidence(f"evidence/case1/{sha}", _chunks(data), meta)
        items.append(EvidenceItem(sha, len(data), content_type, name, REPORTER.aad_object_id, when))
    facts = Facts(
        category=Category.THREAT,
        description=(
            "Han skrev: »Jeg ved hvor du bor, Søren.« under kommunens opslag om vejarbejde på Åvej.\nAnden linje."
        ),
        occurred_at=OPENED.replace(day=1, hour=21),
        platform=Platform.FACEBOOK,
        link="https://www.facebook.com/kommunen/posts/123456789",
        offender="Profilen »Ærø Ølstykke«",
        outside_working_hours=True,
        family_threatened=False,
    )
    policy = DeadlinePolicy()
    case, events = new_case(
        "case1", "KH-2026-0042", REPORTER, LEADER, None, "Borgerservice", facts, items, OPENED, policy
    )
    await record_events(store, events)
    leader = Actor(LEADER.aad_object_id)
    for minutes, decision in (
        (30, RemovalDecided(RemovalOutcome.REQUESTED, "Anmodet Meta om fjernelse")),
        (40, PoliceOfferMade(OfferChannel.IN_PERSON)),
        (45, PoliceReported("4500-80123-00042-26", "Lene Leder")),
    ):
        case, events = decide(case, leader, decision, OPENED.replace(minute=minutes), policy)
        await record_events(store, events)
    return case
