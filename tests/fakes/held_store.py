"""A `Store` in front of another that holds back chosen document writes until the test lets them go.

Two instances racing on one document interleave in many ways; a loop that hopes for the bad one is
no test. With this, a test puts one instance's store behind a `HeldStore` and decides exactly where
that instance stops (say: after it has recorded one file of four on the draft, before the second),
runs the other instance to the end in that moment, then lets the first go on. Everything else is
passed through to the real store underneath, which the other instance uses directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from bot.storage.store import Store

Hold = Callable[[str, Mapping[str, Any]], bool]


class HeldStore:
    """`HeldStore(store, hold)`: a `put` for which `hold(name, data)` is true waits (before it
    reaches the store) until `release` is set; `holding` is set when the first one is waiting."""

    def __init__(self, inner: Store, hold: Hold) -> None:
        self.inner = inner
        self._hold = hold
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def put(
        self, name: str, data: Mapping[str, Any], *, etag: str | None, tags: Mapping[str, str] | None = None
    ) -> str:
        if not self.release.is_set() and self._hold(name, data):
            self.holding.set()
            await self.release.wait()
        return await self.inner.put(name, data, etag=etag, tags=tags)
