"""Evidence intake streaming into each real store (a folder, Azurite): an accepted file is
committed under its hash; a refused one, mid-stream or at the end, leaves nothing anyone can see.

On Azurite a refusal after the first blocks were staged leaves uncommitted blocks on a staging
blob: listed only when a listing asks for uncommitted blobs, readable by nobody, dropped by the
service after 7 days. The test shows both halves, so it would fail if the bytes were buffered
elsewhere or if anything were committed.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import EvidenceRejected
from bot.intake.evidence import EvidenceIntake, Limits
from bot.storage import names
from bot.storage.blob import BlobStore
from bot.storage.local import LocalStore
from bot.storage.store import Store
from tests.fakes.file_host import PNG, FakeFileHost, FakeHostPolicy

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
MB = 1024 * 1024


@pytest.fixture
async def host() -> AsyncIterator[FakeFileHost]:
    async with FakeFileHost(slow_seconds=3.0) as h:
        yield h


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _intake(store: Store, host: FakeFileHost) -> EvidenceIntake:
    return EvidenceIntake(store, FakeHostPolicy(host.url("/")), Limits(max_bytes=10 * MB, read_timeout=0.5))


def _file(url: str) -> dict[str, object]:
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": "skærmbillede.png",
        "content": {"downloadUrl": url},
    }


async def _visible(store: Store) -> list[str]:
    names = await store.list("")
    if isinstance(store, LocalStore):
        names += [f".tmp/{p.name}" for p in (store._root / ".tmp").glob("*")]
    return names


async def _uncommitted(store: Store) -> list[str]:
    """Blobs that exist only as uncommitted blocks (Azure); none for the local store."""
    if not isinstance(store, BlobStore):
        return []
    return [
        item.name
        async for item in store._container.list_blobs(include=["uncommittedblobs"])
        if item.name not in await store.list("")
    ]


async def test_a_large_file_streams_in_and_is_committed_under_its_hash(store: Store, host: FakeFileHost) -> None:
    size = 9 * MB + 123  # more than two blob blocks, nine local ones, an odd tail
    stored = await _intake(store, host).ingest(_file(host.url(f"/sized/{size}")), "case1", "aad-1", NOW)
    assert stored is not None
    data = b"".join([chunk async for chunk in store.read_evidence(stored.name)])
    assert len(data) == size and data.startswith(PNG[:8])
    assert stored.name == f"evidence/case1/{hashlib.sha256(data).hexdigest()}"
    assert await store.get_evidence_meta(stored.name) == stored.meta
    assert await _visible(store) == [stored.name]


async def test_a_word_document_is_checked_from_the_streamed_tail(store: Store, host: FakeFileHost) -> None:
    padding = bytes(range(256)) * 20000  # 5 MB stored before the directory
    word = _zip({"[Content_Types].xml": b"<Types/>", "padding.bin": padding, "word/document.xml": b"x"})
    host.custom["word"] = (word, {"Content-Type": "application/octet-stream"})
    stored = await _intake(store, host).ingest(_file(host.url("/custom/word")), "case1", "aad-1", NOW)
    assert stored is not None and stored.meta.content_type.endswith("wordprocessingml.document")
    assert await _visible(store) == [stored.name]


REFUSED = [
    ("/oversize/chunked/12000000", "evidence.too_large", True),  # stopped mid-stream, blocks already staged
    ("/files/notes.png", "evidence.bad_type", False),  # refused on its first bytes
    ("/custom/sheet", "evidence.bad_type", True),  # a ZIP that is not a Word document: refused at the end
    ("/slow/body", "evidence.timeout", False),  # the host stalls half-way
]


@pytest.mark.parametrize(("path", "reason", "staged"), REFUSED)
async def test_a_refused_file_is_never_committed_and_leaves_nothing_visible(
    store: Store, host: FakeFileHost, path: str, reason: str, staged: bool
) -> None:
    sheet = _zip({"[Content_Types].xml": b"<Types/>", "xl/data.bin": bytes(range(256)) * 24000})  # 6 MB
    host.custom["sheet"] = (sheet, {"Content-Type": "application/octet-stream"})
    with pytest.raises(EvidenceRejected) as refused:
        await _intake(store, host).ingest(_file(host.url(path)), "case1", "aad-1", NOW)
    assert refused.value.reason == reason
    assert await _visible(store) == []
    if isinstance(store, BlobStore) and staged:
        [left] = await _uncommitted(store)  # the bytes did stream into the store: as uncommitted blocks
        assert left.startswith("staging/")


@pytest.mark.azurite
async def test_a_staging_blob_committed_just_before_a_crash_is_swept(azurite: str) -> None:
    """The one leftover Azure can show: a crash between committing the staging blob and deleting
    it after the copy. The start-up sweep removes it once it is older than any upload."""
    store = BlobStore.from_connection_string(azurite, f"t{uuid.uuid4().hex[:24]}")
    await store.ensure_container()
    try:
        await store._container.get_blob_client(names.staging("left-by-a-crash")).upload_blob(PNG)
        assert await store.sweep_staged_evidence(timedelta(minutes=6)) == 0  # young: may be in use
        assert await store.list("") == [names.staging("left-by-a-crash")]
        assert await store.sweep_staged_evidence(timedelta(0)) == 1
        assert await store.list("") == []
    finally:
        await store.close()
