"""An opt-in memory trace, to tell a leak from caches filling up (issue 16's soak).

Off unless `MEMORY_TRACE_FILE` is set; then nothing of it exists (no tracemalloc, no task), so it
costs nothing. On, it starts `tracemalloc` and every `MEMORY_TRACE_SECONDS` appends one JSON line
to the file: the process's RSS, what C's allocator holds and how much of it is free (arenas
that only fragment), the traced Python total, the allocation sites (file:line) that grew most since the first
sample and since the last one, and how full every bounded per-instance memory is (`Lru`). A cache
stops growing at its bound; a leak keeps growing past every bound. Only code locations and counts
are written: no ids, names or texts.

tracemalloc slows allocation by about a third: use it on a benchmark or a staging slot, not in
production.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
import logging
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bot.hosting.logs import fields
from bot.services.bounded import Lru

log = logging.getLogger(__name__)

TOP = 15
FRAMES = 1  # one frame per trace: the allocation site, cheap enough for a 10-minute run
_IGNORED = (
    tracemalloc.__file__,
    "<frozen importlib._bootstrap>",
    "<frozen importlib._bootstrap_external>",
    "<unknown>",
)


def _filtered(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snapshot.filter_traces([tracemalloc.Filter(False, pattern) for pattern in _IGNORED])


def _top(new: tracemalloc.Snapshot, old: tracemalloc.Snapshot) -> list[dict[str, Any]]:
    rows = []
    for stat in new.compare_to(old, "lineno")[:TOP]:
        frame = stat.traceback[0]
        rows.append(
            {
                "where": f"{_short(frame.filename)}:{frame.lineno}",
                "kib": round(stat.size / 1024, 1),
                "kib_diff": round(stat.size_diff / 1024, 1),
                "count_diff": stat.count_diff,
            }
        )
    return rows


def _short(filename: str) -> str:
    """The path from the package root on (site-packages/…, bot/…), not the machine's folders."""
    for marker in ("site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    parts = Path(filename).parts
    return "/".join(parts[-3:])


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo() -> Any:
    """glibc's `mallinfo2` (2.33+), or None elsewhere (musl, macOS)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        function = libc.mallinfo2
    except (OSError, AttributeError):
        return None
    function.restype = _MallInfo2
    return function


MALLINFO2 = _mallinfo()  # glibc's mallinfo2 (returns _MallInfo2), or None; benchmarks/memory_stats.py uses it too


def malloc_kib() -> dict[str, int]:
    """What C's allocator holds beside Python's own arenas: its heaps (all threads' arenas) and
    large blocks, how much of that is in use, and how much is free but kept (fragmentation)."""
    if MALLINFO2 is None:
        return {}
    info = MALLINFO2()
    return {
        "held_kib": (info.arena + info.hblkhd) // 1024,
        "in_use_kib": (info.uordblks + info.hblkhd) // 1024,
        "free_kib": info.fordblks // 1024,
    }


def rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sample(first: tracemalloc.Snapshot | None, last: tracemalloc.Snapshot | None) -> tuple[dict[str, Any], Any]:
    """One line of the trace, and the snapshot it was taken from."""
    snapshot = _filtered(tracemalloc.take_snapshot())
    current, peak = tracemalloc.get_traced_memory()
    line: dict[str, Any] = {
        "at": time.time(),
        "traced_kib": round(current / 1024),
        "peak_kib": round(peak / 1024),
        "tracemalloc_own_kib": round(tracemalloc.get_tracemalloc_memory() / 1024),
        "rss_kib": rss_kib(),
        "malloc": malloc_kib(),
        "caches": Lru.fill(),
    }
    if first is not None:
        line["since_first"] = _top(snapshot, first)
    if last is not None:
        line["since_last"] = _top(snapshot, last)
    return line, snapshot


class MemoryTrace:
    """The periodic sampler. `start` and `stop` are called by the app's lifecycle."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path = path
        self.seconds = seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        tracemalloc.start(FRAMES)
        self._task = asyncio.get_running_loop().create_task(self._run())
        log.warning("memory trace on: tracemalloc runs and samples go to a file (diagnostics only)")

    async def _run(self) -> None:
        first: tracemalloc.Snapshot | None = None
        last: tracemalloc.Snapshot | None = None
        while True:
            await asyncio.sleep(self.seconds)
            try:
                line, snapshot = await asyncio.to_thread(sample, first, last)
                line["interval"] = self.seconds
                with self.path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(line) + "\n")
            except OSError as exc:  # a full disk or a removed folder must not stop the bot
                log.warning("memory trace not written", extra=fields(error=type(exc).__name__))
                continue
            first = first or snapshot
            last = snapshot

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if tracemalloc.is_tracing():
            tracemalloc.stop()
