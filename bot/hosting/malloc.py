"""Fewer C allocator arenas, so the process's memory stays flat under load.

glibc gives every thread that allocates while another holds an arena's lock an arena of its own,
up to eight per core. The bot runs blocking work (the local store's files, JSON of documents,
botbuilder's connector calls) on a pool of `WORKER_THREADS` threads, so it ends up with 16 arenas
on 2 cores; memory freed in one arena is only reused by the threads that land on it, and each
arena keeps its free memory. The 30 November soak showed it: the Python heap (tracemalloc) flat at
about 6 MiB while the allocator's held memory grew 41 -> 76 MiB in three minutes, a third of it
free; with two arenas it levelled off at about 54 MiB (docs/performance.md, "Soak").

Two arenas is what `MALLOC_ARENA_MAX=2` sets; it is done here at start-up, before any worker
thread exists, so it holds however the app is started (App Service's `python app.py`, a test
harness). An operator's own `MALLOC_ARENA_MAX` wins. Elsewhere than glibc this does nothing.

Memory freed between blocks still in use stays resident: glibc gives pages back by itself only
from the top of a heap. `Trimmer` calls `malloc_trim(0)` every `MALLOC_TRIM_SECONDS` (60), which
gives back every free page; about 5 ms for a 90 MiB heap, in a worker thread. What it changes in
the soak is in docs/performance.md ("The soak's growth, 30 November evening").
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import os
from typing import Any

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap the allocator's arenas; True if it was set here. Call before threads start."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # glibc read it at start-up: the operator's choice
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count))


def _malloc_trim() -> Any:
    """glibc's `malloc_trim`, or None elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        function = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


_TRIM = _malloc_trim()


def trim() -> bool:
    """Give the free pages the allocator holds back to the system (all arenas, also those inside
    a heap, not only at its top). True if something was released; False elsewhere than glibc."""
    return bool(_TRIM(0)) if _TRIM is not None else False


class Trimmer:
    """`trim()` every `seconds`, in a worker thread (it walks the arenas and holds their locks for
    a few milliseconds). Started and stopped with the app."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if _TRIM is not None and self.seconds > 0:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            await asyncio.to_thread(trim)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
