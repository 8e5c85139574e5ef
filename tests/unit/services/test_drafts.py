"""The draft document: evidence merged by ETag, room reserved before downloads, closed on submit,
discarded whole. Over the in-memory store and the real local store, with writers racing."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.guideline.errors import InvalidDecision
from bot.services.drafts import DraftGone, DraftIndex, StillReceiving
from bot.storage.local import LocalStore
from bot.storage.store import EvidenceMeta, Store
from tests.fakes.memory import MemoryStore

USER = "00000000-0000-0000-0000-0000000000e1"
NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def meta(n: int) -> EvidenceMeta:
    return EvidenceMeta(hashlib.sha256(bytes([n])).hexdigest(), n + 1, "image/png", f"f{n}.png", USER, NOW)


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.fixture(params=["memory", "local"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    chosen: Store = MemoryStore() if request.param == "memory" else LocalStore(tmp_path / "data")
    yield chosen
    await chosen.close()


async def test_files_recorded_at_once_are_all_kept(store: Store) -> None:
    drafts = DraftIndex(store)
    await drafts.start(USER, "case1", NOW)
    results = await asyncio.gather(*(drafts.record(USER, "case1", meta(n), cap=30) for n in range(12)))
    assert all(r.new for r in results)
    assert sorted(m.original_name for m in await drafts.evidence(USER, "case1")) == sorted(
        f"f{n}.png" for n in range(12)
    )
    again = await drafts.record(USER, "case1", meta(3), cap=30)
    assert not again.new and again.count == 12
    with pytest.raises(InvalidDecision):
        await drafts.record(USER, "case1", meta(99), cap=12)


async def test_reservations_share_the_room_and_lapse(store: Store) -> None:
    drafts = DraftIndex(store)
    await drafts.start(USER, "case1", NOW)
    first = await drafts.reserve(USER, "case1", "act-1", 10, cap=12, now=NOW)
    second = await drafts.reserve(USER, "case1", "act-2", 10, cap=12, now=NOW)
    assert (first.granted, second.granted) == (10, 2)
    assert (await drafts.reserve(USER, "case1", "act-3", 1, cap=12, now=NOW)).granted == 0
    with pytest.raises(StillReceiving):
        await drafts.close(USER, "case1", NOW)
    later = NOW + timedelta(minutes=11)  # a download that died with its instance no longer counts
    assert (await drafts.reserve(USER, "case1", "act-4", 5, cap=12, now=later)).granted == 5
    await drafts.release(USER, "case1", "act-4")
    assert await drafts.close(USER, "case1", later) == []


async def test_a_recorded_file_leaves_its_reservation_so_each_place_counts_once(store: Store) -> None:
    """A message reserved 4 places; each file it records (or finds there already) moves from
    "coming" to the draft in one write, so the room others see stays right while it downloads."""
    drafts = DraftIndex(store)
    await drafts.start(USER, "case1", NOW)
    for n in range(25):
        await drafts.record(USER, "case1", meta(n), cap=30)
    assert (await drafts.reserve(USER, "case1", "act-a", 4, cap=30, now=NOW)).granted == 4
    assert (await drafts.record(USER, "case1", meta(40), cap=30, activity_id="act-a")).new
    assert not (await drafts.record(USER, "case1", meta(3), cap=30, activity_id="act-a")).new  # already there
    assert (await drafts.get(USER, "case1") or {})["pending"]["act-a"]["n"] == 2
    # 26 on the draft, 2 still coming for act-a: 2 free (4 - 2 taken, not 4 - 0).
    assert (await drafts.reserve(USER, "case1", "act-b", 4, cap=30, now=NOW)).granted == 2
    for n in (41, 42):
        await drafts.record(USER, "case1", meta(n), cap=30, activity_id="act-a")
    assert "act-a" not in (await drafts.get(USER, "case1") or {})["pending"]  # all its files are in
    await drafts.release(USER, "case1", "act-a")  # the release at the message's end finds nothing to do
    assert (await drafts.get(USER, "case1") or {})["pending"]["act-b"]["n"] == 2


async def test_a_closed_draft_takes_no_more_files_and_close_is_repeatable(store: Store) -> None:
    drafts = DraftIndex(store)
    await drafts.start(USER, "case1", NOW)
    await drafts.record(USER, "case1", meta(1), cap=30)
    assert await drafts.close_once(USER, "case1", NOW) == ([meta(1)], True)  # this call closed it
    assert await drafts.close_once(USER, "case1", NOW) == ([meta(1)], False)  # an earlier one had
    assert [m.sha256 for m in await drafts.close(USER, "case1", NOW)] == [meta(1).sha256]
    with pytest.raises(DraftGone) as gone:
        await drafts.record(USER, "case1", meta(2), cap=30)
    assert gone.value.submitted
    with pytest.raises(DraftGone):
        await drafts.reserve(USER, "case1", "act", 1, cap=30, now=NOW)


async def test_discard_takes_files_state_and_document_but_not_a_newer_draft(store: Store) -> None:
    drafts = DraftIndex(store)
    await store.put("state/conv.json", {"item": {"case_id": "case1", "description": "secret"}}, etag=None)
    await drafts.start(USER, "case1", NOW, state_doc="state/conv.json")
    for n in range(2):
        await store.put_evidence(f"evidence/case1/{meta(n).sha256}", chunks(b"x"), meta(n))
    await store.put_evidence(f"evidence/case1/{meta(7).sha256}", chunks(b"y"), meta(7))  # stored, never recorded
    await drafts.record(USER, "case1", meta(0), cap=30)
    assert await drafts.discard(USER, "other-case") == 0  # not this draft
    assert await drafts.discard(USER, "case1") == 3
    assert await store.list("evidence/case1/") == []
    assert await store.get("state/conv.json") is None
    assert await store.get(f"drafts/{USER}.json") is None
    with pytest.raises(DraftGone) as gone:
        await drafts.record(USER, "case1", meta(1), cap=30)
    assert not gone.value.submitted


async def test_a_new_draft_discards_the_files_of_one_whose_dialog_was_lost(store: Store) -> None:
    drafts = DraftIndex(store)
    await drafts.start(USER, "old", NOW)
    await store.put_evidence(f"evidence/old/{meta(1).sha256}", chunks(b"x"), meta(1))
    await drafts.record(USER, "old", meta(1), cap=30)
    await drafts.start(USER, "new", NOW)
    assert await store.list("evidence/old/") == []
    assert await drafts.evidence(USER, "new") == []
