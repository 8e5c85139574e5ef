"""Small bounded maps: every in-process memory keyed by a person, a conversation or a case has a
bound, so no number of users (or a hostile client inventing ids) can fill the process. Past the
bound the least recently used entry goes; what it held is read again from the store when needed,
so a bound costs a read, never correctness.

A bound alone keeps an entry until newer ones push it out: under a steady stream of new people or
cases a memory fills to its bound however little of it recent use needs, and the process grows for
as long as that takes (hours at a municipality's pace, 10-30 minutes in the soak). `Expiring` also
drops each entry a fixed time after it was written (or last used), so what it holds is what the
last minutes needed and it stops growing once that window is full.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    # Every live map, so a memory trace can say how full each is (bot/hosting/memory_trace.py).
    _live: ClassVar[weakref.WeakSet[Any]] = weakref.WeakSet()  # every Lru and Expiring

    def __init__(self, bound: int, name: str = "") -> None:
        """`name` says what the map remembers, for the memory trace."""
        if bound < 1:
            raise ValueError("bound must be at least 1")
        self.bound = bound
        self.name = name
        self._items: OrderedDict[K, V] = OrderedDict()
        Lru._live.add(self)

    @classmethod
    def fill(cls) -> list[dict[str, Any]]:
        """How full every live map is: name, entries, bound (largest first)."""
        rows = [{"name": m.name or "unnamed", "len": len(m), "bound": m.bound} for m in list(cls._live)]
        return sorted(rows, key=lambda row: (-row["len"], row["name"]))

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.bound:
            self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        return self._items.pop(key, None)

    def drop(self, which: Callable[[K], bool]) -> int:
        """Drop every entry whose key `which` picks (a whole team's channels); returns how many."""
        keys = [key for key in self._items if which(key)]
        for key in keys:
            del self._items[key]
        return len(keys)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items


class Expiring(Generic[K, V]):
    """A bounded map whose entries also expire `expire_after` seconds after they were put, or,
    with `idle=True`, after they were last put or read (0: nothing is kept).

    Entries are kept in the order of their time stamps (a put or, when idle, a read moves the entry
    to the end with a new stamp), so the expired ones are always at the front: every call first
    drops those, at the cost of the dropped ones only. Past the bound the oldest stamp goes. An
    expired entry is never returned, whether or not it has been dropped yet.
    """

    def __init__(
        self,
        bound: int,
        name: str = "",
        *,
        expire_after: float,
        idle: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if bound < 1:
            raise ValueError("bound must be at least 1")
        if expire_after < 0:
            raise ValueError("expire_after must not be negative")
        self.bound = bound
        self.name = name
        self.expire_after = expire_after
        self._idle = idle
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()  # key -> (stamp, value), oldest first
        Lru._live.add(self)

    def _expire(self) -> float:
        """Drop every expired entry (all at the front); returns the time now."""
        now = self._clock()
        items = self._items
        while items:
            stamp, _ = items[next(iter(items))]
            if now - stamp < self.expire_after:
                break
            items.popitem(last=False)
        return now

    def get(self, key: K) -> V | None:
        now = self._expire()
        entry = self._items.get(key)
        if entry is None:
            return None
        if self._idle:
            self._items[key] = (now, entry[1])
            self._items.move_to_end(key)
        return entry[1]

    def put(self, key: K, value: V) -> None:
        now = self._expire()
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        while len(self._items) > self.bound:
            self._items.popitem(last=False)

    def pop(self, key: K) -> V | None:
        self._expire()
        entry = self._items.pop(key, None)
        return entry[1] if entry is not None else None

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        self._expire()
        return key in self._items
