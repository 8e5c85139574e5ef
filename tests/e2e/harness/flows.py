"""Whole journeys through the Playground UI, shared by the e2e tests, and the data they need.

Why: the employee's report is the first half of every later story (the leader's case card, the
employee's own card), so it is written once, here, the way a person clicks through it. Labels and
button titles come from the app's Danish text table (`bot.texts.da.TEXTS`), so a reworded label
does not break the tests but a missing or renamed input does.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.texts.da import TEXTS
from tests.e2e.harness.activities import FileServer, send_file
from tests.e2e.harness.config import PlaygroundUser
from tests.e2e.harness.procs import PlaygroundServer
from tests.e2e.harness.ui import MESSAGE, WAIT_MS, Card, ChatPage

CASE_NUMBER = re.compile(r"KH-\d{4}-\d{4,}")
DIRECTORY_HEADER = (
    "employee_aad_object_id",
    "employee_name",
    "leader_aad_object_id",
    "leader_name",
    "deputy_aad_object_id",
    "deputy_name",
    "unit",
    "leader_absent",
)


def label(key: str) -> str:
    """An input's label as the person reads it, without the app's own " *" required marker
    (the Playground draws its own marker for required inputs)."""
    return TEXTS[key].removesuffix(" *").strip()


def png(seed: str, width: int = 48, height: int = 24) -> bytes:
    """A real RGB PNG whose pixels depend on `seed`, so every test sends its own bytes and hash."""
    digest = hashlib.sha256(seed.encode()).digest()
    row = b"".join(digest[(x * 3) % 30 : (x * 3) % 30 + 3] for x in range(width))
    raw = b"".join(b"\x00" + row for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def write_leader_directory(
    path: Path,
    rows: Sequence[
        tuple[PlaygroundUser, PlaygroundUser, PlaygroundUser | None]
        | tuple[PlaygroundUser, PlaygroundUser, PlaygroundUser | None, str]
    ],
    unit: str = "Borgerservice",
) -> Path:
    """The CSV read by LEADER_DIRECTORY_FILE: (employee, leader, deputy[, unit]) per row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(DIRECTORY_HEADER)
        for row in rows:
            employee, leader, deputy = row[0], row[1], row[2]
            writer.writerow(
                [
                    employee.aad_object_id,
                    employee.name,
                    leader.aad_object_id,
                    leader.name,
                    deputy.aad_object_id if deputy else "",
                    deputy.name if deputy else "",
                    row[3] if len(row) > 3 else unit,
                    "false",
                ]
            )
    return path


@dataclass(frozen=True)
class Evidence:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Submitted:
    """What the employee saw at the end of a report."""

    number: str
    receipt: Card
    receipt_text: str
    evidence: tuple[Evidence, ...]


async def open_report_card(chat: ChatPage) -> Card:
    """From the welcome card (install or "hjælp"): click "Indberet en episode", get the report card."""
    welcome = await chat.wait_for_card(TEXTS["welcome.title"], name=f"{chat.who}-welcome")
    before = await chat.message_count()
    await welcome.click(TEXTS["action.report"])
    return await chat.wait_for_card(TEXTS["report.title"], after=before, name=f"{chat.who}-report-card")


async def fill_report_card(
    card: Card,
    *,
    description: str,
    link: str = "https://www.facebook.com/groups/byen/posts/4711",
    offender: str = "Profilen 'Sandhedsvidne'",
    outside_hours: bool = True,
    family: bool = True,
) -> None:
    """Category "Digitale trusler", platform Facebook; the date and time stay as the card pre-fills them."""
    await card.select(label("report.category"), TEXTS["category.trussel"])
    await card.fill(label("report.description"), description)
    await card.select(label("report.platform"), TEXTS["platform.facebook"])
    await card.fill(label("report.link"), link)
    await card.fill(label("report.offender"), offender)
    await card.toggle(TEXTS["report.outside_hours"], outside_hours)
    await card.toggle(TEXTS["report.family"], family)


