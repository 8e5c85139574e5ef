"""`update` with a remembered guess: fewer reads, and never a lost or a skipped write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.repositories.documents import Recent, Unchanged, update
from bot.storage.local import LocalStore

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


async def test_the_guess_is_what_was_written_with_its_etag(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    recent = Recent()
    await update(store, NAME, add("a"), recent=recent)
    guess = recent.take(NAME)
    assert guess is not None and guess.data == {"items": ["a"]}
    stored = await store.get(NAME)
    assert stored is not None and stored.etag == guess.etag
    await store.close()
