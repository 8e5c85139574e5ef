"""Staged evidence in the local store: a temp file in the store's own `.tmp` folder, hashed while it
is written, then hard-linked into place create-only (`os.link` fails if the name exists).

The temp file is on the store's file system, so the link is a rename in all but name: the bytes
are written once. A crash leaves the temp file behind; `sweep_temp_files` removes it at the next
start (LocalStore.sweep_staged_evidence).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from bot.storage import local_files as lf
from bot.storage.staging import BlockPipeline
from bot.storage.store import EvidenceMeta

BLOCK_BYTES = 1024 * 1024  # one worker-thread call per MiB: hash it, write it

CommitSync = Callable[[str, Path, EvidenceMeta], None]


class LocalEvidenceUpload(BlockPipeline):
    def __init__(self, tmp_dir: Path, commit_sync: CommitSync) -> None:
        """`commit_sync(name, temp path, meta)` links the finished file into place under the
        name's lock (blocking; it is LocalStore's)."""
        super().__init__(BLOCK_BYTES, overlap=False)
        self._tmp_dir = tmp_dir
        self._commit_sync = commit_sync
        self._path: Path | None = None
        self._file: BinaryIO | None = None
        self._written = 0

    async def store_block(self, index: int, chunks: list[bytes]) -> None:
        await asyncio.to_thread(self._write_block, chunks)

    def _write_block(self, chunks: list[bytes]) -> None:
        if self._file is None:
            self._path = lf.temp_path(self._tmp_dir)
            self._file = open(self._path, "xb", buffering=0)  # noqa: SIM115 - closed by _seal_sync or _discard_sync
        # One buffer: each call below lets go of the GIL and must win it back from the event loop,
        # which may hold it for a switch interval (5 ms); per chunk that would be 16 waits a block.
        block = b"".join(chunks)
        chunks.clear()
        self.hasher.update(block)  # hashlib lets go of the GIL on large buffers
        fd = self._file.fileno()
        lf.write_all(fd, [block])
        # Start writing this block to disk now (Linux starts write-back for dirty pages on this
        # advice, without waiting), so the fsync at the end finds little left to do; the bytes
        # are not read again soon, so they need not stay cached either.
        written = len(block)
        os.posix_fadvise(fd, self._written, written, os.POSIX_FADV_DONTNEED)
        self._written += written

    async def seal(self) -> None:
        await asyncio.to_thread(self._seal_sync)

    def _seal_sync(self) -> None:
        if self._file is not None:
            os.fsync(self._file.fileno())  # the receipt the user gets must survive a power cut
            self._file.close()

    async def commit(self, name: str, meta: EvidenceMeta) -> None:
        await self.finish()
        self.check_meta(meta)
        assert self._path is not None  # finish wrote at least one (maybe empty) block
        try:
            await asyncio.to_thread(self._commit_sync, name, self._path, meta)
        finally:
            await self._close()

    async def abort(self) -> None:
        if not self.closed:
            await self.settle()
            await self._close()

    async def _close(self) -> None:
        self.closed = True
        await asyncio.to_thread(self._discard_sync)

    def _discard_sync(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._path)


def sweep_temp_files(tmp_dir: Path, cutoff: float) -> int:
    """Remove temp files last written before `cutoff` (a Unix time): what a crashed process left.
    Blocking: call it in a thread. Returns how many were removed."""
    removed = 0
    for entry in lf.scan_dir(tmp_dir):
        if not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(FileNotFoundError):
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.remove(entry.path)
                removed += 1
    return removed
