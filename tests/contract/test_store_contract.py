"""The Store contract, run unchanged against LocalStore and BlobStore (Azurite)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.errors import AlreadyExists, Conflict, NotFound
from bot.storage.local import LocalStore
from bot.storage.store import EvidenceMeta, EvidenceUpload, Staged, Store
from tests.fakes.memory import MemoryStore

# -- documents ----------------------------------------------------------------------------------


async def test_get_missing_is_none(store: Store) -> None:
    assert await store.get("cases/nope.json") is None


async def test_put_get_and_every_write_changes_the_etag(store: Store) -> None:
    first = await store.put("cases/a.json", {"n": 1, "name": "Åse Ærø"}, etag=None)
    doc = await store.get("cases/a.json")
    assert doc is not None
    assert doc.data == {"n": 1, "name": "Åse Ærø"}
    assert doc.etag == first
    second = await store.put("cases/a.json", {"n": 2}, etag=first)
    assert second != first
    doc = await store.get("cases/a.json")
    assert doc is not None and doc.data == {"n": 2} and doc.etag == second


async def test_create_only_refuses_an_existing_name(store: Store) -> None:
    await store.put("cases/a.json", {"n": 1}, etag=None)
    with pytest.raises(AlreadyExists):
        await store.put("cases/a.json", {"n": 99}, etag=None)
    doc = await store.get("cases/a.json")
    assert doc is not None and doc.data == {"n": 1}


async def test_stale_etag_conflicts_and_leaves_the_document(store: Store) -> None:
    first = await store.put("cases/a.json", {"n": 1}, etag=None)
    await store.put("cases/a.json", {"n": 2}, etag=first)
    with pytest.raises(Conflict):
        await store.put("cases/a.json", {"n": 3}, etag=first)
    doc = await store.get("cases/a.json")
    assert doc is not None and doc.data == {"n": 2}


async def test_write_with_etag_after_delete_conflicts(store: Store) -> None:
    etag = await store.put("cases/a.json", {"n": 1}, etag=None)
    await store.delete("cases/a.json")
    with pytest.raises(Conflict):
        await store.put("cases/a.json", {"n": 2}, etag=etag)
    assert await store.get("cases/a.json") is None


async def test_delete(store: Store) -> None:
    await store.delete("cases/absent.json")  # no-op
    first = await store.put("cases/a.json", {"n": 1}, etag=None)
    second = await store.put("cases/a.json", {"n": 2}, etag=first)
    with pytest.raises(Conflict):
        await store.delete("cases/a.json", etag=first)
    assert await store.get("cases/a.json") is not None
    await store.delete("cases/a.json", etag=second)
    assert await store.get("cases/a.json") is None
    await store.delete("cases/a.json", etag=second)  # already gone: still a no-op


async def test_two_racing_writers_exactly_one_wins(store: Store) -> None:
    etag = await store.put("cases/a.json", {"n": 0}, etag=None)
    results = await asyncio.gather(
        store.put("cases/a.json", {"n": 1, "by": "x"}, etag=etag),
        store.put("cases/a.json", {"n": 1, "by": "y"}, etag=etag),
        return_exceptions=True,
    )
    wins = [r for r in results if isinstance(r, str)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1
    doc = await store.get("cases/a.json")
    assert doc is not None and doc.etag == wins[0]


async def _increment(store: Store, name: str) -> int:
    """Read-modify-write with retry: the pattern every service uses after a Conflict."""
    conflicts = 0
    while True:
        doc = await store.get(name)
        assert doc is not None
        try:
            await store.put(name, {"n": doc.data["n"] + 1}, etag=doc.etag)
            return conflicts
        except Conflict:
            conflicts += 1


async def test_concurrent_incrementers_with_retry_all_land(store: Store) -> None:
    await store.put("counters/c.json", {"n": 0}, etag=None)
    conflicts = await asyncio.gather(*(_increment(store, "counters/c.json") for _ in range(20)))
    doc = await store.get("counters/c.json")
    assert doc is not None and doc.data["n"] == 20
    assert sum(conflicts) > 0  # the race really happened


async def test_list_by_prefix(store: Store) -> None:
    for name in ["cases/a.json", "cases/b.json", "med/u1/2025-1.json", "casesx.json"]:
        await store.put(name, {}, etag=None)
    assert await store.list("cases/") == ["cases/a.json", "cases/b.json"]
    assert await store.list("med/") == ["med/u1/2025-1.json"]
    assert await store.list("nothing/") == []


async def test_bad_names_are_refused(store: Store) -> None:
    for bad in ["../x.json", "/abs.json", "a//b.json", ".index/x", "cases/.hidden", ""]:
        with pytest.raises(ValueError):
            await store.put(bad, {}, etag=None)


# -- tags and find ------------------------------------------------------------------------------

LONG = "x/" * 100  # 200 characters with separators: forces the local store's hashed index names


async def test_find_by_one_and_two_tags(store: Store) -> None:
    await store.put("cases/a.json", {}, etag=None, tags={"status": "open", "leader": "L1"})
    await store.put("cases/b.json", {}, etag=None, tags={"status": "open", "leader": "L2"})
    await store.put("cases/c.json", {}, etag=None, tags={"status": "closed", "leader": "L1"})
    await store.put("cases/d.json", {}, etag=None, tags={"status": "open", "person": LONG})
    assert await store.find({"status": "open"}) == ["cases/a.json", "cases/b.json", "cases/d.json"]
    assert await store.find({"status": "open", "leader": "L1"}) == ["cases/a.json"]
    assert await store.find({"leader": "L3"}) == []
    assert await store.find({"person": LONG}) == ["cases/d.json"]


async def test_find_at_most_an_iso_timestamp(store: Store) -> None:
    due = {"a": "2025-03-01T08:00:00Z", "b": "2025-03-01T09:00:00Z", "c": "2025-03-02T00:00:00Z"}
    for key, when in due.items():
        await store.put(f"cases/{key}.json", {}, etag=None, tags={"status": "open", "due": when})
    await store.put("cases/z.json", {}, etag=None, tags={"status": "closed", "due": "2025-01-01T00:00:00Z"})
    found = await store.find({"status": "open"}, at_most={"due": "2025-03-01T09:00:00Z"})
    assert found == ["cases/a.json", "cases/b.json"]
    assert await store.find({"status": "open"}, at_most={"due": "2025-02-01T00:00:00Z"}) == []


async def test_find_at_least_and_between(store: Store) -> None:
    months = {"a": "2024-01", "b": "2025-06", "c": "2026-02", "d": "9999-12"}
    for key, month in months.items():
        await store.put(f"cases/{key}.json", {}, etag=None, tags={"kind": "case", "unit": "u1", "figures": month})
    await store.put("cases/e.json", {}, etag=None, tags={"kind": "case", "unit": "u2", "figures": "2026-03"})
    found = await store.find({"kind": "case", "unit": "u1"}, at_least={"figures": "2025-06"})
    assert found == ["cases/b.json", "cases/c.json", "cases/d.json"]
    assert await store.find({"kind": "case"}, at_least={"figures": "2026-03"}) == ["cases/d.json", "cases/e.json"]
    between = await store.find({"unit": "u1"}, at_least={"figures": "2025-01"}, at_most={"figures": "2026-02"})
    assert between == ["cases/b.json", "cases/c.json"]
    assert await store.find({"unit": "u3"}, at_least={"figures": "2000-01"}) == []


async def test_find_by_a_rare_tag_among_many_common_ones(store: Store) -> None:
    """Most documents share `kind`; few share a reporter. A tag moved away is no longer found."""
    for i in range(40):
        await store.put(f"cases/{i:02d}.json", {}, etag=None, tags={"kind": "case", "reporter": f"r{i % 20}"})
    assert await store.find({"kind": "case", "reporter": "r3"}) == ["cases/03.json", "cases/23.json"]
    found = await store.get("cases/23.json")
    assert found is not None
    await store.put("cases/23.json", {}, etag=found.etag, tags={"kind": "case", "reporter": "r4"})
    assert await store.find({"kind": "case", "reporter": "r3"}) == ["cases/03.json"]
    assert await store.find({"reporter": "r4", "kind": "case"}) == ["cases/04.json", "cases/23.json", "cases/24.json"]
    assert await store.find({"kind": "other", "reporter": "r4"}) == []


async def test_rewrite_replaces_tags_and_delete_unindexes(store: Store) -> None:
    etag = await store.put("cases/a.json", {}, etag=None, tags={"status": "open", "due": "2025-01-01"})
    etag = await store.put("cases/a.json", {}, etag=etag, tags={"status": "closed"})
    assert await store.find({"status": "open"}) == []
    assert await store.find({"status": "closed"}) == ["cases/a.json"]
    assert await store.find({"status": "closed"}, at_most={"due": "2099-01-01"}) == []
    etag = await store.put("cases/a.json", {}, etag=etag, tags=None)
    assert await store.find({"status": "closed"}) == []
    await store.put("cases/a.json", {}, etag=etag, tags={"status": "open"})
    await store.delete("cases/a.json")
    assert await store.find({"status": "open"}) == []


async def test_tags_outside_the_azure_charset_are_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.put("cases/a.json", {}, etag=None, tags={"status": "it's"})
    with pytest.raises(ValueError):
        await store.put("cases/a.json", {}, etag=None, tags={f"k{i}": "v" for i in range(11)})
    with pytest.raises(ValueError):
        await store.find({"status": "x' OR 'a'='a"})
    with pytest.raises(ValueError):
        await store.find({})
    assert await store.get("cases/a.json") is None


# -- evidence -----------------------------------------------------------------------------------


async def _chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _meta(data: bytes, name: str = "skærmbillede æøå 1.png") -> EvidenceMeta:
    return EvidenceMeta(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/png",
        original_name=name,
        uploaded_by="aad-object-id-1",
        uploaded_at=datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
    )


async def _read_all(store: Store, name: str) -> bytes:
    return b"".join([chunk async for chunk in store.read_evidence(name)])


async def test_evidence_is_write_once(store: Store) -> None:
    original = bytes(range(256)) * 300  # 76.8 kB, several chunks
    name = f"evidence/case1/{hashlib.sha256(original).hexdigest()}"
    await store.put_evidence(name, _chunks(original), _meta(original))
    with pytest.raises(AlreadyExists):
        await store.put_evidence(name, _chunks(b"other"), _meta(b"other", "x.png"))
    assert await _read_all(store, name) == original
    meta = await store.get_evidence_meta(name)
    assert meta == _meta(original)
    assert meta is not None and meta.sha256 == hashlib.sha256(original).hexdigest()
    assert await store.list("evidence/case1/") == [name]


async def test_evidence_of_a_discarded_draft_can_be_deleted(store: Store) -> None:
    original = b"draft screenshot"
    name = f"evidence/draft1/{hashlib.sha256(original).hexdigest()}"
    await store.put_evidence(name, _chunks(original), _meta(original))
    await store.delete_evidence(name)
    await store.delete_evidence(name)  # absent: a no-op
    assert await store.get_evidence_meta(name) is None
    assert await store.list("evidence/draft1/") == []
    with pytest.raises(NotFound):
        await _read_all(store, name)
    await store.put_evidence(name, _chunks(original), _meta(original))  # the name is free again
    assert await _read_all(store, name) == original


async def test_large_evidence_round_trips_byte_for_byte(store: Store) -> None:
    # Larger than two upload blocks of the blob store, with an odd tail, in uneven chunks.
    original = hashlib.sha256(b"seed").digest() * (9 * 1024 * 1024 // 32) + b"tail!"
    name = f"evidence/big/{hashlib.sha256(original).hexdigest()}"
    await store.put_evidence(name, _chunks(original, 1024 * 1024 + 7), _meta(original))
    assert await _read_all(store, name) == original


async def test_racing_evidence_writes_one_wins(store: Store) -> None:
    one, two = b"one" * 1000, b"two" * 1000
    results = await asyncio.gather(
        store.put_evidence("evidence/c/x", _chunks(one), _meta(one)),
        store.put_evidence("evidence/c/x", _chunks(two), _meta(two)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyExists", "NoneType"]
    stored = await _read_all(store, "evidence/c/x")
    assert stored in (one, two)
    meta = await store.get_evidence_meta("evidence/c/x")
    assert meta is not None and meta.sha256 == hashlib.sha256(stored).hexdigest()


# -- staged evidence: streamed in, named by its hash at the end, committed create-only ---------


async def _stage(store: Store, data: bytes, chunk: int = 64 * 1024 + 3) -> EvidenceUpload:
    upload = store.begin_evidence()
    for start in range(0, len(data), chunk):
        await upload.write(data[start : start + chunk])
    return upload


async def _visible(store: Store) -> list[str]:
    """Every name anyone can see: listings, and for the local store its temp folder as well."""
    names = await store.list("")
    if isinstance(store, LocalStore):
        names += [f".tmp/{p.name}" for p in (store._root / ".tmp").glob("*")]
    if isinstance(store, MemoryStore):
        names += ["(staged)"] * len(store.staged)
    return names


async def test_staged_evidence_is_hashed_and_committed_under_its_name(store: Store) -> None:
    original = hashlib.sha256(b"staged").digest() * (9 * 1024 * 1024 // 32) + b"odd tail"  # > 2 blocks
    upload = await _stage(store, original)
    assert await store.list("") == []  # nothing visible before the commit
    staged = await upload.finish()
    assert staged == Staged(hashlib.sha256(original).hexdigest(), len(original))
    name = f"evidence/case1/{staged.sha256}"
    await upload.commit(name, _meta(original))
    await upload.abort()  # after a commit: a no-op
    assert await _read_all(store, name) == original
    assert await store.get_evidence_meta(name) == _meta(original)  # content type and free text kept
    assert await _visible(store) == [name]  # no staging left


async def test_an_aborted_upload_leaves_nothing(store: Store) -> None:
    upload = await _stage(store, b"\x89PNG" + bytes(5 * 1024 * 1024))
    await upload.abort()
    await upload.abort()
    assert await _visible(store) == []
    with pytest.raises(RuntimeError):
        await upload.write(b"more")


async def test_an_empty_upload_can_be_committed(store: Store) -> None:
    upload = store.begin_evidence()
    staged = await upload.finish()
    await upload.commit(f"evidence/c/{staged.sha256}", _meta(b""))
    assert await _read_all(store, f"evidence/c/{staged.sha256}") == b""


async def test_a_staged_commit_never_overwrites(store: Store) -> None:
    first = b"first" * 1000
    await store.put_evidence("evidence/c/x", _chunks(first), _meta(first))
    upload = await _stage(store, b"second" * 1000)
    await upload.finish()
    with pytest.raises(AlreadyExists):
        await upload.commit("evidence/c/x", _meta(b"second" * 1000))
    await upload.abort()
    assert await _read_all(store, "evidence/c/x") == first
    assert await store.get_evidence_meta("evidence/c/x") == _meta(first)
    assert await _visible(store) == ["evidence/c/x"]


async def test_meta_that_does_not_describe_the_bytes_is_refused(store: Store) -> None:
    upload = await _stage(store, b"real bytes")
    await upload.finish()
    with pytest.raises(ValueError):
        await upload.commit("evidence/c/y", _meta(b"other bytes"))
    await upload.abort()
    assert await _visible(store) == []


@pytest.mark.parametrize("size", [3000, 5 * 1024 * 1024])
async def test_racing_staged_commits_one_wins(store: Store, size: int) -> None:
    one, two = (b"one" * size)[:size], (b"two" * size)[:size]
    uploads = [await _stage(store, one), await _stage(store, two)]
    await asyncio.gather(*(u.finish() for u in uploads))
    results = await asyncio.gather(
        uploads[0].commit("evidence/c/x", _meta(one)),
        uploads[1].commit("evidence/c/x", _meta(two)),
        return_exceptions=True,
    )
    await asyncio.gather(*(u.abort() for u in uploads))
    assert sorted(type(r).__name__ for r in results) == ["AlreadyExists", "NoneType"]
    stored = await _read_all(store, "evidence/c/x")
    assert stored == (one if results[0] is None else two)
    meta = await store.get_evidence_meta("evidence/c/x")
    assert meta is not None and meta.sha256 == hashlib.sha256(stored).hexdigest()
    assert await _visible(store) == ["evidence/c/x"]


async def test_a_staged_upload_and_a_direct_write_race_one_wins(store: Store) -> None:
    one, two = b"staged" * 2000, b"direct" * 2000
    upload = await _stage(store, one)
    await upload.finish()
    results = await asyncio.gather(
        upload.commit("evidence/c/z", _meta(one)),
        store.put_evidence("evidence/c/z", _chunks(two), _meta(two)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyExists", "NoneType"]
    assert await _read_all(store, "evidence/c/z") == (one if results[0] is None else two)
    assert await _visible(store) == ["evidence/c/z"]


async def test_the_sweep_removes_what_a_crash_left_and_nothing_in_use(store: Store) -> None:
    crashed = await _stage(store, b"\x89PNG" + bytes(2 * 1024 * 1024))
    await crashed.finish()  # then the process dies: neither commit nor abort
    assert await store.sweep_staged_evidence(timedelta(hours=1)) == 0  # young: may be in use
    in_use = await _stage(store, b"\x89PNG still arriving")
    await store.sweep_staged_evidence(timedelta(0))  # as if an hour had passed for every upload
    assert await _visible(store) == []
    await in_use.abort()


async def test_missing_evidence(store: Store) -> None:
    assert await store.get_evidence_meta("evidence/c/none") is None
    with pytest.raises(NotFound):
        await _read_all(store, "evidence/c/none")


async def test_evidence_read_url(store: Store) -> None:
    data = b"\x89PNG fake"
    await store.put_evidence("evidence/c/u", _chunks(data), _meta(data))
    url = await store.evidence_read_url("evidence/c/u", minutes=5)
    if isinstance(store, LocalStore | MemoryStore):
        assert url is None
        return
    assert url is not None and url.startswith("http://127.0.0.1:")
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert await response.read() == data
    async with aiohttp.ClientSession() as session, session.get(url.split("?")[0]) as response:
        assert response.status in (401, 403, 404)  # no anonymous access without the SAS


# -- audit --------------------------------------------------------------------------------------


async def test_audit_appends_in_order_and_concurrently(store: Store) -> None:
    assert await store.read_audit("case1") == []
    for i in range(10):
        await store.append_audit("case1", {"seq": i, "what": "step decided", "by": "æ"})
    await asyncio.gather(*(store.append_audit("case1", {"seq": 100 + i}) for i in range(30)))
    lines = await store.read_audit("case1")
    assert [line["seq"] for line in lines[:10]] == list(range(10))
    assert sorted(line["seq"] for line in lines[10:]) == [100 + i for i in range(30)]
    assert lines[0] == {"seq": 0, "what": "step decided", "by": "æ"}
    assert await store.read_audit("case2") == []


async def test_audit_lines_append_in_order_in_one_call_and_never_interleave(store: Store) -> None:
    await store.append_audit("case1", {"seq": 0})
    await store.append_audit_lines("case1", [])  # nothing to append: nothing happens
    batches = [[{"batch": b, "seq": i, "by": "æ"} for i in range(5)] for b in range(8)]
    await asyncio.gather(*(store.append_audit_lines("case1", batch) for batch in batches))
    lines = await store.read_audit("case1")
    assert lines[0] == {"seq": 0}
    runs = [lines[1 + 5 * k : 6 + 5 * k] for k in range(8)]
    assert sorted(run[0]["batch"] for run in runs) == list(range(8))
    assert all(run == batches[run[0]["batch"]] for run in runs)  # each call's lines together, in order
    await store.append_audit_lines("case2", [{"only": 1}])  # a log that did not exist yet
    assert await store.read_audit("case2") == [{"only": 1}]


# -- leases -------------------------------------------------------------------------------------


async def test_lease_is_exclusive_renewable_and_releasable(store: Store, lease_seconds: int) -> None:
    lease = await store.acquire_lease("scheduler", "instance-a", lease_seconds)
    assert lease is not None and lease.owner == "instance-a"
    assert lease.expires_at > datetime.now(UTC)
    assert await store.acquire_lease("scheduler", "instance-b", lease_seconds) is None
    renewed = await store.acquire_lease("scheduler", "instance-a", lease_seconds)
    assert renewed is not None and renewed.expires_at >= lease.expires_at
    await store.release_lease(renewed)
    taken = await store.acquire_lease("scheduler", "instance-b", lease_seconds)
    assert taken is not None and taken.owner == "instance-b"
    await store.release_lease(lease)  # a stale release by the old holder changes nothing
    assert await store.acquire_lease("scheduler", "instance-a", lease_seconds) is None


async def test_expired_lease_can_be_stolen(store: Store, lease_seconds: int) -> None:
    """Honest expiry: 1 s locally, Azure's minimum 15 s on the blob store (the suite's slowest test)."""
    assert await store.acquire_lease("scheduler", "instance-a", lease_seconds) is not None
    assert await store.acquire_lease("scheduler", "instance-b", lease_seconds) is None
    await asyncio.sleep(lease_seconds + 1)
    stolen = await store.acquire_lease("scheduler", "instance-b", lease_seconds)
    assert stolen is not None and stolen.owner == "instance-b"
    assert await store.acquire_lease("scheduler", "instance-a", lease_seconds) is None
    await store.release_lease(stolen)


# -- purge (retention, a person's request) --------------------------------------------------------


async def test_purge_deletes_a_prefix_for_good_and_nothing_else(store: Store) -> None:
    for name in ("evidence/c1/" + "a" * 64, "evidence/c1/" + "b" * 64, "evidence/c2/" + "a" * 64):
        await store.put_evidence(name, _chunks(b"png bytes " + name.encode()), _meta(name.encode()))
    await store.append_audit("c1", {"type": "reported"})
    await store.append_audit("c2", {"type": "reported"})

    assert await store.purge("evidence/c1/") == 2
    assert await store.list("evidence/c1/") == []
    assert await store.get_evidence_meta("evidence/c1/" + "a" * 64) is None
    with pytest.raises(NotFound):
        await _read_all(store, "evidence/c1/" + "a" * 64)
    assert await store.purge("audit/c1.log") == 1
    assert await store.read_audit("c1") == []

    assert await store.list("evidence/c2/") == ["evidence/c2/" + "a" * 64]  # the other case is untouched
    assert await store.read_audit("c2") == [{"type": "reported"}]
    assert await store.purge("evidence/c1/") == 0  # idempotent
    # A name once purged can be written again (write-once means never overwritten, not never freed).
    await store.put_evidence("evidence/c1/" + "a" * 64, _chunks(b"again"), _meta(b"again"))
