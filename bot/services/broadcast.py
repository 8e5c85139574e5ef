"""Send one message to many conversations at once (the MED reminder to every channel).

Concurrency spreads the work over conversations; the sender's RateLimiter keeps each conversation
and the app under Teams' limits, so a broadcast runs at the app limit without bouncing off 429s.
Each result is reported as soon as it is known (`on_result`), so the caller's outbox can mark a
delivery done right away: a crash halfway must not resend what already arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.errors import DeliveryFailed


class Sender(Protocol):
    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str: ...


OnResult = Callable[[str, str | None, DeliveryFailed | None], Awaitable[None]]


@dataclass
class BroadcastResult:
    sent: dict[str, str] = field(default_factory=dict)  # key -> activity id
    failed: dict[str, DeliveryFailed] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.failed


async def broadcast(
    sender: Sender,
    items: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any]]],
    concurrency: int = 8,
    on_result: OnResult | None = None,
    claim: Callable[[str], Awaitable[bool]] | None = None,
    stop: asyncio.Event | None = None,
) -> BroadcastResult:
    """Deliver each (key, reference, activity) once; a failure for one key never stops the rest.

    `claim(key)` runs right before each send (the caller records "sending"; False skips the key),
    so a stop in the middle leaves the items not yet started unclaimed for the next run. `stop`
    ends the broadcast gracefully: sends in flight finish and are reported, nothing new starts.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    keys = [key for key, _, _ in items]
    if len(set(keys)) != len(keys):
        raise ValueError("broadcast keys must be unique")
    result = BroadcastResult()
    queue: asyncio.Queue[tuple[str, Mapping[str, Any], Mapping[str, Any]]] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        # Workers take items in order, so the limiter's first come, first served order holds.
        while not queue.empty() and not (stop is not None and stop.is_set()):
            key, reference, activity = queue.get_nowait()
            if claim is not None and not await claim(key):
                continue
            try:
                activity_id = await sender.send(reference, activity)
            except DeliveryFailed as error:
                result.failed[key] = error
                if on_result is not None:
                    await on_result(key, None, error)
            else:
                result.sent[key] = activity_id
                if on_result is not None:
                    await on_result(key, activity_id, None)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(items))):
            group.create_task(worker())
    return result
