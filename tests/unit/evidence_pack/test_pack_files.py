"""The evidence pack's files, checked with the tools their readers use: `sha256sum -c` on the
unpacked ZIP, `pdftotext` and `pdftoppm` (poppler) on the PDF, python-docx on the Word document.

The rendered PDF pages are kept in test-artifacts/evidence-pack/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from bot.evidence_pack import BuiltPack, PackIntegrityError, build_pack, pack_content
from bot.guideline import Case
from bot.storage.local import LocalStore
from bot.texts import Texts
from tests.unit.evidence_pack.cases import FILES, LONG_NAME, REPORTER, stored_case

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "evidence-pack"
DANISH = "Søren Ærlig-Østergård Å. Bæk"


async def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A command-line tool, off the event loop."""
    return await asyncio.to_thread(subprocess.run, list(args), cwd=cwd, capture_output=True, text=True)


async def pdf_text(path: Path, *options: str) -> str:
    done = await run("pdftotext", *options, str(path), "-")
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _build(store: LocalStore, case: Case, work: Path, lang: str = "da") -> BuiltPack:
    await asyncio.to_thread(work.mkdir)
    tx = Texts(lang)
    return await build_pack(store, pack_content(case, await store.read_audit(case.id), tx), work, tx)


@pytest.fixture
async def built(tmp_path: Path) -> tuple[LocalStore, Case, BuiltPack]:
    store = LocalStore(tmp_path / "store")
    case = await stored_case(store)
    return store, case, await _build(store, case, tmp_path / "pack")


def _unzip(built: BuiltPack, into: Path) -> Path:
    with zipfile.ZipFile(built.file("zip").path) as archive:
        archive.extractall(into)
    (folder,) = into.iterdir()
    return folder


async def test_sha256sum_accepts_the_unpacked_zip_and_the_originals_are_byte_for_byte(
    built: tuple[LocalStore, Case, BuiltPack], tmp_path: Path
) -> None:
    _store, case, pack = built
    folder = _unzip(pack, tmp_path / "unzipped")
    assert folder.name == "Dokumentation-KH-2026-0042"
    check = await run("sha256sum", "-c", "SHA256SUMS", cwd=folder)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(FILES) + 3  # originals, .docx, .pdf, manifest.json
    for item, (_name, _type, data) in zip(case.evidence, FILES, strict=True):
        originals = list((folder / "originaler").glob(f"{case.evidence.index(item) + 1:02d}-*"))
        assert len(originals) == 1 and originals[0].read_bytes() == data
    listed = (folder / "SHA256SUMS").read_text()
    for item in case.evidence:
        assert item.sha256 in listed


async def test_sha256sum_refuses_a_changed_original(built: tuple[LocalStore, Case, BuiltPack], tmp_path: Path) -> None:
    folder = _unzip(built[2], tmp_path / "unzipped")
    first = sorted((folder / "originaler").iterdir())[0]
    first.write_bytes(first.read_bytes() + b"x")
    check = await run("sha256sum", "-c", "SHA256SUMS", cwd=folder)
    assert check.returncode != 0 and "FAILED" in check.stdout


async def test_manifest_names_every_original_with_its_facts(
    built: tuple[LocalStore, Case, BuiltPack], tmp_path: Path
) -> None:
    _store, case, pack = built
    folder = _unzip(pack, tmp_path / "unzipped")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["case_number"] == "KH-2026-0042"
    by_sha = {entry["sha256"]: entry for entry in manifest["originals"]}
    for item in case.evidence:
        entry = by_sha[item.sha256]
        assert entry["size"] == item.size and entry["original_name"] == item.original_name
        assert entry["uploaded_by"] == DANISH
        assert entry["seen_at"] == case.facts.link
        assert hashlib.sha256((folder / entry["path"]).read_bytes()).hexdigest() == item.sha256
    docs = {d["path"]: d["sha256"] for d in manifest["documents"]}
    assert docs["Dokumentation-KH-2026-0042.pdf"] == pack.file("pdf").sha256
    assert docs["Dokumentation-KH-2026-0042.docx"] == pack.file("docx").sha256


