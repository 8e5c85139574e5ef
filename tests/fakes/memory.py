"""The whole `Store` in memory: documents with ETags, tags and find, write-once evidence (direct
or staged and committed), audit logs, leases and purge. It passes the same contract suite as the local and blob stores
(tests/contract/test_store_contract.py), so a service tested against it behaves as it will on them.

Why it is honest about races: every operation yields to the event loop once before it looks at
the data (as a real store's I/O would), then checks and writes without yielding, so two writers
that read the same ETag really race and exactly one wins. Data goes in and out as JSON (a copy:
a caller changing what it wrote or read changes nothing stored, and what JSON cannot hold fails
here as it would on disk).

Tests may look inside (`documents`, `evidence`, `meta`, `audit`, `staged`: uploads begun but
neither committed nor aborted, `put_attempts`: evidence writes that reached it) and may make the next calls of an
operation fail (`fail_next`), as a store that is down would.
"""

from __future__ import annotations

import asyncio
import builtins
import collections
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import AlreadyExists, Conflict, NotFound
from bot.storage import names
from bot.storage.store import Document, EvidenceMeta, Lease, Staged, check_name, check_tag, check_tags

CHUNK = 64 * 1024  # evidence is read back in chunks of this size, as the real stores stream it

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


@dataclass
class _Doc:
    raw: str  # the data as JSON text
    etag: str
    tags: dict[str, str]


@dataclass
class _Held:
    owner: str
    expires_at: datetime
    token: str


class StoreDown(ConnectionError):
    """Raised by an operation the test told to fail (`fail_next`)."""


