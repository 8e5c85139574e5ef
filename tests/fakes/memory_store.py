"""A dict-backed fake of the evidence half of the Store interface (put/get meta/read).

Honest about what matters to callers: create-only names (AlreadyExists, never an overwrite) and
the bytes kept exactly as streamed. Tests assert on `evidence` and `meta` directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.errors import AlreadyExists, NotFound
from bot.storage.store import EvidenceMeta, check_name


class MemoryEvidenceStore:
    def __init__(self) -> None:
        self.evidence: dict[str, bytes] = {}
        self.meta: dict[str, EvidenceMeta] = {}
        self.put_attempts = 0

    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        check_name(name)
        self.put_attempts += 1
        if name in self.evidence:
            raise AlreadyExists(name)
        data = bytearray()
        async for chunk in source:
            data += chunk
        if name in self.evidence:  # another writer won while we were reading the source
            raise AlreadyExists(name)
        self.evidence[name] = bytes(data)
        self.meta[name] = meta

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None:
        return self.meta.get(name)

    async def delete_evidence(self, name: str) -> None:
        self.evidence.pop(name, None)
        self.meta.pop(name, None)

    async def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        if name not in self.evidence:
            raise NotFound(name)
        yield self.evidence[name]
