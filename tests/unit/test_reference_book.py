"""The reference book's memory: fewer store calls, and another instance's change still seen in time.
Over the in-memory store and the real local store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.repositories.documents import upsert
from bot.storage import names
from bot.storage.local import LocalStore
from bot.storage.store import Store
from bot.teams.reference_book import ReferenceBook
from tests.fakes.memory import MemoryStore

USER = "00000000-0000-0000-0000-00000000e001"
CHAT = {"conversation": {"id": "a:chat"}, "serviceUrl": "https://smba.example/emea/"}


@pytest.fixture(params=["memory", "local"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    chosen: Store = MemoryStore() if request.param == "memory" else LocalStore(tmp_path)
    yield chosen
    await chosen.close()


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_an_unchanged_reference_is_not_written_again(store: Store) -> None:
    book = ReferenceBook(store)
    await book.remember(USER, CHAT, "da-DK")
    first = await store.get(names.user_ref(USER))
    await book.remember(USER, CHAT, "da-DK")
    assert (await store.get(names.user_ref(USER))) == first
    await book.remember(USER, CHAT, "en-US")  # a change is written
    changed = await store.get(names.user_ref(USER))
    assert changed is not None and first is not None and changed.etag != first.etag
    assert changed.data["locale"] == "en-US"


async def test_a_change_made_by_another_instance_is_seen_after_the_read_time(store: Store) -> None:
    ticks = Ticks()
    book = ReferenceBook(store, read_for=60, monotonic=ticks)
    other = ReferenceBook(store)
    await other.remember(USER, CHAT, "da-DK")
    assert await book.locale(USER) == "da-DK"
    await upsert(store, names.user_ref(USER), {"aad_object_id": USER, "reference": CHAT, "locale": "en-US"})
    ticks.now += 59
    assert await book.locale(USER) == "da-DK"  # within the read time: the memory answers
    ticks.now += 2
    assert await book.locale(USER) == "en-US"
    assert await book.reference(USER) == CHAT


async def test_nobody_unknown_is_remembered_as_missing(store: Store) -> None:
    book = ReferenceBook(store, monotonic=Ticks())
    assert await book.reference(USER) is None
    await ReferenceBook(store).remember(USER, CHAT, "da-DK")  # they write to the bot on another instance
    assert await book.reference(USER) == CHAT


async def test_what_this_instance_writes_is_read_back_at_once(store: Store) -> None:
    book = ReferenceBook(store, monotonic=Ticks())
    await book.remember(USER, CHAT, "da-DK")
    assert await book.locale(USER) == "da-DK"
    await book.remember(USER, CHAT, "en-GB")
    assert await book.locale(USER) == "en-GB"


async def test_a_turn_without_a_locale_keeps_the_stored_one(store: Store) -> None:
    """Install events and chats opened by the bot carry no locale: the person's language stays."""
    await ReferenceBook(store).remember(USER, CHAT, "en-US")
    for book in (ReferenceBook(store), ReferenceBook(store, read_for=0)):  # fresh memory, and none
        await book.remember(USER, {**CHAT, "conversation": {"id": "a:chat2"}}, None)
        doc = await store.get(names.user_ref(USER))
        assert doc is not None and doc.data["locale"] == "en-US"
        assert doc.data["reference"]["conversation"]["id"] == "a:chat2"  # the reference itself is new
