"""The broadcast loop without Teams: each key sent once, a failure for one never stops the rest,
every result reported as it is known, claims skip keys, a stop leaves the rest unstarted, and a
message that cannot be built is a failure like a send's."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from bot.errors import DeliveryFailed
from bot.services.broadcast import Item, MessageNotBuilt, broadcast
from tests.fakes.notifier import RecordingNotifier, user_reference

MESSAGE = {"type": "message", "text": "MED"}


def items(count: int) -> list[Item]:
    return [(f"k{n}", user_reference(f"u{n}"), MESSAGE) for n in range(count)]


async def test_every_key_once_and_one_failure_stops_nothing(notifier: RecordingNotifier) -> None:
    notifier.fail_for("u3", permanent=True)
    reported: list[tuple[str, str | None]] = []

    async def on_result(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
        reported.append((key, activity_id))

    result = await broadcast(notifier, items(20), concurrency=4, on_result=on_result)
    assert sorted(result.sent) == sorted(f"k{n}" for n in range(20) if n != 3)
    assert list(result.failed) == ["k3"] and result.failed["k3"].permanent
    assert len(notifier.sent) == 19 and len(reported) == 20 and not result.complete


async def test_a_refused_claim_skips_the_key(notifier: RecordingNotifier) -> None:
    async def claim(key: str) -> bool:
        return key != "k1"  # another instance holds it

    result = await broadcast(notifier, items(3), claim=claim)
    assert sorted(result.sent) == ["k0", "k2"] and notifier.to("u1") == []


async def test_a_stop_lets_sends_in_flight_finish_and_starts_nothing_new(notifier: RecordingNotifier) -> None:
    stop = asyncio.Event()

    async def on_result(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
        if key == "k2":
            stop.set()  # a shutdown while the third send's result is recorded

    result = await broadcast(notifier, items(10), concurrency=2, stop=stop, on_result=on_result)
    assert 3 <= len(result.sent) <= 4 and len(notifier.sent) == len(result.sent)


async def test_a_message_that_cannot_be_built_is_a_failure(notifier: RecordingNotifier) -> None:
    async def broken() -> Mapping[str, Any]:
        raise OSError("the evaluation could not be read")

    result = await broadcast(notifier, [("k0", user_reference("u0"), broken), *items(2)[1:]])
    assert isinstance(result.failed["k0"], MessageNotBuilt) and list(result.sent) == ["k1"]


async def test_repeated_keys_are_refused(notifier: RecordingNotifier) -> None:
    with pytest.raises(ValueError):
        await broadcast(notifier, [*items(2), *items(1)])
    assert notifier.sent == []
