"""A dict-backed fake of the evidence half of the Store interface (put/begin/get meta/read), and
the staged upload both in-memory stores use (`MemoryUpload`).

Honest about what matters to callers: create-only names (AlreadyExists, never an overwrite), the
bytes kept exactly as streamed, and a staged upload's hash and size computed from those bytes.
Tests assert on `evidence` and `meta` directly, and on `staged` (uploads begun but neither
committed nor aborted: must be empty after every ingest, accepted or refused).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from bot.errors import AlreadyExists, NotFound
from bot.storage.store import EvidenceMeta, Staged, check_name

Create = Callable[[str, bytes, EvidenceMeta], Awaitable[None]]


class MemoryUpload:
    """Staged evidence in memory: the bytes are kept in a buffer (a fake: its memory is not flat)
    and go into the store only through `create` at the commit."""

    def __init__(self, create: Create, staged: set[MemoryUpload]) -> None:
        self._create = create
        self._staged = staged
        self._data = bytearray()
        self._finished = False
        self.started = time.monotonic()
        staged.add(self)

    async def write(self, data: bytes) -> None:
        if self._finished or self not in self._staged:
            raise RuntimeError("this upload takes no more bytes")
        self._data += data

    async def finish(self) -> Staged:
        self._finished = True
        return Staged(hashlib.sha256(self._data).hexdigest(), len(self._data))

    async def commit(self, name: str, meta: EvidenceMeta) -> None:
        check_name(name)
        staged = await self.finish()
        if (meta.sha256, meta.size) != (staged.sha256, staged.size):
            raise ValueError("the metadata does not describe the staged bytes")
        try:
            await self._create(name, bytes(self._data), meta)
        finally:
            self._staged.discard(self)

    async def abort(self) -> None:
        self._staged.discard(self)


def sweep(staged: set[MemoryUpload], older_than: timedelta) -> int:
    """Drop uploads begun longer ago than `older_than` (what a crash would have left)."""
    cutoff = time.monotonic() - older_than.total_seconds()
    old = {upload for upload in staged if upload.started <= cutoff}
    staged -= old
    return len(old)


class MemoryEvidenceStore:
    def __init__(self) -> None:
        self.evidence: dict[str, bytes] = {}
        self.meta: dict[str, EvidenceMeta] = {}
        self.staged: set[MemoryUpload] = set()
        self.put_attempts = 0

    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        check_name(name)
        if name in self.evidence:
            self.put_attempts += 1
            raise AlreadyExists(name)
        data = bytearray()
        async for chunk in source:
            data += chunk
        await self._create(name, bytes(data), meta)

    async def _create(self, name: str, data: bytes, meta: EvidenceMeta) -> None:
        self.put_attempts += 1
        if name in self.evidence:  # another writer won while we were reading the source
            raise AlreadyExists(name)
        self.evidence[name] = data
        self.meta[name] = meta

    def begin_evidence(self) -> MemoryUpload:
        return MemoryUpload(self._create, self.staged)

    async def sweep_staged_evidence(self, older_than: timedelta) -> int:
        return sweep(self.staged, older_than)

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None:
        return self.meta.get(name)

    async def delete_evidence(self, name: str) -> None:
        self.evidence.pop(name, None)
        self.meta.pop(name, None)

    async def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        if name not in self.evidence:
            raise NotFound(name)
        yield self.evidence[name]
