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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

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
