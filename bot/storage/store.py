"""The one storage interface. Everything the bot persists goes through it.

Two implementations: `bot.storage.blob.BlobStore` (Azure Blob Storage, aio client) and
`bot.storage.local.LocalStore` (a folder; safe across threads and processes on one machine).
The same contract suite (tests/contract) runs unchanged against both.

Names are '/'-separated, built by code only (never from user input), e.g. `cases/{id}.json`.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

# Azure blob index tags: at most 10 per blob, keys 1..128 and values 0..256 characters from this set.
# Both stores enforce it, so code that works locally cannot fail on Azure.
MAX_TAGS = 10
_TAG_CHARS = re.compile(r"[A-Za-z0-9 +\-./:=_]*")
_NAME_CHARS = re.compile(r"[A-Za-z0-9!$&'()+,\-.:;=@_~/]+")


def check_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Validate index tags (ValueError if Azure would refuse them) and return a plain copy."""
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    for key, value in tags.items():
        check_tag(key, value)
    return dict(tags)


def check_tag(key: str, value: str) -> None:
    if not isinstance(key, str) or not isinstance(value, str):
        raise ValueError("tag keys and values must be strings")
    if not 1 <= len(key) <= 128 or not _TAG_CHARS.fullmatch(key):
        raise ValueError(f"bad tag key {key!r}")
    if len(value) > 256 or not _TAG_CHARS.fullmatch(value):
        raise ValueError(f"bad tag value for {key!r}")


def check_name(name: str) -> str:
    """Validate a storage name: '/'-separated, no empty, '.'-leading or '..' segments.

    Names are built by code, but a bug must never let one escape the local root or collide
    with the local store's hidden bookkeeping folders (which start with '.').
    """
    if not name or len(name) > 1024 or not _NAME_CHARS.fullmatch(name):
        raise ValueError(f"bad storage name {name!r}")
    for part in name.split("/"):
        if not part or part.startswith("."):
            raise ValueError(f"bad storage name {name!r}")
    return name


@dataclass(frozen=True)
class Document:
    """A JSON document as read, with the ETag to send back on the next write."""

    data: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class EvidenceMeta:
    """What is kept beside each evidence file. Complete enough for a later evidence pack."""

    sha256: str
    size: int
    content_type: str
    original_name: str
    uploaded_by: str
    uploaded_at: datetime  # UTC


@dataclass(frozen=True)
class Staged:
    """What an `EvidenceUpload` received: the SHA-256 (hex) and length of exactly those bytes."""

    sha256: str
    size: int


class EvidenceUpload(Protocol):
    """Evidence bytes on their way into the store, under no name yet.

    Evidence is named by its SHA-256, which is known only when the last byte has arrived, so the
    bytes are staged first (a temp file in the store's folder; uncommitted blocks on Azure) and
    hashed as they go; `commit` then puts them under their name, create-only. Until then nobody
    can read them, and `abort` drops them. Memory stays one or two buffers whatever the size.
    Use it as: write ... finish, then commit or abort; `abort` in a `finally` is always safe.
    """

    async def write(self, data: bytes) -> None:
        """Append bytes (buffered; the store writes them in blocks of its own size)."""

    async def finish(self) -> Staged:
        """Flush what is buffered and return the hash and size of everything written. No more
        writes after this; call it once, before `commit`."""

    async def commit(self, name: str, meta: EvidenceMeta) -> None:
        """Create `name` from the staged bytes with `meta` beside them, create-only: AlreadyExists
        if the name is taken (the staged bytes are then dropped). `meta.sha256` and `meta.size`
        must be what `finish` returned (ValueError otherwise): the name and meta describe the
        bytes actually stored."""

    async def abort(self) -> None:
        """Drop the staged bytes. Idempotent; a no-op after a successful commit."""


@dataclass(frozen=True)
class Lease:
    name: str
    owner: str
    expires_at: datetime
    token: str = field(default="", compare=False)


