"""What both stores' evidence uploads share: gather the bytes into blocks as they arrive, hand each
block to the store (which hashes it and writes or stages it), and never drop the staged bytes while
a block is still being written.

On Azure one block is staged while the next one fills (network time overlaps the download; two
blocks is the memory bound). Locally each block is written before the next one fills: see
`overlap` for why waiting is the faster choice in Python.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable

from bot.storage.store import EvidenceMeta, Staged


class BlockPipeline:
    """Gathers `write`s into blocks of `block_bytes` and hands each to `store_block` (hash and
    store it; implemented by each store), at most one running while the next block fills. A block
    is the list of chunks as written, not a copy: callers must not change a chunk once written."""

    def __init__(self, block_bytes: int, *, overlap: bool) -> None:
        """`overlap`: let a block be stored while the next one fills (an upload over the network).
        Off for work in a worker thread: the event loop, busy receiving, would hold the GIL the
        thread needs back after every call that released it, a switch interval (5 ms) each time;
        waiting instead leaves the loop idle while the kernel keeps receiving into the socket."""
        self._block_bytes = block_bytes
        self._overlap = overlap
        self._block: list[bytes] = []
        self._buffered = 0
        self._inflight: asyncio.Task[None] | None = None
        self._blocks = 0
        self.size = 0
        self.hasher = hashlib.sha256()
        self.staged: Staged | None = None
        self.closed = False  # committed or aborted

    def store_block(self, index: int, chunks: list[bytes]) -> Awaitable[None]:
        """Hash the block's `chunks` (into `self.hasher`, in order) and store them as one block;
        `index` counts from 0."""
        raise NotImplementedError

    async def seal(self) -> None:
        """Make every stored block durable (after the last one); the default has nothing to do."""

    async def write(self, data: bytes) -> None:
        if self.staged is not None or self.closed:
            raise RuntimeError("this upload takes no more bytes")
        self._block.append(data)
        self._buffered += len(data)
        self.size += len(data)
        if self._buffered >= self._block_bytes:
            await self._flush()

    async def finish(self) -> Staged:
        if self.closed:
            raise RuntimeError("this upload is closed")
        if self.staged is None:
            if self._block or self._blocks == 0:
                await self._flush()
            await self._drain()
            await self.seal()
            self.staged = Staged(self.hasher.hexdigest(), self.size)
        return self.staged

    def check_meta(self, meta: EvidenceMeta) -> None:
        if self.staged is None or (meta.sha256, meta.size) != (self.staged.sha256, self.staged.size):
            raise ValueError("the metadata does not describe the staged bytes")

    async def _flush(self) -> None:
        await self._drain()
        block, self._block, self._buffered = self._block, [], 0
        index = self._blocks
        self._blocks += 1
        self._inflight = asyncio.ensure_future(self.store_block(index, block))
        if not self._overlap:
            await self._drain()

    async def _drain(self) -> None:
        """Wait for the block in flight. Shielded: a cancelled download must not cancel a write
        half-way (a worker thread cannot be stopped); `settle` waits for it before dropping."""
        if self._inflight is not None:
            await asyncio.shield(self._inflight)
            self._inflight = None

    async def settle(self) -> None:
        """Let the block in flight end, whatever its outcome: nothing may still be writing when
        the staged bytes are dropped."""
        inflight, self._inflight = self._inflight, None
        self._block, self._buffered = [], 0
        if inflight is None:
            return
        await asyncio.wait([inflight])
        if not inflight.cancelled():
            inflight.exception()  # retrieved: the bytes are being dropped, the failure no longer matters
