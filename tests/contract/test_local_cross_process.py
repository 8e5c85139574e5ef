"""LocalStore between processes: two Python processes increment one document with retries."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from asyncio.subprocess import PIPE
from datetime import timedelta
from pathlib import Path

from bot.storage.local import LocalStore

REPO_ROOT = Path(__file__).resolve().parents[2]

INCREMENTER = """
import asyncio, os, sys, time
from pathlib import Path
from bot.errors import Conflict
from bot.storage.local import LocalStore

async def main(root: str, times: int) -> None:
    store = LocalStore(Path(root))
    conflicts = 0
    Path(root, f"ready-{os.getpid()}").touch()
    while not Path(root, "go").exists():  # start together, so the writers really race
        time.sleep(0.005)
    for _ in range(times):
        while True:
            doc = await store.get("counters/shared.json")
            try:
                await store.put("counters/shared.json", {"n": doc.data["n"] + 1}, etag=doc.etag)
                break
            except Conflict:
                conflicts += 1
    await store.append_audit("shared", {"pid": os.getpid()})
    print(conflicts)

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def _start_when_ready(folder: Path, count: int) -> None:
    while len(list(folder.glob("ready-*"))) < count:
        time.sleep(0.01)
    (folder / "go").touch()


async def test_two_processes_incrementing_one_document(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    await store.put("counters/shared.json", {"n": 0}, etag=None)
    times = 200
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", INCREMENTER, str(tmp_path), str(times), cwd=REPO_ROOT, stdout=PIPE
        )
        for _ in range(2)
    ]
    async with asyncio.timeout(60):
        await asyncio.to_thread(_start_when_ready, tmp_path, 2)
        outputs = await asyncio.gather(*(p.communicate() for p in processes))
    assert [p.returncode for p in processes] == [0, 0]
    assert sum(int(out) for out, _ in outputs) > 0  # they did collide, and retried
    doc = await store.get("counters/shared.json")
    assert doc is not None and doc.data["n"] == 2 * times
    assert len(await store.read_audit("shared")) == 2


CRASHING_UPLOAD = """
import asyncio, sys, time
from pathlib import Path
from bot.storage.local import LocalStore

async def main(root: str) -> None:
    upload = LocalStore(Path(root)).begin_evidence()
    for _ in range(3):
        await upload.write(b"\\x89PNG" + bytes(1024 * 1024))
    await upload.finish()
    print("staged", flush=True)
    time.sleep(60)  # killed here: neither commit nor abort ever runs

asyncio.run(main(sys.argv[1]))
"""


async def test_a_process_killed_mid_upload_leaves_a_temp_file_that_the_sweep_removes(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHING_UPLOAD, str(tmp_path), cwd=REPO_ROOT, stdout=PIPE
    )
    async with asyncio.timeout(60):
        assert process.stdout is not None
        assert await process.stdout.readline() == b"staged\n"
        process.kill()
        await process.wait()
    [left] = list((tmp_path / ".tmp").iterdir())
    assert left.stat().st_size == 3 * (1024 * 1024 + 4)
    store = LocalStore(tmp_path)
    assert await store.sweep_staged_evidence(timedelta(minutes=6)) == 0  # young: could be in use
    assert await store.list("") == []  # and never visible under any name
    old = time.time() - 3600
    os.utime(left, (old, old))  # the next start, an hour later
    assert await store.sweep_staged_evidence(timedelta(minutes=6)) == 1
    assert list((tmp_path / ".tmp").iterdir()) == []
