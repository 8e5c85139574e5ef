"""The app caps glibc's arenas at start-up (bot/hosting/malloc.py), unless the operator set
MALLOC_ARENA_MAX; checked in a fresh interpreter, as `python app.py` starts, by counting the
arenas glibc reports (`malloc_info`) after 16 threads allocated at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import ctypes, ctypes.util, sys, threading
from bot.hosting.malloc import limit_arenas
print(limit_arenas())
barrier = threading.Barrier(16)
def churn():
    barrier.wait()
    for _ in range(300):
        blocks = [bytearray(4000) for _ in range(50)]
        del blocks
threads = [threading.Thread(target=churn) for _ in range(16)]
[t.start() for t in threads]
[t.join() for t in threads]
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
out = libc.fopen(sys.argv[1].encode(), b"w")
libc.malloc_info(0, out)
libc.fclose(out)
print(open(sys.argv[1]).read().count("<heap nr="))
"""


def run(env: dict[str, str], tmp_path: Path) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "info.xml")],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    said, arenas = done.stdout.split()
    return said, int(arenas)


def test_the_app_caps_the_arenas(tmp_path: Path) -> None:
    assert run({}, tmp_path) == ("True", 2)


def test_the_operators_setting_wins(tmp_path: Path) -> None:
    said, arenas = run({"MALLOC_ARENA_MAX": "64"}, tmp_path)
    assert said == "False"
    assert arenas > 2  # what the bot had before: an arena per busy thread, up to 8 a core


TRIM_PROBE = """
import asyncio, random, sys
from bot.hosting.malloc import Trimmer
from bot.hosting.memory_trace import rss_kib
blocks = [bytearray(random.randint(600, 60000)) for _ in range(3000)]
kept = blocks[::3]  # a third stays, scattered: the freed two thirds cannot go back by themselves
del blocks
before = rss_kib()
async def main():
    trimmer = Trimmer(0.05)
    trimmer.start()
    await asyncio.sleep(0.3)
    await trimmer.stop()
asyncio.run(main())
print(before, rss_kib(), len(kept))
"""


def test_the_trimmer_gives_freed_memory_back(tmp_path: Path) -> None:
    """What the soak showed: memory freed between long-lived blocks stays in the process (resident)
    until `malloc_trim` gives its pages back; the app's Trimmer calls it every MALLOC_TRIM_SECONDS."""
    done = subprocess.run([sys.executable, "-c", TRIM_PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    before, after, _ = (int(x) for x in done.stdout.split())
    assert before - after > 20 * 1024  # about 60 MiB freed, 50 given back on this machine
