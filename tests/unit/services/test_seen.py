"""Activities already taken: a re-sent activity is recognised, on any instance, and old claims go."""

from __future__ import annotations

from datetime import timedelta

from bot.services.seen import SeenActivities
from bot.storage import names
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore


async def test_an_activity_is_taken_once_even_by_two_instances(store: MemoryStore, clock: FakeClock) -> None:
    one, two = SeenActivities(store, clock), SeenActivities(store, clock)
    assert await one.first_time("a:conv;x", "1700000000001")
    assert not await two.first_time("a:conv;x", "1700000000001")  # Teams re-sent it to the other
    assert await two.first_time("a:conv;x", "1700000000002")
    assert await one.first_time("a:other", "1700000000001")  # the same id in another conversation


async def test_claims_older_than_keep_for_are_forgotten(store: MemoryStore, clock: FakeClock) -> None:
    seen = SeenActivities(store, clock, keep_for=timedelta(hours=1))
    await seen.first_time("a:conv", "old")
    clock.advance(minutes=50)
    await seen.first_time("a:conv", "new")
    clock.advance(minutes=11)
    assert await seen.forget_old() == 1
    assert store.data(names.seen("a:conv", "old")) is None
    assert store.data(names.seen("a:conv", "new")) is not None
    assert await seen.first_time("a:conv", "old")  # forgotten: a very late re-send is taken again
