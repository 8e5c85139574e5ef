"""Where the soak's resident memory sits, sampled inside the bot without tracemalloc (issue 16).

tracemalloc sees Python's objects (flat in the soak) but not where the process's pages are: in
glibc's heaps (and how much of them is free), in pymalloc's 1 MiB arenas, in large blocks mapped on
their own, in thread stacks, or in mapped files. `benchmarks/soak_app.py` starts `Sampler` when
MEMORY_STATS_FILE is set; every MEMORY_STATS_SECONDS (10) it appends one JSON line with:

- `rss`: /proc/self/status (VmRSS, RssAnon, RssFile, Threads) and, from /proc/self/smaps, the
  resident KiB of `[heap]` (glibc's main arena, grown with brk), of the other anonymous mappings
  (thread arenas, pymalloc arenas, large blocks, thread stacks; with their count), and of files;
- `malloc`: glibc's `mallinfo2` (bytes taken from the system in its arenas, mapped large blocks,
  in use, free, free at the top) and the number of arenas (`malloc_info`);
- `pymalloc`: arenas now / at most / ever and bytes in used and free blocks (`_PyObject_DebugMallocStats`);
- `python`: `sys.getallocatedblocks()`, objects the GC tracks, its collections per generation;
- `threads`: Python threads alive.

It costs a few milliseconds every 10 s on one worker thread (the smaps walk and `gc.get_objects`).
Diagnostics for a benchmark only: the product's own trace is bot/hosting/memory_trace.py.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.hosting.memory_trace import MALLINFO2

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
_LIBC.open_memstream.restype = ctypes.c_void_p
_LIBC.open_memstream.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
_LIBC.fclose.argtypes = [ctypes.c_void_p]
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIBC.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
_PYMALLOC_STATS = ctypes.pythonapi._PyObject_DebugMallocStats
_PYMALLOC_STATS.argtypes = [ctypes.c_void_p]
_PYMALLOC_STATS.restype = ctypes.c_int


def _captured(write: Callable[[int], object]) -> str:
    """What a C function writes to a FILE*, caught in memory (open_memstream)."""
    buffer, size = ctypes.c_char_p(), ctypes.c_size_t()
    stream = _LIBC.open_memstream(ctypes.byref(buffer), ctypes.byref(size))
    try:
        write(stream)
    finally:
        _LIBC.fclose(stream)
    text = ctypes.string_at(buffer, size.value).decode(errors="replace")
    _LIBC.free(ctypes.cast(buffer, ctypes.c_void_p))
    return text


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern + r"\s*=\s*([\d,]+)", text)
    return int(found.group(1).replace(",", "")) if found else -1


def pymalloc() -> dict[str, int]:
    text = _captured(_PYMALLOC_STATS)
    return {
        "arenas": _number(r"# arenas allocated current", text),
        "arenas_high": _number(r"# arenas highwater mark", text),
        "arenas_total": _number(r"# arenas allocated total", text),
        "used_kib": _number(r"# bytes in allocated blocks", text) // 1024,
        "free_blocks_kib": _number(r"# bytes in available blocks", text) // 1024,
    }


def malloc() -> dict[str, int]:
    if MALLINFO2 is None:
        return {}
    info = MALLINFO2()
    xml = _captured(lambda stream: _LIBC.malloc_info(0, stream))
    return {
        "arena_kib": info.arena // 1024,  # taken from the system in all arenas (brk and thread heaps)
        "mmap_kib": info.hblkhd // 1024,  # large blocks mapped on their own
        "mmap_n": info.hblks,
        "in_use_kib": info.uordblks // 1024,
        "free_kib": info.fordblks // 1024,
        "top_kib": info.keepcost // 1024,  # free at the top of the main heap (what brk could give back)
        "arenas": xml.count("<heap nr="),
    }


def mappings() -> dict[str, int]:
    """Resident KiB by kind of mapping, from /proc/self/smaps."""
    out = {"heap_kib": 0, "anon_kib": 0, "anon_n": 0, "anon_1m_kib": 0, "file_kib": 0, "stack_kib": 0}
    kind = ""
    size = 0
    header = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if header.match(line):
            parts = line.split(None, 5)
            path = parts[5].strip() if len(parts) > 5 else ""
            start, end = (int(x, 16) for x in parts[0].split("-"))
            size = (end - start) // 1024
            if path == "[heap]":
                kind = "heap_kib"
            elif path.startswith("[stack"):
                kind = "stack_kib"
            elif path.startswith("/") or path.startswith("["):
                kind = "file_kib"
            else:
                kind = "anon_kib"
                out["anon_n"] += 1
        elif line.startswith("Rss:"):
            rss = int(line.split()[1])
            out[kind] += rss
            if kind == "anon_kib" and size == 1024:
                out["anon_1m_kib"] += rss  # a 1 MiB mapping alone: a pymalloc arena (unless merged)
    return out


def status() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "Threads"):
            out[key] = int(value.split()[0])
    return out


def sample() -> dict[str, Any]:
    stats = gc.get_stats()
    return {
        "at": time.time(),
        "rss": status() | mappings(),
        "malloc": malloc(),
        "pymalloc": pymalloc(),
        "python": {
            "blocks": sys.getallocatedblocks(),
            "gc_objects": len(gc.get_objects()),
            "gc_counts": list(gc.get_count()),
            "collections": [s["collections"] for s in stats],
            "collected": [s["collected"] for s in stats],
        },
        "threads": threading.active_count(),
    }


class Sampler(threading.Thread):
    """Appends `sample()` to `path` every `seconds`, for the life of the process."""

    def __init__(self, path: str, seconds: float) -> None:
        super().__init__(name="memory-stats", daemon=True)
        self.path = path
        self.seconds = seconds

    def run(self) -> None:
        with open(self.path, "a", buffering=1, encoding="utf-8") as out:
            while True:
                out.write(json.dumps(sample(), separators=(",", ":")) + "\n")
                time.sleep(self.seconds)