class MemoryStore:
    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        """`clock` is the time leases are counted in (tests move it by hand); the wall clock by default."""
        self._now = clock or (lambda: datetime.now(UTC))
        self.documents: dict[str, _Doc] = {}
        self.evidence: dict[str, bytes] = {}
        self.meta: dict[str, EvidenceMeta] = {}
        self.staged: set[MemoryUpload] = set()  # begun, neither committed nor aborted
        self.put_attempts = 0  # evidence writes that reached the store (direct or committed)
        self.audit: dict[str, list[str]] = {}  # log id -> JSON lines
        self.leases: dict[str, _Held] = {}
        self.closed = False
        self._failing: dict[str, int] = {}
        self.requests: collections.Counter[str] = collections.Counter()  # operation -> calls (round trips)

    # -- for tests ------------------------------------------------------------------------------
    def fail_next(self, operation: str, times: int = 1) -> None:
        """Make the next `times` calls of `operation` (a method name) raise StoreDown."""
        self._failing[operation] = self._failing.get(operation, 0) + times

    def data(self, name: str) -> dict[str, Any] | None:
        """A document's data as stored (a copy), without the store's yield."""
        doc = self.documents.get(name)
        return None if doc is None else _loads(doc.raw)

    def tags(self, name: str) -> dict[str, str] | None:
        doc = self.documents.get(name)
        return None if doc is None else dict(doc.tags)

    def names(self) -> builtins.list[str]:
        """Every name that exists: documents, evidence, audit logs and leases."""
        every = set(self.documents) | set(self.evidence)
        every |= {names.audit_log(log_id) for log_id, lines in self.audit.items() if lines}
        every |= {names.lease(name) for name in self.leases}
        return sorted(every)

    async def _turn(self, operation: str) -> None:
        self.requests[operation] += 1
        await asyncio.sleep(0)  # another task may run here, as during a real store's round trip
        left = self._failing.get(operation, 0)
        if left:
            self._failing[operation] = left - 1
            raise StoreDown(operation)

    # -- JSON documents with optimistic concurrency -------------------------------------------
    async def get(self, name: str) -> Document | None:
        check_name(name)
        await self._turn("get")
        doc = self.documents.get(name)
        return None if doc is None else Document(data=_loads(doc.raw), etag=doc.etag)

    async def put(
        self,
        name: str,
        data: Mapping[str, Any],
        *,
        etag: str | None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        check_name(name)
        new_tags = check_tags(tags or {})
        raw = json.dumps(dict(data), ensure_ascii=False)
        await self._turn("put")
        old = self.documents.get(name)
        if etag is None and old is not None:
            raise AlreadyExists(name)
        if etag is not None and (old is None or old.etag != etag):
            raise Conflict(name)
        new_etag = uuid.uuid4().hex
        self.documents[name] = _Doc(raw, new_etag, new_tags)
        return new_etag

    async def delete(self, name: str, *, etag: str | None = None) -> None:
        check_name(name)
        await self._turn("delete")
        old = self.documents.get(name)
        if old is None:
            return
        if etag is not None and old.etag != etag:
            raise Conflict(name)
        del self.documents[name]

    async def find(
        self,
        equals: Mapping[str, str],
        *,
        at_most: Mapping[str, str] | None = None,
        at_least: Mapping[str, str] | None = None,
    ) -> builtins.list[str]:
        upper, lower = dict(at_most or {}), dict(at_least or {})
        for key, value in [*equals.items(), *upper.items(), *lower.items()]:
            check_tag(key, value)
        if not equals and not upper and not lower:
            raise ValueError("find needs at least one condition")
        await self._turn("find")
        return sorted(
            name
            for name, doc in self.documents.items()
            if all(doc.tags.get(k) == v for k, v in equals.items())
            and all(k in doc.tags and doc.tags[k] <= v for k, v in upper.items())
            and all(k in doc.tags and doc.tags[k] >= v for k, v in lower.items())
        )

    async def list(self, prefix: str) -> builtins.list[str]:
        if prefix.rstrip("/"):
            check_name(prefix.rstrip("/"))
        await self._turn("list")
        return [name for name in self.names() if name.startswith(prefix)]

    async def purge(self, prefix: str) -> int:
        check_name(prefix.rstrip("/"))
        await self._turn("purge")
        gone = [name for name in self.names() if name.startswith(prefix)]
        for name in gone:
            self.documents.pop(name, None)
            self.evidence.pop(name, None)
            self.meta.pop(name, None)
            if name.startswith(names.AUDIT) and name.endswith(".log"):
                self.audit.pop(name.removeprefix(names.AUDIT).removesuffix(".log"), None)
            if name.startswith(names.LOCKS):
                self.leases.pop(name.removeprefix(names.LOCKS), None)
        return len(gone)

    # -- write-once evidence ----------------------------------------------------------------------
    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        check_name(name)
        self.put_attempts += 1
        await self._turn("put_evidence")
        if name in self.evidence:
            raise AlreadyExists(name)  # the early answer; the check below is the real one
        data = bytearray()
        async for chunk in source:
            data += chunk
        if name in self.evidence:  # another writer won while this one read its source
            raise AlreadyExists(name)
        self.evidence[name] = bytes(data)
        self.meta[name] = meta

    def begin_evidence(self) -> MemoryUpload:
        return MemoryUpload(self._commit_staged, self.staged)

    async def _commit_staged(self, name: str, data: bytes, meta: EvidenceMeta) -> None:
        self.put_attempts += 1
        await self._turn("commit_evidence")
        if name in self.evidence:
            raise AlreadyExists(name)
        self.evidence[name] = data
        self.meta[name] = meta

    async def sweep_staged_evidence(self, older_than: timedelta) -> int:
        return sweep(self.staged, older_than)

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None:
        check_name(name)
        await self._turn("get_evidence_meta")
        return self.meta.get(name) if name in self.evidence else None

    async def delete_evidence(self, name: str) -> None:
        check_name(name)
        await self._turn("delete_evidence")
        self.evidence.pop(name, None)
        self.meta.pop(name, None)

    async def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        check_name(name)
        await self._turn("read_evidence")
        if name not in self.evidence:
            raise NotFound(name)
        data = self.evidence[name]  # write-once: these are the bytes for the whole read
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
            await asyncio.sleep(0)

    async def evidence_read_url(self, name: str, minutes: int) -> str | None:
        return None  # like the local store: the web layer serves the bytes itself

    # -- append-only audit --------------------------------------------------------------------------
    async def append_audit(self, case_id: str, entry: Mapping[str, Any]) -> None:
        check_name(names.audit_log(case_id))
        line = json.dumps(dict(entry), ensure_ascii=False)
        await self._turn("append_audit")
        self.audit.setdefault(case_id, []).append(line)

    async def append_audit_lines(self, case_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
        check_name(names.audit_log(case_id))
        lines = [json.dumps(dict(entry), ensure_ascii=False) for entry in entries]
        if not lines:
            return
        await self._turn("append_audit")  # fails like one append (`fail_next("append_audit")`)
        self.audit.setdefault(case_id, []).extend(lines)

    async def read_audit(self, case_id: str) -> builtins.list[dict[str, Any]]:
        check_name(names.audit_log(case_id))
        await self._turn("read_audit")
        return [_loads(line) for line in self.audit.get(case_id, [])]

    # -- leases for singleton jobs --------------------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: int) -> Lease | None:
        """Any positive `seconds` is accepted here, as by the local store (Azure needs 15..60)."""
        if seconds <= 0:
            raise ValueError("lease seconds must be positive")
        check_name(names.lease(name))
        await self._turn("acquire_lease")
        now = self._now()
        current = self.leases.get(name)
        mine = current is not None and current.owner == owner
        if current is not None and not mine and current.expires_at > now:
            return None
        token = current.token if current is not None and mine else uuid.uuid4().hex
        expires_at = now + timedelta(seconds=seconds)
        self.leases[name] = _Held(owner, expires_at, token)
        return Lease(name=name, owner=owner, expires_at=expires_at, token=token)

    async def release_lease(self, lease: Lease) -> None:
        await self._turn("release_lease")
        current = self.leases.get(lease.name)
        if current is not None and current.token == lease.token:
            del self.leases[lease.name]

    async def close(self) -> None:
        self.closed = True


def _loads(raw: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data
