"""The memories kept per person or per document drop what recent use no longer needs.

Before, each was bounded only: under a steady stream of new people (the soak meets ~30 a minute)
or new cases (~90 a minute) it filled to its bound, thousands of entries, for as long as that took,
and the process grew all that time. Each now drops an entry a fixed time after it was written or
last used (`bot/services/bounded.py: Expiring`). These tests check that an expired entry is really
freed (nothing else holds it), that a memory fed a stream of new keys for hours stays at what its
window holds, that its bound still holds against a flood, and that each memory still does its job.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

from bot.repositories.cases import CaseRepository
from bot.repositories.documents import Recent, update
from bot.services.bounded import Expiring, Lru
from bot.services.roles import LeaderCheck
from bot.storage import names
from bot.storage.local import LocalStore
from bot.teams.direct_post import Addressing
from bot.teams.reference_book import ReferenceBook
from bot.teams.turn_reference import TurnReferences
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.unit.guideline.builders import POLICY


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Value:
    """A value a weak reference can follow, to see that the memory let go of it."""


# --- the map itself -------------------------------------------------------------------------------
def test_an_entry_is_gone_and_freed_once_it_expires_without_any_further_put() -> None:
    clock = Clock()
    memory: Expiring[str, Value] = Expiring(100, expire_after=60, clock=clock)
    value = Value()
    watch = weakref.ref(value)
    memory.put("k", value)
    del value
    clock.now += 59.9
    assert memory.get("k") is watch()  # still within its time
    clock.now += 0.1
    assert len(memory) == 0 and "k" not in memory and memory.get("k") is None
    gc.collect()
    assert watch() is None  # nothing of it is held any longer


def test_without_idle_reading_does_not_keep_an_entry_longer() -> None:
    clock = Clock()
    memory: Expiring[str, int] = Expiring(100, expire_after=60, clock=clock)
    memory.put("k", 1)
    for _ in range(5):
        clock.now += 20
        memory.get("k")
    assert memory.get("k") is None  # 100 s after it was written, read every 20 s


def test_with_idle_an_entry_in_use_stays_and_one_unused_goes() -> None:
    clock = Clock()
    memory: Expiring[str, int] = Expiring(100, expire_after=60, idle=True, clock=clock)
    memory.put("used", 1)
    memory.put("unused", 2)
    for _ in range(10):
        clock.now += 50
        assert memory.get("used") == 1
    assert "unused" not in memory and len(memory) == 1


def test_the_bound_still_holds_against_a_flood_within_the_window() -> None:
    clock = Clock()
    memory: Expiring[str, int] = Expiring(50, expire_after=3600, clock=clock)
    for n in range(5_000):
        memory.put(f"k{n}", n)
    assert len(memory) == 50
    assert "k4999" in memory and "k0" not in memory  # the oldest went first


def test_a_steady_stream_of_new_keys_stops_growing_at_what_the_window_holds() -> None:
    """30 new people a minute for three hours: the memory holds about 30 x 2 minutes, not 10,000."""
    clock = Clock()
    memory: Expiring[str, int] = Expiring(10_000, expire_after=120, idle=True, clock=clock)
    sizes = []
    for n in range(30 * 180):
        clock.now += 2.0
        memory.put(f"person-{n}", n)
        sizes.append(len(memory))
    assert max(sizes) <= 61
    assert sizes[-1] == sizes[len(sizes) // 2]  # flat: the same at 90 minutes and at 180


def test_zero_keeps_nothing_and_a_negative_time_is_refused() -> None:
    memory: Expiring[str, int] = Expiring(10, expire_after=0)
    memory.put("k", 1)
    assert memory.get("k") is None
    with pytest.raises(ValueError):
        Expiring(10, expire_after=-1)
    with pytest.raises(ValueError):
        Expiring(0, expire_after=1)


def test_the_memory_trace_counts_expiring_memories_with_the_others() -> None:
    kept = Expiring[str, int](7, "an expiring memory for the trace", expire_after=60)
    kept.put("k", 1)
    rows = {row["name"]: row for row in Lru.fill()}
    assert rows["an expiring memory for the trace"] == {
        "name": "an expiring memory for the trace",
        "len": 1,
        "bound": 7,
    }


# --- each memory ------------------------------------------------------------------------------
def activity(n: int) -> Activity:
    return Activity(
        type="message",
        id=f"m-{n}",
        channel_id="msteams",
        service_url="https://smba.example/emea/",
        locale="da-DK",
        from_property=ChannelAccount(id=f"29:{n}", name="Medarbejder", aad_object_id=f"aad-{n}"),
        recipient=ChannelAccount(id="28:bot", name="Bot"),
        conversation=ConversationAccount(id=f"a:chat-{n}", conversation_type="personal", tenant_id="t"),
    )


def test_turn_references_hold_the_chats_of_the_last_minutes() -> None:
    clock = Clock()
    references = TurnReferences(idle=120, clock=clock)
    for n in range(3_000):  # a new chat every 2 s for 100 minutes
        clock.now += 2.0
        references.of(activity(n))
        references.of(activity(0))  # one chat in use all along
    assert len(references._known) <= 62
    assert "'aad-0'" in json_keys(references._known)


def json_keys(memory: Expiring[str, Any]) -> str:
    return " ".join(memory._items)


def test_the_proactive_addressing_holds_the_references_of_the_last_minutes() -> None:
    clock = Clock()
    addressing = Addressing(idle=120, clock=clock)
    for n in range(3_000):
        clock.now += 2.0
        reference = {
            "conversation": {"id": f"a:chat-{n}"},
            "bot": {"id": "28:bot"},
            "user": {"id": f"29:{n}"},
            "channelId": "msteams",
            "serviceUrl": "https://smba.example/emea/",
        }
        conversation, fields = addressing.of(reference)
        assert conversation == f"a:chat-{n}" and fields["recipient"] == {"id": f"29:{n}"}
    assert len(addressing._known) <= 61


async def test_the_reference_book_holds_the_last_minutes_people_and_still_serves_the_others(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    clock = Clock()
    book = ReferenceBook(store, read_for=60, written_for=120, monotonic=clock)
    first = "00000000-0000-0000-0000-000000000000"
    for n in range(600):  # a new person every 2 s for 20 minutes, each asked for once more
        clock.now += 2.0
        user = f"00000000-0000-0000-0000-{n:012d}"
        await book.remember(user, {"conversation": {"id": f"a:{n}"}}, "da-DK")
        assert await book.reference(user) == {"conversation": {"id": f"a:{n}"}}
        assert await book.locale(f"00000000-0000-0000-0001-{n:012d}") == ""  # nobody, asked
    assert len(book._written) <= 61 and len(book._read) <= 31 and len(book._asked_absent) <= 31
    assert await book.reference(first) == {"conversation": {"id": "a:0"}}  # read again from the store
    await store.close()


async def test_a_reference_written_long_ago_is_checked_against_the_store_not_written_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    clock = Clock()
    book = ReferenceBook(store, written_for=120, monotonic=clock)
    user = "00000000-0000-0000-0000-00000000e001"
    await book.remember(user, {"conversation": {"id": "a:1"}}, "da-DK")
    stored = await store.get(names.user_ref(user))
    clock.now += 600  # they write again ten minutes later: the memory has let go
    await book.remember(user, {"conversation": {"id": "a:1"}}, "da-DK")
    again = await store.get(names.user_ref(user))
    assert stored is not None and again is not None and again.etag == stored.etag  # read, found equal, not written
    await book.remember(user, {"conversation": {"id": "a:1"}}, "en-US")
    changed = await store.get(names.user_ref(user))
    assert changed is not None and changed.data["locale"] == "en-US"
    await store.close()


async def test_write_guesses_go_after_their_time_and_the_write_reads_instead(tmp_path: Path) -> None:
    store = MemoryStore()
    clock = Clock()
    recent = Recent(keep_for=120, clock=clock)

    def bump(current: dict[str, Any] | None) -> tuple[dict[str, Any], int]:
        n = (current or {}).get("n", 0) + 1
        return {"n": n}, n

    for n in range(3_000):  # a new document every 2 s for 100 minutes, each written twice
        clock.now += 2.0
        await update(store, f"doc-{n}", bump, recent=recent)
        assert await update(store, f"doc-{n}", bump, recent=recent) == 2
    assert len(recent) <= 61
    reads = store.requests["get"]
    assert await update(store, "doc-0", bump, recent=recent) == 3  # its guess is gone: read, and right
    assert store.requests["get"] == reads + 1


async def test_the_help_audience_holds_the_last_five_minutes_people() -> None:
    clock = Clock()
    is_leader = LeaderCheck(
        CaseRepository(MemoryStore(), POLICY), MemoryDirectory([]), remember_for=300, monotonic=clock
    )
    for n in range(1_000):
        clock.now += 2.0
        assert not await is_leader(f"u-{n}")
    assert len(is_leader._answers) <= 151
