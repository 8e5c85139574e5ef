"""Where the local store's work runs: a document's read, write and delete on the event loop, only
the fsync (and a request whose lock someone else holds) in a worker thread; durability unchanged;
and the fsync that releases a lock never waits behind a thread that waits for that lock.

The worker threads are counted at the event loop's executor (a real ThreadPoolExecutor that counts
what it is given): each hand-off cost more CPU than the file work it carried (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.errors import AlreadyExists, Conflict
from bot.storage import local_files as lf
from bot.storage.local import LocalStore

NAME = "cases/0123456789abcdef0123456789abcdef.json"
TAGS = {"kind": "case", "status": "open"}


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.calls: list[str] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # asyncio.to_thread submits partial(context.run, function, *args): name the function.
        inner = fn.args[0] if isinstance(fn, functools.partial) and fn.args else fn
        self.calls.append(getattr(inner, "__name__", repr(inner)))
        return super().submit(fn, *args, **kwargs)


@pytest.fixture
def executor() -> Iterator[CountingExecutor]:
    pool = CountingExecutor()
    yield pool
    pool.shutdown(wait=True)


def counted(executor: CountingExecutor) -> CountingExecutor:
    """The running loop's executor from now on, its count from zero."""
    asyncio.get_running_loop().set_default_executor(executor)
    executor.calls.clear()
    return executor


def counting_store(root: Path, executor: CountingExecutor) -> LocalStore:
    """A store whose fsync threads are the counted executor too: every thread call in one count."""
    return LocalStore(root, fsync_threads=executor)


async def test_a_write_is_one_thread_call_and_a_read_or_delete_none(tmp_path: Path, executor: CountingExecutor) -> None:
    store = counting_store(tmp_path, executor)
    pool = counted(executor)
    etag = await store.put(NAME, {"n": 1}, etag=None, tags=TAGS)
    assert pool.calls == ["sync_and_close"]  # the temp file's fsync, nothing else
    pool.calls.clear()
    found = await store.get(NAME)
    assert found is not None and found.data == {"n": 1} and pool.calls == []
    etag = await store.put(NAME, {"n": 2}, etag=etag, tags={**TAGS, "status": "closed"})
    assert pool.calls == ["sync_and_close"]
    pool.calls.clear()
    with pytest.raises(Conflict):
        await store.delete(NAME, etag="stale")
    await store.delete(NAME, etag=etag)
    assert pool.calls == [] and await store.get(NAME) is None
    assert not list((tmp_path / ".tmp").iterdir())  # no temp file left behind


async def test_an_audit_append_is_one_thread_call_and_its_read_none(tmp_path: Path, executor: CountingExecutor) -> None:
    store = counting_store(tmp_path, executor)
    pool = counted(executor)
    assert await store.read_audit("c1") == []
    await store.append_audit_lines("c1", [{"id": "a"}, {"id": "b"}])
    await store.append_audit("c1", {"id": "c"})
    assert pool.calls == ["sync_and_close", "sync_and_close"]
    pool.calls.clear()
    assert [line["id"] for line in await store.read_audit("c1")] == ["a", "b", "c"]
    assert pool.calls == []