async def send_evidence(chat: ChatPage, pg: PlaygroundServer, files: FileServer, item: Evidence) -> str:
    """Send one screenshot as a Teams file in the personal chat; returns the bot's answer, which is
    either the acknowledgement ("Modtaget") or its refusal ("Filen blev ikke gemt"), so a refused
    file fails the caller's assertion at once with the bot's own words."""
    before = await chat.message_count()
    await send_file(pg, files, item.name, item.data, "image/png")
    answers = (TEXTS["evidence.received"].split(":")[0], TEXTS["evidence.rejected"].split(":")[0])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_MS / 1000
    while loop.time() < deadline:
        fresh = (await chat.page.locator(MESSAGE).all_inner_texts())[before:]
        for text in reversed(fresh):
            if any(a in text for a in answers):
                return text
        await asyncio.sleep(0.1)
    shot = await chat.screenshot("timeout-evidence-answer")
    raise AssertionError(f"{chat.who}: no answer to the file {item.name!r} within {WAIT_MS} ms\nScreenshot: {shot}")


async def submit_report(
    chat: ChatPage,
    *,
    description: str,
    evidence: tuple[Evidence, ...] = (),
    pg: PlaygroundServer | None = None,
    files: FileServer | None = None,
) -> Submitted:
    """The employee's whole report, from the welcome card to the receipt. Evidence needs the
    chat's Playground instance and a file server the app may fetch from (EVIDENCE_DEV_ORIGINS)."""
    if evidence and (pg is None or files is None):
        raise ValueError("evidence needs pg= and files=")
    form = await open_report_card(chat)
    await fill_report_card(form, description=description)
    before = await chat.message_count()
    await form.click(TEXTS["report.submit"])
    await chat.wait_for_card(TEXTS["evidence.done_button"], after=before, name=f"{chat.who}-evidence-advice")
    for item in evidence:
        assert pg is not None and files is not None
        await send_evidence(chat, pg, files, item)
    before = await chat.send_text("færdig")
    review = await chat.wait_for_card(TEXTS["review.title"], after=before, name=f"{chat.who}-review")
    before = await chat.message_count()
    await review.click(TEXTS["review.submit"])
    receipt = await chat.wait_for_card(
        TEXTS["receipt.title"].split("{")[0].strip(), after=before, name=f"{chat.who}-receipt"
    )
    text = await receipt.text()
    found = CASE_NUMBER.search(text)
    if found is None:
        raise AssertionError(f"no case number (KH-...) on the receipt card:\n{text}")
    return Submitted(found.group(0), receipt, text, evidence)


async def stored_evidence(data_dir: Path, sha256: str) -> list[Path]:
    """Every stored copy of a file in a local data dir: DATA_DIR/evidence/<case id>/<sha256>."""
    return await asyncio.to_thread(lambda: sorted((data_dir / "evidence").glob(f"*/{sha256}")))


STEP_KEYS = tuple(k for k in TEXTS if k.startswith("step."))


def step_states(card_text: str) -> dict[str, str]:
    """{step title: its state line} as a case card shows them (the line under each step's title)."""
    lines = [line.strip() for line in card_text.splitlines() if line.strip()]
    titles = {TEXTS[k] for k in STEP_KEYS}
    out: dict[str, str] = {}
    for i, line in enumerate(lines[:-1]):
        if line in titles and line not in out:
            out[line] = lines[i + 1]
    return out


async def wait_for_step(card: Card, step_key: str, *fragments: str, wait_ms: int = 15_000, hint: str = "") -> str:
    """Poll the card (it is replaced in place after an action or a bot update) until the step's
    state line contains every fragment; returns that line."""
    title = TEXTS[step_key]
    deadline = asyncio.get_running_loop().time() + wait_ms / 1000
    line = ""
    while True:
        line = step_states(await card.text()).get(title, "")
        if line and all(f in line for f in fragments):
            return line
        if asyncio.get_running_loop().time() > deadline:
            shot = await card.chat.screenshot(f"timeout-{step_key}")
            raise AssertionError(
                f"{card.chat.who}: step {title!r} shows {line!r}, never {fragments!r} within {wait_ms} ms\n"
                f"Screenshot: {shot}" + (f"\n{hint}" if hint else "")
            )
        await asyncio.sleep(0.1)
