"""The Word check reads only a ZIP's central directory, within bounds, and refuses what it
cannot read cheaply: no EOCD, a split archive, too many entries, a directory past its end."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from bot.intake.docx_check import MAX_ENTRIES, is_docx, zip_entry_names


def zip_bytes(names: list[str], comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
        archive.comment = comment
    return out.getvalue()


def write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "f"
    path.write_bytes(data)
    return str(path)


def test_a_word_document_and_its_names(tmp_path: Path) -> None:
    path = write(tmp_path, zip_bytes(["[Content_Types].xml", "word/document.xml"], comment=b"PK\x05\x06 in a comment"))
    assert zip_entry_names(path) == {"[Content_Types].xml", "word/document.xml"}
    assert is_docx(path)


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04 only a local header and nothing else",
        zip_bytes(["word/document.xml"]),  # no content types
        zip_bytes(["[Content_Types].xml", "xl/workbook.xml"]),
        b"",
    ],
)
def test_anything_else_is_not_a_word_document(tmp_path: Path, data: bytes) -> None:
    assert not is_docx(write(tmp_path, data))


def eocd(total: int, size: int, offset: int, disk: int = 0) -> bytes:
    return b"PK\x05\x06" + struct.pack("<HHHHIIH", disk, 0, total, total, size, offset, 0)


@pytest.mark.parametrize(
    "tail",
    [
        eocd(MAX_ENTRIES + 1, 46, 0),  # too many entries
        eocd(1, 64 * 1024 * 1024, 0),  # a directory larger than the bound
        eocd(1, 46, 10_000),  # a directory past the end of the file
        eocd(1, 46, 0, disk=1),  # a split archive
        eocd(3, 46, 0),  # claims more entries than the directory holds
    ],
)
def test_a_hostile_directory_is_refused_without_reading_past_the_bounds(tmp_path: Path, tail: bytes) -> None:
    entry = b"PK\x01\x02" + bytes(24) + struct.pack("<HHH", 0, 0, 0) + bytes(12)
    assert zip_entry_names(write(tmp_path, entry + tail)) is None
