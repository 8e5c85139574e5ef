"""Build the pack from the stored evidence: the Word document, the PDF, and the ZIP with the originals.

Memory stays flat however large the screenshots are: every original is streamed from the store to
a temporary file (its hash checked against the one recorded at upload), the documents embed bounded
views (`images.py`), and the ZIP is written from the files in chunks. Nothing here knows Teams;
the blocking work (Pillow, python-docx, fpdf2, zipfile) runs in worker threads.

Everything in the pack is a function of the case and its audit log, stamped with the case's last
change rather than the clock: building twice for an unchanged case gives the same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.evidence_pack.content import PackContent
from bot.evidence_pack.images import Preview, make_preview
from bot.evidence_pack.manifest import CHUNK, MANIFEST, SUMS, Hashed, hashed, manifest, sha256sums
from bot.evidence_pack.pdf import write_pdf
from bot.evidence_pack.word import write_docx
from bot.storage import names
from bot.storage.store import Store

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
ZIP = "application/zip"

Label = Callable[..., str]


class PackIntegrityError(Exception):
    """A stored original no longer has the hash recorded at upload: the pack is not built."""

    def __init__(self, index: int) -> None:
        super().__init__(f"evidence item {index} does not match its recorded SHA-256")
        self.index = index


@dataclass(frozen=True)
class PackFile:
    kind: str  # "zip", "docx" or "pdf"
    path: Path
    name: str  # the file name a person downloads
    content_type: str
    sha256: str
    size: int


@dataclass(frozen=True)
class BuiltPack:
    files: tuple[PackFile, ...]
    originals: tuple[Hashed, ...]

    def file(self, kind: str) -> PackFile:
        return next(f for f in self.files if f.kind == kind)


async def spool(source: AsyncIterator[bytes], target: Path) -> tuple[str, int]:
    """Copy a stream to a file in chunks, hashing on the way; returns (sha256, size)."""
    digest = hashlib.sha256()
    size = 0
    file = await asyncio.to_thread(target.open, "xb")
    try:
        async for chunk in source:
            digest.update(chunk)
            size += len(chunk)
            await asyncio.to_thread(file.write, chunk)
    finally:
        await asyncio.to_thread(file.close)
    return digest.hexdigest(), size


async def build_pack(store: Store, content: PackContent, workdir: Path, label: Label) -> BuiltPack:
    """Write the pack's three files into `workdir` (an empty temporary folder the caller removes)."""
    originals: list[Hashed] = []
    for item in content.items:
        path = workdir / f"original-{item.index:02d}"
        sha, size = await spool(store.read_evidence(names.evidence(content.case_id, item.sha256)), path)
        if sha != item.sha256 or size != item.size:
            raise PackIntegrityError(item.index)
        originals.append(Hashed(path, item.archive_name, sha, size))
    return await asyncio.to_thread(_documents_and_zip, content, originals, workdir, label)


def _documents_and_zip(content: PackContent, originals: list[Hashed], workdir: Path, label: Label) -> BuiltPack:
    previews: list[Preview | None] = []
    for item, original in zip(content.items, originals, strict=True):
        previews.append(make_preview(original.path, item.content_type, workdir / f"view-{item.index:02d}.jpg"))
    base = content.base_name
    docx_path = workdir / f"{base}.docx"
    pdf_path = workdir / f"{base}.pdf"
    write_docx(content, previews, docx_path, label)
    write_pdf(content, previews, pdf_path, label)
    for preview in previews:
        if preview is not None:
            preview.path.unlink()
    documents = [hashed(docx_path, docx_path.name), hashed(pdf_path, pdf_path.name)]
    manifest_path = workdir / MANIFEST
    manifest_path.write_bytes(manifest(content, documents))
    listed = [*documents, hashed(manifest_path, MANIFEST), *originals]
    sums_path = workdir / SUMS
    sums_path.write_bytes(sha256sums((h.archive_name, h.sha256) for h in listed))
    zip_path = workdir / f"{base}.zip"
    write_zip(zip_path, base, [*listed, hashed(sums_path, SUMS)], content.as_of.timetuple()[:6])
    files = (
        _file("zip", zip_path, ZIP),
        _file("docx", docx_path, DOCX),
        _file("pdf", pdf_path, PDF),
    )
    return BuiltPack(files, tuple(originals))


def _file(kind: str, path: Path, content_type: str) -> PackFile:
    h = hashed(path, path.name)
    return PackFile(kind, path, path.name, content_type, h.sha256, h.size)


def write_zip(target: Path, folder: str, entries: list[Hashed], stamp: tuple[int, ...]) -> None:
    """A ZIP of the files under one folder, stored (not deflated: images and .docx are already
    compressed), streamed from disk, each entry stamped with the same time so the bytes repeat."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(f"{folder}/{entry.archive_name}", date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.file_size = entry.size
            with entry.path.open("rb") as source, archive.open(info, "w", force_zip64=entry.size > 2**31) as sink:
                shutil.copyfileobj(source, sink, CHUNK)
