"""Where the local store's work runs: a document's read, write and delete on the event loop, only
the fsync (and a request whose lock someone else holds) in a worker thread; durability unchanged.

The worker threads are counted at the event loop's executor (a real ThreadPoolExecutor that counts
what it is given): each hand-off cost more CPU than the file work it carried (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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


async def test_a_write_is_one_thread_call_and_a_read_or_delete_none(tmp_path: Path, executor: CountingExecutor) -> None:
    store = LocalStore(tmp_path)
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
    store = LocalStore(tmp_path)
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
    store = LocalStore(tmp_path)
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
    store = LocalStore(tmp_path)
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