async def test_a_refused_write_leaves_no_temp_file_and_the_document_as_it_was(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    etag = await store.put(NAME, {"n": 1}, etag=None, tags=TAGS)
    with pytest.raises(AlreadyExists):
        await store.put(NAME, {"n": 9}, etag=None)
    with pytest.raises(Conflict):
        await store.put(NAME, {"n": 9}, etag="stale")
    found = await store.get(NAME)
    assert found is not None and found.data == {"n": 1} and found.etag == etag
    assert not list((tmp_path / ".tmp").iterdir())


async def test_the_document_is_replaced_only_after_its_new_content_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The durability of before: fsync of the new content, then the rename (never a document
    renamed into place whose bytes are not yet on disk)."""
    store = LocalStore(tmp_path)
    await store.put(NAME, {"n": 1}, etag=None)
    seen_at_fsync: list[bytes] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        seen_at_fsync.append((tmp_path / NAME).read_bytes())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    found = await store.get(NAME)
    assert found is not None
    await store.put(NAME, {"n": 2}, etag=found.etag)
    assert len(seen_at_fsync) == 1 and b'"n":1' in seen_at_fsync[0]  # the old document while syncing
    assert b'"n":2' in (tmp_path / NAME).read_bytes()


async def test_a_lock_held_elsewhere_is_waited_for_in_a_thread_not_on_the_loop(
    tmp_path: Path, executor: CountingExecutor
) -> None:
    """Another process (here: a descriptor of the test's own) holds the document's lock: the
    write waits for it in a worker thread while the loop goes on, and completes after release."""
    store = counting_store(tmp_path, executor)
    etag = await store.put(NAME, {"n": 1}, etag=None)
    lock = os.open(tmp_path / ".locks" / lf.encode_component(NAME), os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    pool = counted(executor)
    try:
        writing = asyncio.ensure_future(store.put(NAME, {"n": 2}, etag=etag))
        deleting = asyncio.ensure_future(store.delete(NAME + ".other"))
        ticks = 0
        for _ in range(20):  # the loop keeps running while both wait
            await asyncio.sleep(0.005)
            ticks += 1
        assert not writing.done() and ticks == 20
        await deleting  # another name's lock is free: done on the loop
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    await asyncio.wait_for(writing, 10)
    assert pool.calls == ["sync_and_close", "_locked_sync"]
    found = await store.get(NAME)
    assert found is not None and found.data == {"n": 2}


async def test_an_audit_log_locked_elsewhere_is_appended_to_and_read_in_a_thread(
    tmp_path: Path, executor: CountingExecutor
) -> None:
    store = counting_store(tmp_path, executor)
    await store.append_audit("c1", {"id": "a"})
    log = tmp_path / "audit" / "c1.log"
    assert log.exists()
    lock = os.open(log, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX)
    pool = counted(executor)
    try:
        appending = asyncio.ensure_future(store.append_audit("c1", {"id": "b"}))
        reading = asyncio.ensure_future(store.read_audit("c1"))
        await asyncio.sleep(0.05)
        assert not appending.done() and not reading.done()
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    await asyncio.wait_for(appending, 10)
    await asyncio.wait_for(reading, 10)
    assert sorted(pool.calls) == ["_append_sync", "_read_log"]
    assert [line["id"] for line in await store.read_audit("c1")] == ["a", "b"]


@contextlib.asynccontextmanager
async def threads_taken(executor: Executor | None, count: int) -> AsyncIterator[None]:
    """`count` threads of `executor` (None: the loop's pool) kept waiting until the block ends,
    also when it fails, so a failing test fails and does not leave the loop's shutdown waiting."""
    loop = asyncio.get_running_loop()
    release = threading.Event()
    taken = [loop.run_in_executor(executor, release.wait) for _ in range(count)]
    try:
        yield
    finally:
        release.set()
        await asyncio.gather(*taken)


async def test_the_fsync_that_releases_a_lock_never_waits_behind_the_shared_pool(tmp_path: Path) -> None:
    """Every thread of the loop's pool is taken (by appends waiting for a lock, a long find, an
    upload): an append holding its log's lock still syncs, closes and lets the others in.
    Was: its fsync queued behind them, and with the waiters holding every thread, nobody ran."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=2))
    store = LocalStore(tmp_path)
    async with threads_taken(None, 2):
        await asyncio.wait_for(store.append_audit("c1", {"id": "a"}), 10)
        etag = await asyncio.wait_for(store.put(NAME, {"n": 1}, etag=None), 10)
    assert [line["id"] for line in await store.read_audit("c1")] == ["a"]
    found = await store.get(NAME)
    assert found is not None and found.etag == etag


_MANY_APPENDS = """
import asyncio, sys
from concurrent.futures import ThreadPoolExecutor
from bot.storage.local import LocalStore

async def main():
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=2))
    store = LocalStore(sys.argv[1])
    for round_ in range(25):
        await asyncio.gather(*(store.append_audit(f"c{round_}", {"seq": i}) for i in range(30)))
        lines = await store.read_audit(f"c{round_}")
        assert sorted(line["seq"] for line in lines) == list(range(30)), lines
    print("all landed")

asyncio.run(main())
"""


def test_many_appends_to_one_log_at_once_all_land_with_a_small_pool(tmp_path: Path) -> None:
    """The contract's 30 concurrent appends to one log, 25 times over, with the loop's pool at 2
    threads. Was: an fsync queued behind the threads waiting for its lock, and nothing ran again
    (CI hung there); on the old code this hangs within a few rounds. In a child process, so that a
    hang is a failure after 60 s, not a suite that never ends."""
    child = subprocess.run(
        [sys.executable, "-c", _MANY_APPENDS, str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == 0 and child.stdout.strip() == "all landed", child.stderr


async def test_an_append_cancelled_while_it_syncs_still_releases_its_log(tmp_path: Path) -> None:
    """A caller cancelled (a request timed out, the app stops) while its append waits for its
    fsync: the sync and close still run, so the log's lock is not held for ever."""
    fsync_threads = ThreadPoolExecutor(max_workers=1)
    store = LocalStore(tmp_path, fsync_threads=fsync_threads)
    try:
        async with threads_taken(fsync_threads, 1):
            first = asyncio.ensure_future(store.append_audit("c1", {"id": "a"}))
            await asyncio.sleep(0.05)  # holding the log's lock, its sync queued behind the taken thread
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
        await asyncio.wait_for(store.append_audit("c1", {"id": "b"}), 10)
        assert [line["id"] for line in await store.read_audit("c1")] == ["a", "b"]
    finally:
        fsync_threads.shutdown(wait=False)