class Store(Protocol):
    # -- JSON documents with optimistic concurrency ---------------------------------------
    async def get(self, name: str) -> Document | None:
        """Read a document, or None when it does not exist."""

    async def put(
        self,
        name: str,
        data: Mapping[str, Any],
        *,
        etag: str | None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """Write a document and return its new ETag.

        etag=None means create-only (raises AlreadyExists if the name is taken);
        otherwise the write succeeds only if the stored ETag still equals `etag` (else Conflict,
        also when the document was deleted meanwhile). `tags` replace the document's index tags
        atomically with the write (at most 10; keys and values [A-Za-z0-9 +-./:=_], values <= 256);
        None means no tags, as with a blob upload.
        """

    async def delete(self, name: str, *, etag: str | None = None) -> None:
        """Delete a document (no-op if absent). With etag, only if it still matches."""

    async def find(
        self,
        equals: Mapping[str, str],
        *,
        at_most: Mapping[str, str] | None = None,
        at_least: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Names of documents whose tags equal every `equals` pair and whose tag values are
        <= each `at_most` value and >= each `at_least` value (string order; use ISO UTC
        timestamps). Uses the index: the cost grows with the answer, never with the whole store.
        At least one condition is required.

        On Azure, Find Blobs by Tags is eventually consistent: a fresh write may show up (or a
        changed tag drop out) a moment late. Treat the answer as candidates: `get` each one and
        check its data before acting (the local store answers exactly)."""

    async def list(self, prefix: str) -> list[str]:
        """Names under a prefix (for small, bounded prefixes such as one case's evidence)."""

    async def purge(self, prefix: str) -> int:
        """Delete for good everything whose name starts with `prefix` that is not an indexed
        document: evidence and its metadata, audit logs, built packs (retention, a person's
        request). On Azure also every previous version, so nothing waits for the lifecycle rule;
        soft delete still keeps a deleted blob for the account's soft-delete days. Returns how
        many objects went. Idempotent: a second call finds nothing."""

    # -- write-once evidence ----------------------------------------------------------------
    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        """Store bytes once. Raises AlreadyExists if the name is taken; never overwrites."""

    def begin_evidence(self) -> EvidenceUpload:
        """Start write-once evidence whose name is known only at the end (see EvidenceUpload).
        Does no I/O until the first block is written."""

    async def sweep_staged_evidence(self, older_than: timedelta) -> int:
        """Remove staged evidence a crashed process left behind, older than `older_than` (longer
        than any upload may take, so another instance's upload in progress is never touched).
        Run at start-up; returns how many went. Locally: temp files in the store's folder. On
        Azure: uncommitted blocks are never visible and the service drops them after 7 days; what
        can be left is a staging blob committed just before a crash, and those go here."""

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None: ...

    async def delete_evidence(self, name: str) -> None:
        """Remove a file and its metadata (no-op if absent). Only for evidence that never became
        part of a case: a draft's files when the draft is cancelled or expires, or a file the case
        refused. Write-once means never overwritten, not never deleted (retention deletes too)."""

    def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        """Stream the stored bytes (raises NotFound)."""

    async def evidence_read_url(self, name: str, minutes: int) -> str | None:
        """A short-lived, read-only URL for the bytes (Azure SAS), or None when the store cannot
        make one (local folder, or no key/delegation available): then serve the bytes yourself."""

    # -- append-only audit -------------------------------------------------------------------
    async def append_audit(self, case_id: str, entry: Mapping[str, Any]) -> None:
        """Append one JSON line to `audit/{case_id}.log`. Never rewrites earlier lines."""

    async def append_audit_lines(self, case_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
        """Append several JSON lines, in order, in one request (one append block, one fsync): a
        delivery round's lines cost one store call, not one each. Nothing for no entries. Lines
        of other writers never land between them (up to 4 MiB of lines, Azure's block size); a
        failure may leave a prefix of them appended, as one-by-one appends would (readers drop
        a repeated line by its id)."""

    async def read_audit(self, case_id: str) -> builtins.list[dict[str, Any]]:
        """All lines, in append order."""

    # -- leases for singleton jobs -----------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: int) -> Lease | None:
        """Take `locks/{name}` for `seconds` (15..60), or None if someone else holds it.
        An expired lease can be taken by anyone; the holder may re-acquire (renew)."""

    async def release_lease(self, lease: Lease) -> None: ...

    async def close(self) -> None: ...
