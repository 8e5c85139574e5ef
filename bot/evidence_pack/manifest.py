"""`manifest.json` and `SHA256SUMS` for the pack's ZIP.

`SHA256SUMS` is in the format `sha256sum -c` reads (`<hex>  <path>`), so anyone can check the
files with a standard tool. The manifest carries no build time: for an unchanged case it is the
same bytes every time.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evidence_pack.content import PackContent

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Hashed:
    """A file of the pack: where it is on disk, its path in the ZIP, and its hash."""

    path: Path
    archive_name: str
    sha256: str
    size: int


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    """A file's bytes in chunks, read off the event loop (to stream a built file into the store)."""
    file = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(file.read, CHUNK):
            yield chunk
    finally:
        await asyncio.to_thread(file.close)


def hashed(path: Path, archive_name: str) -> Hashed:
    sha, size = sha256_file(path)
    return Hashed(path, archive_name, sha, size)


def manifest(content: PackContent, documents: Iterable[Hashed]) -> bytes:
    body: dict[str, Any] = {
        "format": "kraenkelser-evidence-pack/1",
        "case_id": content.case_id,
        "case_number": content.number,
        "as_of": content.as_of.isoformat(),
        "language": content.language,
        "originals": [
            {
                "path": item.archive_name,
                "sha256": item.sha256,
                "size": item.size,
                "content_type": item.content_type,
                "original_name": item.original_name,
                "uploaded_by": item.uploader,
                "uploaded_at": item.uploaded_at.isoformat(),
                "seen_at": item.seen_at,
            }
            for item in content.items
        ],
        "documents": [{"path": d.archive_name, "sha256": d.sha256, "size": d.size} for d in documents],
    }
    return (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def sha256sums(entries: Iterable[tuple[str, str]]) -> bytes:
    """Lines `<sha256>  <path>` for (path, sha256) pairs; paths hold no newline or backslash."""
    lines = []
    for path, sha in entries:
        if "\n" in path or "\\" in path:
            raise ValueError("path not fit for SHA256SUMS")
        lines.append(f"{sha}  {path}\n")
    return "".join(lines).encode()
