"""Read-modify-write on one document with the ETag, retried when another writer got there first.

Every write that can race goes through `update`: the caller gives a pure function from the current
data (or None) to the new data; on Conflict the document is re-read and the function re-applied,
after a short random wait when the write lost to another writer (not when only a guess was stale):
writers that lost together would otherwise read and collide again at once, and a burst of 16-24 on
one document ran out of its eight attempts.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bot.errors import AlreadyExists, Conflict
from bot.services.bounded import Expiring
from bot.storage.store import Document, Store

T = TypeVar("T")
Data = dict[str, Any]
GUESS_KEPT_FOR = 120.0  # seconds a write guess is kept (see Recent)


class Unchanged(Exception):
    """Raised by a mutator to say: nothing to write (idempotent repeat)."""


class Recent:
    """What this instance last wrote of some documents, with the ETag: a first guess for `update`.

    A guess saves the read before a write. It is never trusted: the write is conditional on the
    guessed ETag, so if another writer (or instance) got there first the write fails, the document
    is read, and `mutate` runs again on what is really stored. Each guess is used once.

    A guess is kept as the document's JSON text, not as the dict: a case document is about 3 KiB
    of text but 12-13 KiB as Python objects (hundreds of small strings and dicts), and 1,000 cases
    written in a busy quarter of an hour then hold about 3 MiB instead of 13 MiB, in a few large
    blocks rather than many small ones scattered among short-lived ones. Parsing a guess back
    costs tens of microseconds, against the store read it saves.

    A guess is dropped `keep_for` seconds after it was written. The writes that follow one another
    on a document come within that: a draft's turns, a case's creation then its notification marks,
    a MED send's "sending" then "sent", a manager's decisions on one card. A write later than that
    reads first, as without a guess. Before, guesses stayed until 1,000 newer ones pushed them out,
    so at a steady pace of new cases the memory grew for as long as that took (11 minutes in the
    soak, weeks at a municipality's pace) for guesses that would rarely be used.
    """

    def __init__(
        self,
        size: int = 1000,
        name: str = "recent writes",
        *,
        keep_for: float = GUESS_KEPT_FOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._docs: Expiring[str, tuple[str, str]] = Expiring(
            size, name, expire_after=keep_for, clock=clock
        )  # name -> (JSON text, ETag)

    def take(self, name: str) -> Document | None:
        kept = self._docs.pop(name)
        return Document(data=json.loads(kept[0]), etag=kept[1]) if kept is not None else None

    def keep(self, name: str, data: Data, etag: str) -> None:
        self._docs.put(name, (json.dumps(data, separators=(",", ":"), ensure_ascii=False), etag))

    def __len__(self) -> int:
        return len(self._docs)


async def update(
    store: Store,
    name: str,
    mutate: Callable[[Data | None], tuple[Data, T]],
    *,
    tags: Callable[[Data], Mapping[str, str]] | None = None,
    attempts: int = 8,
    recent: Recent | None = None,
) -> T:
    """Apply `mutate` to the document and write it conditionally; returns mutate's second value.

    `mutate` must be pure: it may run more than once when writers race, and must not change the
    data it is given.
    """
    last: Exception | None = None
    losses = 0
    guess = recent.take(name) if recent else None
    for attempt in range(attempts):
        started = time.monotonic()
        doc: Document | None
        if guess is not None:
            doc, guessed, guess = guess, True, None
        else:
            doc, guessed = await store.get(name), False
        current = doc.data if doc else None
        try:
            new, result = mutate(current)
        except Unchanged:
            if guessed:
                continue  # the guess may be behind what is stored: decide on the stored document
            return None  # type: ignore[return-value]
        except Exception:
            if guessed:
                continue  # so may a refusal (a step not open yet, a draft still receiving): the same
            raise
        try:
            etag = await store.put(name, new, etag=doc.etag if doc else None, tags=tags(new) if tags else None)
        except (Conflict, AlreadyExists) as exc:
            last = exc
            if not guessed and attempt < attempts - 1:
                # Writers that lost together would read and collide again at once: each waits a
                # little, at random, longer after each loss (see `longest_wait`).
                losses += 1
                await _pause(random.uniform(0, longest_wait(losses, time.monotonic() - started)))
            continue
        if recent is not None:
            recent.keep(name, new, etag)
        return result
    raise Conflict(f"gave up on {name} after {attempts} attempts") from last


_FIRST_WAIT = 0.01  # seconds: the least of the longest wait after a first lost race
_LONGEST_WAIT = 0.64  # no single wait is longer, however many attempts a caller allows (50 for counters)
_pause = asyncio.sleep


def longest_wait(losses: int, spent: float) -> float:
    """The longest random wait after the `losses`-th lost race of one write, whose read and write
    took `spent` seconds: one such round trip (at least 10 ms) after the first loss, doubling,
    never over 0.64 s. Measured in round trips, the room the waits spread the writers over grows
    with the store's pace: a slow store (Azure, a loaded machine) gets longer waits, not more
    collisions. Eight attempts give 127 round trips of room, enough for a burst of 24."""
    return min(_LONGEST_WAIT, max(_FIRST_WAIT, spent) * (1 << min(max(losses - 1, 0), 6)))


async def upsert(store: Store, name: str, data: Data, *, tags: Mapping[str, str] | None = None) -> None:
    """Last writer wins, but never a lost create/overwrite race (used for conversation references)."""

    def replace(_current: Data | None) -> tuple[Data, None]:
        return data, None

    await update(store, name, replace, tags=(lambda _d: tags) if tags is not None else None)


async def get_many(store: Store, names: list[str], concurrency: int = 16) -> list[Data]:
    """Read several documents at once (bounded), in the given order; missing ones are left out."""
    gate = asyncio.Semaphore(concurrency)

    async def one(name: str) -> Data | None:
        async with gate:
            doc = await store.get(name)
        return doc.data if doc is not None else None

    found = await asyncio.gather(*(one(n) for n in names))
    return [d for d in found if d is not None]
