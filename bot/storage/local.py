"""The Store over a local folder: development, tests, and single-machine deployments.

Layout under `root` (the same names as the blob store, plus hidden bookkeeping):

    {name}                          documents (JSON envelope: etag, tags, data), evidence bytes,
                                    audit logs (JSON lines), leases (`locks/{name}`)
    .meta/{name}                    evidence metadata (JSON)
    .index/{key}/{value}/{name}     one entry per tag of a document (escaped components); a
                                    document's entries are hard links to one file holding its name
    .locks/{name}                   flock targets, one per name
    .tmp/                           temp files, renamed or linked into place (evidence is
                                    staged here while it streams in; see local_upload)

Every read-compare-write runs under an exclusive flock on the name's lock file, so writers in
other threads and other processes on this machine serialise. Index entries are added before the
document is replaced and removed after, so a crash leaves at most stale entries, which `find`
filters out by checking the document's own tags.

Where the work runs. A document's read, write and delete are small: a few system calls that wait
on nothing but the page cache, tens of microseconds, except the fsync of a write, which waits on
the disk. Handing each request to a worker thread cost more than the work (the hand-off, the GIL
passed back and forth at every system call the thread made, the kernel switching threads: about
two thirds of a report's "send" turn on this store went there, docs/performance.md). So these
run on the event loop, and only what can wait goes to a thread: the fsync of a write's temp file
(one thread call per write; the temp file is nobody else's until it is renamed into place, so no
lock is held meanwhile) and an audit append's fsync; and the whole request when its lock is held
by someone else (another thread, another process): the loop never waits on a lock
(`lf.try_flock`), a thread does. Durability is unchanged: a document is renamed into place only
after its temp file's fsync returned, an audit line is acknowledged only after its fsync. Finds,
listings, purges, leases and evidence stay in threads (they may walk large folders or move
megabytes).

Why the fsyncs have threads of their own (`FSYNC_THREADS`). An audit append on the loop holds the
log's lock until its fsync and close have run. Had that fsync queued in the loop's shared pool, it
could wait behind threads that wait for that very lock (appends that found it held): with every
thread of the pool so taken, nothing ever ran again (CI hung on 30 concurrent appends to one log).
The fsync threads only sync and close, so they always finish; and the sync is shielded, so a
cancelled caller still closes its descriptor and releases its lock.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from bot.errors import AlreadyExists, Conflict, NotFound
from bot.storage import local_files as lf
from bot.storage import names
from bot.storage.local_upload import LocalEvidenceUpload, sweep_temp_files
from bot.storage.store import Document, EvidenceMeta, Lease, check_name, check_tag, check_tags

_READ_CHUNK = 1024 * 1024  # a reader's chunk: one open per MiB is nothing next to the copy

# The threads that sync and close what the loop wrote (see the module's docstring): never a thread
# that waits on a lock. As many as the loop's default pool would have given them.
FSYNC_THREADS: Executor = ThreadPoolExecutor(
    max_workers=min(32, (os.cpu_count() or 1) + 4), thread_name_prefix="localstore-fsync"
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def meta_to_json(meta: EvidenceMeta) -> dict[str, Any]:
    raw = asdict(meta)
    raw["uploaded_at"] = meta.uploaded_at.isoformat()
    return raw


def meta_from_json(raw: Mapping[str, Any]) -> EvidenceMeta:
    return EvidenceMeta(
        sha256=str(raw["sha256"]),
        size=int(raw["size"]),
        content_type=str(raw["content_type"]),
        original_name=str(raw["original_name"]),
        uploaded_by=str(raw["uploaded_by"]),
        uploaded_at=datetime.fromisoformat(str(raw["uploaded_at"])),
    )


class LocalStore:
    """A `Store` over a folder; safe for concurrent writers across threads and processes."""

    def __init__(
        self, root: Path, *, clock: Callable[[], datetime] | None = None, fsync_threads: Executor | None = None
    ) -> None:
        """`clock` is the time leases are counted in (tests move it by hand); the wall clock by default.
        `fsync_threads` sync and close what the loop wrote; `FSYNC_THREADS` by default."""
        self._root = Path(root)
        self._fsync_threads = fsync_threads or FSYNC_THREADS
        self._now = clock or (lambda: datetime.now(UTC))
        self._tmp = self._root / ".tmp"
        # The same folders as strings, for the paths of a document's read, write and delete: built
        # by joining strings, not Path objects (pathlib's parsing was ~4 % of a "send" turn).
        self._root_s = os.fspath(self._root)
        self._tmp_s = os.path.join(self._root_s, ".tmp")
        self._locks_s = os.path.join(self._root_s, ".locks")
        self._index_s = os.path.join(self._root_s, ".index")

    # -- paths --------------------------------------------------------------------------------
    def _path(self, name: str) -> Path:
        return self._root / check_name(name)

    def _lock(self, name: str) -> Path:
        return self._root / ".locks" / lf.encode_component(name)

    def _file(self, name: str) -> str:
        return os.path.join(self._root_s, check_name(name))

    def _lock_file(self, name: str) -> str:
        return os.path.join(self._locks_s, lf.encode_component(name))

    def _index_folder(self, key: str, value: str) -> str:
        return os.path.join(self._index_s, lf.encode_component(key), lf.encode_component(value))

    def _index_dir(self, key: str, value: str | None = None) -> Path:
        folder = self._root / ".index" / lf.encode_component(key)
        return folder if value is None else folder / lf.encode_component(value)

    # -- documents ----------------------------------------------------------------------------
    def _read_envelope(self, name: str) -> dict[str, Any] | None:
        raw = lf.read_bytes_or_none(self._file(name))
        if raw is None:
            return None
        envelope: dict[str, Any] = json.loads(raw)
        return envelope

    async def get(self, name: str) -> Document | None:
        envelope = self._read_envelope(name)  # on the loop: see the module's docstring
        if envelope is None:
            return None
        return Document(data=envelope["data"], etag=envelope["etag"])

    async def put(
        self,
        name: str,
        data: Mapping[str, Any],
        *,
        etag: str | None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        check_name(name)
        new_tags = check_tags(tags or {})
        new_etag = uuid.uuid4().hex
        payload = _dumps({"etag": new_etag, "tags": new_tags, "data": dict(data)})
        # The new content goes to a temp file first, synced in one thread call with no lock held
        # (nobody else knows the file); then, under the lock, the ETag check and the rename.
        tmp = os.path.join(self._tmp_s, uuid.uuid4().hex)
        fd = lf.open_new_file(tmp, payload)
        try:
            await self._sync_and_close(fd)
        except BaseException:
            _unlink_if_there(tmp)
            raise
        await self._under_lock(name, self._commit_put, name, tmp, etag, new_tags)  # removes tmp if refused
        return new_etag

    async def _under_lock(self, name: str, work: Callable[..., Any], *args: Any) -> Any:
        """`work(*args)` under the name's exclusive flock: on the event loop when the lock is free
        (the read-compare-rename of a small document), else in a worker thread that waits for it."""
        fd = lf.try_flock(self._lock_file(name))
        if fd is None:
            return await asyncio.to_thread(self._locked_sync, name, work, *args)
        try:
            return work(*args)
        finally:
            os.close(fd)  # releases the lock

    def _locked_sync(self, name: str, work: Callable[..., Any], *args: Any) -> Any:
        with lf.flocked(self._lock_file(name)):
            return work(*args)

    def _commit_put(self, name: str, tmp: str, etag: str | None, tags: dict[str, str]) -> None:
        """Under the name's lock: check the ETag, add the new index entries, rename the synced temp
        file into place, remove the old entries. The temp file is gone afterwards, whatever happens."""
        try:
            old = self._read_envelope(name)
            if etag is None and old is not None:
                raise AlreadyExists(name)
            if etag is not None and (old is None or old["etag"] != etag):
                raise Conflict(name)
            old_tags: dict[str, str] = old["tags"] if old else {}
            entry = lf.encode_component(name)
            kept = next((kv for kv in old_tags.items() if tags.get(kv[0]) == kv[1]), None)
            like = os.path.join(self._index_folder(*kept), entry) if kept else None  # new entries link to it
            for key, value in tags.items():
                if old_tags.get(key) != value:
                    like = lf.add_entry(self._index_folder(key, value), entry, name, like)
            lf.move_into_place(tmp, self._file(name))
        except BaseException:
            _unlink_if_there(tmp)
            raise
        for key, value in old_tags.items():
            if tags.get(key) != value:
                lf.remove_entry(self._index_folder(key, value), entry)

    async def delete(self, name: str, *, etag: str | None = None) -> None:
        check_name(name)
        await self._under_lock(name, self._delete_locked, name, etag)

    def _delete_locked(self, name: str, etag: str | None) -> None:
        old = self._read_envelope(name)
        if old is None:
            return
        if etag is not None and old["etag"] != etag:
            raise Conflict(name)
        os.unlink(self._file(name))
        entry = lf.encode_component(name)
        for key, value in old["tags"].items():
            lf.remove_entry(self._index_folder(key, value), entry)

    async def find(
        self,
        equals: Mapping[str, str],
        *,
        at_most: Mapping[str, str] | None = None,
        at_least: Mapping[str, str] | None = None,
    ) -> list[str]:
        bounds = [(key, value, True) for key, value in (at_most or {}).items()]
        bounds += [(key, value, False) for key, value in (at_least or {}).items()]
        for key, value in [*equals.items(), *((k, v) for k, v, _ in bounds)]:
            check_tag(key, value)
        if not equals and not bounds:
            raise ValueError("find needs at least one condition")
        return await asyncio.to_thread(self._find_sync, dict(equals), bounds)

    def _entries(self, folder: Path) -> set[str]:
        names = set()
        for component in lf.list_dir(folder):
            name = lf.decode_component(component)
            if name is None:  # hashed: the entry's content holds the name
                raw = lf.read_bytes_or_none(folder / component)
                name = raw.decode() if raw else None
            if name:
                names.add(name)
        return names

    def _find_sync(self, equals: dict[str, str], bounds: list[tuple[str, str, bool]]) -> list[str]:
        """Start from the smallest part of the index and never list a large one: a range's folders
        (its values are listed, their entries read), else the equality folder whose directory is
        smallest. The other equalities are checked per candidate by one `stat` of its entry, and
        each survivor against its document's own tags. So "cases reported by X" costs
        X's cases, not every case's entry."""
        if bounds:
            groups = [self._range(key, bound, upper) for key, bound, upper in bounds]
            candidates = min(groups, key=len).intersection(*groups)
            rest = list(equals.items())
        else:
            folders = sorted(equals.items(), key=lambda kv: self._folder_size(self._index_dir(*kv)))
            candidates = self._entries(self._index_dir(*folders[0]))
            rest = folders[1:]
        for key, value in rest:
            folder = self._index_dir(key, value)
            candidates = {n for n in candidates if os.path.exists(folder / lf.encode_component(n))}
        found = []
        for name in candidates:  # the index may hold stale entries (crash, concurrent write)
            envelope = self._read_envelope(name)
            if envelope is None:
                continue
            tags: dict[str, str] = envelope["tags"]
            if all(tags.get(k) == v for k, v in equals.items()) and all(
                k in tags and _within(tags[k], bound, upper) for k, bound, upper in bounds
            ):
                found.append(name)
        return sorted(found)

    def _range(self, key: str, bound: str, upper: bool) -> set[str]:
        names: set[str] = set()
        for component in lf.list_dir(self._index_dir(key)):
            value = lf.decode_component(component)
            if value is None or _within(value, bound, upper):  # hashed values: checked on the document
                names |= self._entries(self._index_dir(key) / component)
        return names

    @staticmethod
    def _folder_size(folder: Path) -> int:
        """A directory's size grows with its entries (ext4, tmpfs, overlay): a free estimate of
        how many names a listing would return. A missing folder is empty."""
        try:
            return os.stat(folder).st_size
        except FileNotFoundError:
            return -1

    async def list(self, prefix: str) -> list[str]:
        if prefix.rstrip("/"):
            check_name(prefix.rstrip("/"))
        return await asyncio.to_thread(self._list_sync, prefix)

    def _list_sync(self, prefix: str) -> builtins.list[str]:
        start = self._root / prefix.rpartition("/")[0]
        found = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = Path(dirpath).relative_to(self._root).as_posix()
            for file in filenames:
                name = file if rel == "." else f"{rel}/{file}"
                if name.startswith(prefix) and not file.startswith("."):
                    found.append(name)
        return sorted(found)

    async def purge(self, prefix: str) -> int:
        check_name(prefix.rstrip("/"))
        return await asyncio.to_thread(self._purge_sync, prefix)

    def _purge_sync(self, prefix: str) -> int:
        count = 0
        for name in self._list_sync(prefix):
            with lf.flocked(self._lock(name)):
                # Bytes first: they are evidence's commit point, so a half-done purge reads as gone.
                self._path(name).unlink(missing_ok=True)
                (self._root / ".meta" / name).unlink(missing_ok=True)
            count += 1
        return count

    # -- evidence -----------------------------------------------------------------------------
    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        path = self._path(name)
        if await asyncio.to_thread(path.exists):
            raise AlreadyExists(name)  # cheap early answer; the real check is under the lock
        tmp = await asyncio.to_thread(lf.temp_path, self._tmp)
        file: BinaryIO = await asyncio.to_thread(open, tmp, "xb")
        try:
            try:
                async for chunk in source:
                    await asyncio.to_thread(file.write, chunk)
                await asyncio.to_thread(file.flush)
                await asyncio.to_thread(os.fsync, file.fileno())
            finally:
                await asyncio.to_thread(file.close)
            await asyncio.to_thread(self._commit_evidence, name, tmp, _dumps(meta_to_json(meta)))
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)

    def begin_evidence(self) -> LocalEvidenceUpload:
        return LocalEvidenceUpload(self._tmp, self._commit_staged)

    def _commit_staged(self, name: str, tmp: Path, meta: EvidenceMeta) -> None:
        self._commit_evidence(name, tmp, _dumps(meta_to_json(meta)))

    async def sweep_staged_evidence(self, older_than: timedelta) -> int:
        cutoff = time.time() - older_than.total_seconds()
        return await asyncio.to_thread(sweep_temp_files, self._tmp, cutoff)

    def _commit_evidence(self, name: str, tmp: Path, meta: bytes) -> None:
        with lf.flocked(self._lock(name)):
            if self._path(name).exists():
                raise AlreadyExists(name)
            # Metadata first, bytes last: the bytes appearing is the commit point.
            lf.replace_atomically(self._root / ".meta" / name, meta, self._tmp)
            if not lf.link_create_only(tmp, self._path(name)):
                raise AlreadyExists(name)

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None:
        return await asyncio.to_thread(self._meta_sync, name)

    async def delete_evidence(self, name: str) -> None:
        check_name(name)
        await asyncio.to_thread(self._delete_evidence_sync, name)

    def _delete_evidence_sync(self, name: str) -> None:
        with lf.flocked(self._lock(name)):
            # Bytes first: they are the commit point, so a half-done delete reads as "absent".
            self._path(name).unlink(missing_ok=True)
            (self._root / ".meta" / name).unlink(missing_ok=True)

    def _meta_sync(self, name: str) -> EvidenceMeta | None:
        if not self._path(name).exists():
            return None
        raw = lf.read_bytes_or_none(self._root / ".meta" / name)
        return None if raw is None else meta_from_json(json.loads(raw))

    async def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        """Each chunk is read by one thread call that opens, reads and closes: no file handle
        lives across an `await`, so a reader cancelled mid-way (a client gone, a server shutting
        down) cannot leave a file open. Evidence is write-once, so re-opening reads the same bytes."""
        path = self._path(name)
        offset = 0
        while True:
            try:
                chunk = await asyncio.to_thread(_read_at, path, offset, _READ_CHUNK)
            except FileNotFoundError:
                raise NotFound(name) from None
            if not chunk:
                return
            offset += len(chunk)
            yield chunk

    async def evidence_read_url(self, name: str, minutes: int) -> str | None:
        return None  # the web layer serves local evidence itself

    # -- audit --------------------------------------------------------------------------------
    def _audit_path(self, case_id: str) -> str:
        return self._file(names.audit_log(case_id))

    async def append_audit(self, case_id: str, entry: Mapping[str, Any]) -> None:
        line = _dumps(dict(entry)) + b"\n"
        await self._append(self._audit_path(case_id), line)

    async def append_audit_lines(self, case_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
        if not entries:
            return
        lines = b"".join(_dumps(dict(entry)) + b"\n" for entry in entries)
        await self._append(self._audit_path(case_id), lines)

    async def _append(self, path: str, lines: bytes) -> None:
        """The lines written on the loop under the log's flock (one writer's lines together, even
        if a write were split), then synced and closed in one thread call: the close, after the
        fsync, releases the lock, so a reader sees them only once they are on disk. A log whose
        lock is held elsewhere is appended to in a thread that waits for it."""
        fd = lf.open_making_folder(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lf.write_fd(fd, lines)
        except BlockingIOError:
            os.close(fd)
            await asyncio.to_thread(self._append_sync, path, lines)
            return
        except BaseException:
            os.close(fd)
            raise
        await self._sync_and_close(fd)  # releases the lock

    async def _sync_and_close(self, fd: int) -> None:
        """fsync and close `fd` in the fsync threads, never behind a thread that waits on a lock; run
        to its end even if the caller is cancelled (the descriptor may hold a lock others wait for)."""
        syncing = asyncio.get_running_loop().run_in_executor(self._fsync_threads, lf.sync_and_close, fd)
        await asyncio.shield(syncing)

    @staticmethod
    def _append_sync(path: str, lines: bytes) -> None:
        fd = lf.open_making_folder(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # one writer's lines together, even if a write were split
            lf.write_fd(fd, lines)
            os.fsync(fd)
        finally:
            os.close(fd)

    async def read_audit(self, case_id: str) -> builtins.list[dict[str, Any]]:
        path = self._audit_path(case_id)
        raw = self._read_log_now(path)  # on the loop when no writer holds the log
        if raw is None:
            raw = await asyncio.to_thread(self._read_log, path)
        return [json.loads(line) for line in raw.splitlines() if line.strip()]

    @staticmethod
    def _read_log_now(path: str) -> bytes | None:
        """The log under a shared flock taken without waiting; None when a writer holds it."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return b""
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            with open(fd, "rb", closefd=False) as file:
                return file.read()
        finally:
            os.close(fd)

    @staticmethod
    def _read_log(path: str) -> bytes:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return b""
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with open(fd, "rb", closefd=False) as file:
                return file.read()
        finally:
            os.close(fd)

    # -- leases -------------------------------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: int) -> Lease | None:
        """Any positive `seconds` is accepted here (tests use short ones); Azure needs 15..60."""
        if seconds <= 0:
            raise ValueError("lease seconds must be positive")
        return await asyncio.to_thread(self._acquire_sync, names.lease(name), name, owner, seconds)

    def _acquire_sync(self, path_name: str, name: str, owner: str, seconds: int) -> Lease | None:
        path = self._path(path_name)
        with lf.flocked(self._lock(path_name)):
            now = self._now()
            raw = lf.read_bytes_or_none(path)
            current: dict[str, str] | None = json.loads(raw) if raw else None
            mine = current is not None and current["owner"] == owner
            if current and not mine and datetime.fromisoformat(current["expires_at"]) > now:
                return None
            token = current["token"] if current and mine else uuid.uuid4().hex
            expires_at = now + timedelta(seconds=seconds)
            record = {"owner": owner, "expires_at": expires_at.isoformat(), "token": token}
            lf.replace_atomically(path, _dumps(record), self._tmp)
        return Lease(name=name, owner=owner, expires_at=expires_at, token=token)

    async def release_lease(self, lease: Lease) -> None:
        await asyncio.to_thread(self._release_sync, names.lease(lease.name), lease.token)

    def _release_sync(self, path_name: str, token: str) -> None:
        path = self._path(path_name)
        with lf.flocked(self._lock(path_name)):
            raw = lf.read_bytes_or_none(path)
            if raw and json.loads(raw).get("token") == token:
                path.unlink()

    async def close(self) -> None:
        return None


def _unlink_if_there(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _within(value: str, bound: str, upper: bool) -> bool:
    """`value <= bound` for an upper bound (at_most), `value >= bound` for a lower one (at_least)."""
    return value <= bound if upper else value >= bound


def _read_at(path: Path, offset: int, size: int) -> bytes:
    with path.open("rb") as file:
        file.seek(offset)
        return file.read(size)
