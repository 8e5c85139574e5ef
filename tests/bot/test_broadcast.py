"""The MED reminder to 300 channels: each exactly once, none lost, at the app limit without 429s."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.errors import DeliveryFailed
from bot.services.broadcast import broadcast
from bot.teams.ratelimit import RateLimiter
from bot.teams.sender import ConversationGone, TeamsSender
from tests.fakes.connector import FakeConnector


class LocalConfig:
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


def channel_items(fake: FakeConnector, count: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    items = []
    for n in range(count):
        conversation_id = f"19:unit{n:03d}@thread.tacv2"
        reference = {
            "serviceUrl": fake.service_url,
            "channelId": "msteams",
            "conversation": {"id": conversation_id, "conversationType": "channel"},
            "bot": {"id": "28:bot"},
        }
        activity = {"type": "message", "text": f"MED-evaluering {n}"}
        items.append((f"unit{n:03d}", reference, activity))
    return items


def sender_for(fake: FakeConnector) -> TeamsSender:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(LocalConfig()))
    return TeamsSender(adapter, "", RateLimiter())


async def test_300_channels_get_exactly_one_reminder_each_without_429() -> None:
    async with FakeConnector() as fake:
        items = channel_items(fake, 300)
        reported: list[str] = []

        async def on_result(key: str, activity_id: str | None, error: DeliveryFailed | None) -> None:
            assert activity_id is not None and error is None
            reported.append(key)

        started = time.monotonic()
        result = await broadcast(sender_for(fake), items, concurrency=64, on_result=on_result)
        elapsed = time.monotonic() - started

        per_channel = Counter(m.conversation_id for m in fake.messages())
        assert set(per_channel) == {ref["conversation"]["id"] for _, ref, _ in items}
        assert set(per_channel.values()) == {1}
        assert sorted(result.sent) == sorted(reported) == [key for key, _, _ in items]
        assert result.failed == {} and result.complete
        assert fake.throttled == []
        # The app limit (50/s) is what binds: never faster. The upper bound only catches a stall (not a
        # speed target: a loaded machine may take longer; the benchmark measures speed).
        assert 5.0 <= elapsed < 60.0


async def test_one_removed_channel_fails_alone() -> None:
    async with FakeConnector() as fake:
        items = channel_items(fake, 20)
        fake.remove_bot(items[3][1]["conversation"]["id"])
        fake.fail_next(2, 503, conversation_id=items[5][1]["conversation"]["id"])
        sender = TeamsSender(
            CloudAdapter(ConfigurationBotFrameworkAuthentication(LocalConfig())),
            "",
            RateLimiter(),
            sleep=lambda _: asyncio.sleep(0),
        )

        result = await broadcast(sender, items, concurrency=8)

        assert list(result.failed) == ["unit003"]
        assert isinstance(result.failed["unit003"], ConversationGone)
        assert len(result.sent) == 19 and len(fake.messages()) == 19


async def test_sending_starts_while_the_stream_is_still_being_read() -> None:
    async with FakeConnector() as fake:
        items = channel_items(fake, 10)
        inner = sender_for(fake)
        first_arrived = asyncio.Event()

        class Watching:
            async def send(self, reference: Any, activity: Any) -> str:
                activity_id = await inner.send(reference, activity)
                first_arrived.set()
                return activity_id

        async def stream() -> Any:
            yield items[0]
            # The rest come only once the connector has the first: a broadcast that read the
            # whole stream before sending would wait here forever.
            await first_arrived.wait()
            assert len(fake.messages()) == 1
            for item in items[1:]:
                yield item

        result = await asyncio.wait_for(broadcast(Watching(), stream(), concurrency=4), 10)
        assert sorted(result.sent) == [key for key, _, _ in items]
        assert Counter(m.conversation_id for m in fake.messages()).most_common(1)[0][1] == 1


async def test_a_message_that_cannot_be_built_fails_alone_and_is_reported() -> None:
    async with FakeConnector() as fake:
        items: list[Any] = channel_items(fake, 5)
        built: list[str] = []

        def builder(key: str, activity: dict[str, Any]) -> Any:
            async def build() -> dict[str, Any]:
                if key == "unit002":
                    raise OSError("the unit's figures could not be read")
                built.append(key)
                return activity

            return build

        lazy = [(key, ref, builder(key, activity)) for key, ref, activity in items]
        reported: dict[str, DeliveryFailed | None] = {}

        async def on_result(key: str, _activity_id: str | None, error: DeliveryFailed | None) -> None:
            reported[key] = error

        result = await broadcast(sender_for(fake), lazy, concurrency=2, on_result=on_result)
        assert list(result.failed) == ["unit002"] and isinstance(reported["unit002"], DeliveryFailed)
        assert sorted(result.sent) == ["unit000", "unit001", "unit003", "unit004"]
        assert sorted(built) == sorted(result.sent) and len(fake.messages()) == 4


async def test_a_stream_that_breaks_ends_after_the_sends_in_flight_are_reported() -> None:
    async with FakeConnector() as fake:
        items = channel_items(fake, 6)
        reported: list[str] = []

        async def stream() -> Any:
            for item in items[:3]:
                yield item
            raise OSError("store went away")

        async def on_result(key: str, activity_id: str | None, _error: DeliveryFailed | None) -> None:
            assert activity_id is not None
            reported.append(key)

        with pytest.raises(OSError, match="store went away"):
            await broadcast(sender_for(fake), stream(), concurrency=3, on_result=on_result)
        assert sorted(reported) == ["unit000", "unit001", "unit002"]  # nothing read was dropped
        assert len(fake.messages()) == 3


async def test_a_stream_is_taken_at_most_ahead_items_before_the_sends() -> None:
    """With `ahead`, the caller's per-item work (reading, building cards) stays that far ahead of
    the sends, whatever the number of items: memory does not grow with a municipality's units."""
    async with FakeConnector() as fake:
        items = channel_items(fake, 30)
        inner = sender_for(fake)
        release = asyncio.Event()
        taken: list[str] = []

        class Held:
            async def send(self, reference: Any, activity: Any) -> str:
                await release.wait()  # Teams' limits, held still: the workers wait here
                return await inner.send(reference, activity)

        async def stream() -> Any:
            for item in items:
                taken.append(item[0])
                yield item

        running = asyncio.create_task(broadcast(Held(), stream(), concurrency=4, ahead=10, keep=False))
        for _ in range(50):
            await asyncio.sleep(0)
        # 4 held in the workers, 10 waiting in line, one more taken and waiting for room
        assert len(taken) == 4 + 10 + 1
        release.set()
        result = await asyncio.wait_for(running, 10)
        assert len(taken) == 30 and result.delivered == 30 and result.sent == {}  # counted, not kept
        assert sorted(Counter(m.conversation_id for m in fake.messages()).values()) == [1] * 30
