"""The dispatcher runs every handler registered for an event's type, after the call, in the
background; a failing handler is logged and does not stop the others."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from bot.hosting.background import Background
from bot.services.dispatch import Dispatcher


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class Other:
    what: str


async def test_publish_runs_each_handler_of_the_type_in_the_background() -> None:
    background = Background()
    dispatch = Dispatcher(background)
    seen: list[str] = []

    async def first(event: Happened) -> None:
        seen.append(f"first {event.what}")

    async def second(event: Happened) -> None:
        seen.append(f"second {event.what}")

    async def other(event: Other) -> None:
        seen.append(f"other {event.what}")

    dispatch.on(Happened, first)
    dispatch.on(Happened, second)
    dispatch.on(Other, other)
    dispatch.publish(Happened("a"), Happened("b"))
    assert seen == []  # nothing ran yet: the caller's answer does not wait
    await background.drain()
    assert sorted(seen) == ["first a", "first b", "second a", "second b"]


async def test_an_event_nobody_handles_does_nothing() -> None:
    background = Background()
    dispatch = Dispatcher(background)
    dispatch.publish(Other("x"))
    await background.drain()


async def test_a_failing_handler_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    background = Background()
    dispatch = Dispatcher(background)
    seen: list[str] = []

    async def broken(event: Happened) -> None:
        raise RuntimeError("boom")

    async def fine(event: Happened) -> None:
        seen.append(event.what)

    dispatch.on(Happened, broken)
    dispatch.on(Happened, fine)
    with caplog.at_level(logging.ERROR):
        dispatch.publish(Happened("a"))
        await background.drain()
    assert seen == ["a"]
    failed = [r for r in caplog.records if r.getMessage() == "background work failed"]
    assert len(failed) == 1
    assert failed[0].__dict__["fields"]["what"] == "Happened"