async def test_pdf_text_holds_every_hash_the_danish_letters_and_the_long_name(
    built: tuple[LocalStore, Case, BuiltPack],
) -> None:
    _store, case, pack = built
    text = await pdf_text(pack.file("pdf").path, "-layout")
    for item in case.evidence:
        assert item.sha256 in text
    assert DANISH in text
    assert "æøå" in text and "ÆØÅ" in text
    assert "»Jeg ved hvor du bor, Søren.«" in text
    assert "4500-80123-00042-26" in text  # the police journal number from the time line
    squeezed = "".join(text.split())
    assert LONG_NAME in squeezed  # wrapped over lines, but whole and in order


async def test_pdf_pages_render_to_png(built: tuple[LocalStore, Case, BuiltPack]) -> None:
    pack = built[2]
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    rendered = await run("pdftoppm", "-r", "80", "-png", str(pack.file("pdf").path), str(ARTIFACTS / "page"))
    assert rendered.returncode == 0, rendered.stderr
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pages) == 1 + len(FILES)  # the case and time line, then one page per screenshot
    assert all(page.stat().st_size > 5000 for page in pages)
    shutil.copy(pack.file("pdf").path, ARTIFACTS / pack.file("pdf").name)
    shutil.copy(pack.file("docx").path, ARTIFACTS / pack.file("docx").name)


async def test_word_document_reads_back_with_its_images_and_hashes(
    built: tuple[LocalStore, Case, BuiltPack],
) -> None:
    _store, case, pack = built
    document = Document(str(pack.file("docx").path))
    shown = [item for item in case.evidence if item.content_type.startswith("image/")]
    assert len(document.inline_shapes) == len(shown) == 3
    for shape in document.inline_shapes:
        assert shape.width > 0 and shape.height > 0
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    body = "\n".join(p.text for p in document.paragraphs)
    for item in case.evidence:
        assert item.sha256 in cells
        assert item.original_name in cells
    assert DANISH in cells and LONG_NAME in cells
    assert "»Jeg ved hvor du bor, Søren.«" in body
    assert "Filen kan ikke vises her" in body  # the PDF among the evidence has no view, and says so
    assert document.core_properties.title == "Dokumentationsmappe – sag KH-2026-0042"
    images = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 3 and all(blob[:3] == b"\xff\xd8\xff" for blob in images)


async def test_building_twice_gives_the_same_bytes(built: tuple[LocalStore, Case, BuiltPack], tmp_path: Path) -> None:
    store, case, first = built
    second = await _build(store, case, tmp_path / "again")
    assert [(f.kind, f.sha256, f.size) for f in second.files] == [(f.kind, f.sha256, f.size) for f in first.files]
    assert [o.sha256 for o in second.originals] == [item.sha256 for item in case.evidence]


async def test_english_pack_for_an_english_reader(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    case = await stored_case(store)
    pack = await _build(store, case, tmp_path / "pack", "en")
    text = await pdf_text(pack.file("pdf").path)
    assert "Evidence pack – case KH-2026-0042" in text and "in the reporter's own words" in text


async def test_a_changed_stored_original_stops_the_build(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    case = await stored_case(store)
    stored = tmp_path / "store" / "evidence" / "case1" / case.evidence[1].sha256
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(PackIntegrityError) as refused:
        await _build(store, case, tmp_path / "pack")
    assert refused.value.index == 2


async def test_a_case_without_screenshots_still_gets_a_pack(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    case = await stored_case(store, files=[])
    pack = await _build(store, case, tmp_path / "pack")
    text = await pdf_text(pack.file("pdf").path)
    assert "Der er ingen skærmbilleder på sagen." in text
    assert REPORTER.name in text
