"""Is this ZIP file a Word document? Judged by its bytes, never by its name, and never unpacked.

The guideline suggests putting the screenshot into a Word document, so `.docx` is evidence. A
`.docx` is a ZIP with `[Content_Types].xml` and `word/document.xml` entries. Only the ZIP's central
directory (the table of contents at the end of the file) is read, from the file or from the last
bytes of a download kept as it streams past (`TAIL_BYTES`), with hard bounds on its size and
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
# The end record, its longest comment and the largest directory allowed before it.
TAIL_BYTES = MAX_DIRECTORY_BYTES + _EOCD_SIZE + _MAX_COMMENT
_REQUIRED = frozenset({"[Content_Types].xml", "word/document.xml"})


def zip_entry_names(path: str) -> set[str] | None:
    """The entry names in a ZIP file's central directory (see `zip_entry_names_in_tail`)."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    return zip_entry_names_in_tail(tail, size)


def zip_entry_names_in_tail(tail: bytes, size: int) -> set[str] | None:
    """The entry names in the central directory, read from the last bytes of a ZIP of `size`
    bytes (a download keeps the last TAIL_BYTES as they stream past), or None if it is not a
    plain, single-disk ZIP within the bounds (ZIP64, split archives, oversized directories and
    directories that do not lie in the tail are refused)."""
    start = size - len(tail)  # where the tail starts in the file
    window = len(tail) - min(len(tail), _EOCD_SIZE + _MAX_COMMENT)
    at = _find_eocd(tail[window:])
    if at < 0:
        return None
    at += window
    disk, cd_disk, on_disk, total, cd_size, cd_offset = struct.unpack_from("<HHHHII", tail, at + 4)
    if disk or cd_disk or on_disk != total or total > MAX_ENTRIES or cd_size > MAX_DIRECTORY_BYTES:
        return None
    if cd_offset < start or cd_offset + cd_size > start + at:
        return None
    return _names(tail[cd_offset - start : cd_offset - start + cd_size], total)


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
    return _is_word(zip_entry_names(path))


def is_docx_tail(tail: bytes, size: int) -> bool:
    """`is_docx` for a download: its last TAIL_BYTES (or all of it, if shorter) and its size."""
    return _is_word(zip_entry_names_in_tail(tail, size))


def _is_word(names: set[str] | None) -> bool:
    return names is not None and names >= _REQUIRED
