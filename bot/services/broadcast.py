"""Send one message to many conversations at once (the MED reminder to every channel).

Concurrency spreads the work over conversations; the sender's RateLimiter keeps each conversation
and the app under Teams' limits, so a broadcast runs at the app limit without bouncing off 429s.
Each result is reported as soon as it is known (`on_result`), so the caller's outbox can mark a
delivery done right away: a crash halfway must not resend what already arrived.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from bot.errors import DeliveryFailed
from bot.hosting.telemetry import METRICS
from bot.jobs.send_guard import ClaimLost, guarded

T = TypeVar("T")


class Sender(Protocol):
    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str: ...


OnResult = Callable[[str, str | None, DeliveryFailed | None], Awaitable[None]]
Activity = Mapping[str, Any] | Callable[[], Awaitable[Mapping[str, Any]]]
Item = tuple[str, Mapping[str, Any], Activity]  # key, conversation reference, activity


@dataclass
class BroadcastResult:
    sent: dict[str, str] = field(default_factory=dict)  # key -> activity id (unless keep=False)
    failed: dict[str, DeliveryFailed] = field(default_factory=dict)  # (unless keep=False)
    delivered: int = 0
    failures: int = 0

    @property
    def complete(self) -> bool:
        return not self.failures


async def broadcast(
    sender: Sender,
    items: Iterable[Item] | AsyncIterable[Item],
    concurrency: int = 8,
    on_result: OnResult | None = None,
    claim: Callable[[str], Awaitable[bool]] | None = None,
    stop: asyncio.Event | None = None,
    still_claimed: Callable[[str], Awaitable[None]] | None = None,
    ahead: int | None = None,
    keep: bool = True,
) -> BroadcastResult:
    """Deliver each (key, reference, activity) once; a failure for one key never stops the rest.

    `items` may be a list or an async stream: sending starts with the first item while the
    caller is still reading the rest. An activity may be given as a coroutine function that
    builds it (called once per item, after its claim), so a card is built only when needed.
    `claim(key)` runs right before each send (the caller records "sending"; False skips the key),
    so a stop in the middle leaves the items not yet started unclaimed for the next run. `stop`
    ends the broadcast gracefully: sends in flight finish and are reported, nothing new starts.
    `still_claimed(key)` runs before every send attempt of the key (after any Retry-After wait);
    it raises ClaimLost when another instance took the claim over: the key is then left to it,
    neither sent nor reported here. `ahead` bounds how many items are taken from a stream before
    a worker is free for them (None: as fast as the stream gives them), so the caller's per-item
    work (reading, building) runs that far ahead of the sends and memory does not grow with the
    number of items. `keep=False` counts the outcomes without keeping them per key (the caller
    has them through `on_result`).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if not isinstance(items, AsyncIterable):
        items = list(items)
        keys = [key for key, _, _ in items]
        if len(set(keys)) != len(keys):
            raise ValueError("broadcast keys must be unique")
        concurrency = min(concurrency, len(items))
    result = BroadcastResult()
    queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=ahead or 0)
    seen: set[str] = set()
    broken: list[Exception] = []

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    async def produce() -> None:
        # A failing stream ends the broadcast after the sends in flight, never in the middle of one.
        try:
            async for item in as_stream(items):
                if stopped():
                    break
                if item[0] in seen:
                    raise ValueError("broadcast keys must be unique")
                seen.add(item[0])
                await queue.put(item)
        except Exception as exc:
            broken.append(exc)
        finally:
            for _ in range(concurrency):
                await queue.put(None)

    async def worker() -> None:
        # Workers take items in order, so the limiter's first come, first served order holds.
        while (item := await queue.get()) is not None:
            key, reference, activity = item
            if stopped() or (claim is not None and not await claim(key)):
                continue
            try:
                content = await _build(activity)
                if still_claimed is None:
                    activity_id = await sender.send(reference, content)
                else:
                    with guarded(functools.partial(still_claimed, key)):
                        activity_id = await sender.send(reference, content)
            except ClaimLost:
                continue  # another instance holds it now and sends it
            except DeliveryFailed as error:
                METRICS.med_broadcast_failed()
                result.failures += 1
                if keep:
                    result.failed[key] = error
                if on_result is not None:
                    await on_result(key, None, error)
            else:
                METRICS.med_sent("broadcast")
                result.delivered += 1
                if keep:
                    result.sent[key] = activity_id
                if on_result is not None:
                    await on_result(key, activity_id, None)

    async with asyncio.TaskGroup() as group:
        group.create_task(produce())
        for _ in range(concurrency):
            group.create_task(worker())
    if broken:
        raise broken[0]
    return result


async def _build(activity: Activity) -> Mapping[str, Any]:
    if not callable(activity):
        return activity
    try:
        return await activity()
    except Exception as exc:  # reported like a failed send, so the caller's outbox retries it
        raise MessageNotBuilt(str(exc)) from exc


class MessageNotBuilt(DeliveryFailed):
    """The message could not be built (its data could not be read): nothing was sent."""


async def as_stream(items: Iterable[T] | AsyncIterable[T]) -> AsyncIterator[T]:
    """A list or a stream, as a stream."""
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
