"""Is this ZIP file a Word document? Judged by its bytes, never by its name, and never unpacked.

The guideline suggests putting the screenshot into a Word document, so `.docx` is evidence. A
`.docx` is a ZIP with `[Content_Types].xml` and `word/document.xml` entries. Only the ZIP's central
directory (the table of contents at the end of the file) is read, with hard bounds on its size and
entry count; no entry is ever decompressed, so a ZIP bomb costs nothing.
"""

from __future__ import annotations

import os
import struct

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_MAGIC = b"PK\x03\x04"

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_ENTRY = b"PK\x01\x02"
_ENTRY_SIZE = 46
MAX_DIRECTORY_BYTES = 1024 * 1024
MAX_ENTRIES = 5000
_REQUIRED = frozenset({"[Content_Types].xml", "word/document.xml"})


def zip_entry_names(path: str) -> set[str] | None:
    """The entry names in the ZIP's central directory, or None if it is not a plain, single-disk
    ZIP within the bounds (ZIP64, split archives and oversized directories are refused)."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        tail_len = min(size, _EOCD_SIZE + _MAX_COMMENT)
        handle.seek(size - tail_len)
        tail = handle.read(tail_len)
        at = _find_eocd(tail)
        if at < 0:
            return None
        disk, cd_disk, on_disk, total, cd_size, cd_offset = struct.unpack_from("<HHHHII", tail, at + 4)
        eocd_offset = size - tail_len + at
        if disk or cd_disk or on_disk != total or total > MAX_ENTRIES or cd_size > MAX_DIRECTORY_BYTES:
            return None
        if cd_offset + cd_size > eocd_offset:
            return None
        handle.seek(cd_offset)
        directory = handle.read(cd_size)
    return _names(directory, total)


def _find_eocd(tail: bytes) -> int:
    """The end-of-central-directory record whose comment runs exactly to the end of the file
    (a signature inside the comment is skipped), or -1."""
    at = tail.rfind(_EOCD)
    while at >= 0:
        if at + _EOCD_SIZE <= len(tail) and at + _EOCD_SIZE + struct.unpack_from("<H", tail, at + 20)[0] == len(tail):
            return at
        at = tail.rfind(_EOCD, 0, at)
    return -1


def _names(directory: bytes, total: int) -> set[str] | None:
    names: set[str] = set()
    pos = 0
    for _ in range(total):
        if directory[pos : pos + 4] != _ENTRY or pos + _ENTRY_SIZE > len(directory):
            return None
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, pos + 28)
        end = pos + _ENTRY_SIZE + name_len
        if end > len(directory):
            return None
        names.add(directory[pos + _ENTRY_SIZE : end].decode("utf-8", "replace"))
        pos = end + extra_len + comment_len
    return names


def is_docx(path: str) -> bool:
    names = zip_entry_names(path)
    return names is not None and names >= _REQUIRED
