"""A small least-recently-used map: every in-process memory keyed by a person, a conversation or
a case has a bound, so no number of users (or a hostile client inventing ids) can fill the
process. Past the bound the least recently used entry goes; what it held is read again from the
store when needed, so a bound costs a read, never correctness.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, ClassVar, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    # Every live map, so a memory trace can say how full each is (bot/hosting/memory_trace.py).
    _live: ClassVar[weakref.WeakSet[Lru[Any, Any]]] = weakref.WeakSet()

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

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
