"""`update` with a remembered guess: fewer reads, and never a lost or a skipped write."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.errors import AlreadyExists, Conflict
from bot.repositories import documents
from bot.repositories.documents import Recent, Unchanged, update
from bot.services.drafts import DraftIndex, StillReceiving
from bot.storage import names
from bot.storage.local import LocalStore
from tests.fakes.memory import MemoryStore

NAME = "things/one.json"


def add(item: str) -> Any:
    def mutate(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
        items = list((current or {}).get("items", []))
        if item in items:
            raise Unchanged
        return {"items": [*items, item]}, len(items) + 1

    return mutate


async def test_a_guess_behind_another_writer_is_never_written_over(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    mine, theirs = Recent(), Recent()  # two instances
    await update(store, NAME, add("a"), recent=mine)
    await update(store, NAME, add("b"), recent=theirs)  # the other instance writes after my guess
    assert await update(store, NAME, add("c"), recent=mine) == 3
    stored = await store.get(NAME)
    assert stored is not None and stored.data["items"] == ["a", "b", "c"]
    await store.close()


async def test_unchanged_on_a_stale_guess_is_decided_on_the_stored_document(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    mine, theirs = Recent(), Recent()
    await update(store, NAME, add("a"), recent=mine)
    await update(store, NAME, add("b"), recent=theirs)

    def remove_b(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
        items = list((current or {}).get("items", []))
        if "b" not in items:
            raise Unchanged  # my guess has no "b": it would wrongly stop here
        return {"items": [i for i in items if i != "b"]}, None

    await update(store, NAME, remove_b, recent=mine)
    stored = await store.get(NAME)
    assert stored is not None and stored.data["items"] == ["a"]
    await store.close()


async def test_a_refusal_on_a_stale_guess_is_decided_on_the_stored_document(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    mine, theirs = Recent(), Recent()
    await update(store, NAME, add("a"), recent=mine)
    await update(store, NAME, add("b"), recent=theirs)

    def after_b(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
        items = list((current or {}).get("items", []))
        if "b" not in items:
            raise ValueError("not yet")  # my guess has no "b": it would wrongly refuse
        return {"items": [*items, "c"]}, len(items) + 1

    assert await update(store, NAME, after_b, recent=mine) == 3
    with_nothing = Recent()
    await update(store, "things/two.json", add("a"), recent=with_nothing)
    try:
        await update(store, "things/two.json", after_b, recent=with_nothing)  # refused on what is stored
    except ValueError:
        pass
    else:
        raise AssertionError("a refusal on the stored document must stand")
    await store.close()


async def test_a_draft_written_here_is_closed_without_a_read(tmp_path: Path) -> None:
    """The report's submit: the draft this instance wrote last is closed on its guess (no read);
    a draft another instance wrote since is read and decided on what is stored."""
    store = LocalStore(tmp_path)
    mine, theirs = DraftIndex(store), DraftIndex(store)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    await mine.start("u1", "case1", now)
    reads: list[str] = []
    real_get = store.get

    async def get(name: str) -> Any:
        reads.append(name)
        return await real_get(name)

    store.get = get  # type: ignore[method-assign]
    assert await mine.close_once("u1", "case1", now) == ([], True)
    assert reads == []
    await mine.start("u2", "case2", now)
    await theirs.reserve("u2", "case2", "act-1", 1, cap=10, now=now)  # files arriving, elsewhere
    reads.clear()
    with pytest.raises(StillReceiving):
        await mine.close("u2", "case2", now)
    assert reads == [names.draft("u2")]
    await store.close()


async def test_the_guess_is_what_was_written_with_its_etag(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    recent = Recent()
    await update(store, NAME, add("a"), recent=recent)
    guess = recent.take(NAME)
    assert guess is not None and guess.data == {"items": ["a"]}
    stored = await store.get(NAME)
    assert stored is not None and stored.etag == guess.etag
    await store.close()


async def test_twenty_four_writers_at_the_same_moment_all_land(tmp_path: Path) -> None:
    """A burst on one document (registrations side by side on two instances, say): each lost race
    waits a little, at random, before it reads again, so eight attempts are enough for everyone."""
    store = LocalStore(tmp_path)
    results = await asyncio.gather(*(update(store, NAME, add(f"w{i}")) for i in range(24)))
    stored = await store.get(NAME)
    assert stored is not None and sorted(stored.data["items"]) == sorted(f"w{i}" for i in range(24))
    assert sorted(results) == list(range(1, 25))
    await store.close()


class AlwaysLosing(MemoryStore):
    """A document some other writer always changes first: every conditional write loses."""

    async def put(
        self, name: str, data: Mapping[str, Any], *, etag: str | None, tags: Mapping[str, str] | None = None
    ) -> str:
        raise AlreadyExists(name)  # created by the other writer between our read and our write


async def test_a_writer_that_keeps_losing_waits_a_bounded_time_and_not_after_its_last_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The waits double from one round trip (at least 10 ms) but never pass 0.64 s, even for the
    counter's 50 attempts (an unbounded doubling would wait for years), and a writer that has used
    its attempts gives up at once."""
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def pause(delay: float) -> None:
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(documents, "_pause", pause)
    with pytest.raises(Conflict):
        await update(AlwaysLosing(), NAME, add("mine"), attempts=50)
    assert len(waits) == 49  # one after each lost race but the last
    assert max(waits) <= 0.64
    bounds = [documents.longest_wait(n, 0.0) for n in (1, 2, 3, 7, 8, 49)]
    assert bounds == pytest.approx([0.01, 0.02, 0.04, 0.64, 0.64, 0.64])
    assert documents.longest_wait(1, 0.05) == pytest.approx(0.05)  # a slow store: a longer first wait
    assert documents.longest_wait(3, 0.5) == pytest.approx(0.64)
