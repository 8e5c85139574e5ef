"""Blocking file primitives for LocalStore.

Most of them wait on nothing but the file system's own work (an open, a rename, a link, a small
read or write in the page cache: microseconds), and LocalStore calls those on the event loop; what
may wait (a flock held by someone else, an fsync, a large directory walk) runs in a worker thread.

Why these shapes: `flock` locks belong to an open file description, so they exclude other threads
of this process as well as other processes; `os.replace` makes a document change all-or-nothing;
`os.link` fails if the target exists, which makes a create-only write atomic.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

# File names longer than this (after escaping) are replaced by a hash: Linux allows 255 bytes.
_MAX_COMPONENT = 180
HASHED = "="  # quote(..., safe="") escapes '=', so an escaped name never starts with it


def encode_component(text: str) -> str:
    """One file name for any string; reversible unless hashed (see `decode_component`)."""
    escaped = quote(text, safe="")
    if len(escaped) <= _MAX_COMPONENT:
        return escaped
    return HASHED + hashlib.sha256(text.encode()).hexdigest()


def decode_component(component: str) -> str | None:
    """The original string, or None when the component is a hash (look elsewhere for it)."""
    return None if component.startswith(HASHED) else unquote(component)


def open_making_folder(path: str | Path, flags: int) -> int:
    """`os.open` (mode 0o600), making the folder first only when it is missing: most folders exist,
    and a `mkdir` that finds one is a wasted system call on every write."""
    try:
        return os.open(path, flags, 0o600)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return os.open(path, flags, 0o600)


def try_flock(path: str | Path, *, shared: bool = False) -> int | None:
    """Open `path` (made if missing) and take its flock without waiting: the descriptor (closing it
    releases the lock), or None when another holder has the lock (a thread of this process, another
    process). The event loop must not wait on a lock; it hands the work to a thread instead."""
    fd = open_making_folder(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def flocked(path: str | Path, *, shared: bool = False) -> Iterator[int]:
    """Hold an exclusive (or shared) flock on `path`, creating it if needed."""
    fd = open_making_folder(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def temp_path(tmp_dir: Path) -> Path:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return tmp_dir / uuid.uuid4().hex


def write_fd(fd: int, payload: bytes) -> None:
    """All of `payload` to `fd` (short writes resumed)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def open_new_file(path: str | Path, payload: bytes) -> int:
    """Create a file nobody else knows about yet (a temp file) and write `payload` into it, not yet
    synced: the open descriptor, for `sync_and_close` (in a worker thread: an fsync waits on the disk)."""
    fd = open_making_folder(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        write_fd(fd, payload)
    except BaseException:
        os.close(fd)
        raise
    return fd


def sync_and_close(fd: int) -> None:
    """fsync, then close (also when the fsync fails: the descriptor never leaks)."""
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new_file(path: Path, payload: bytes) -> None:
    """Write and fsync a file that nobody else knows about yet (a temp file)."""
    sync_and_close(open_new_file(path, payload))


def move_into_place(tmp: str | Path, path: str | Path) -> None:
    """Rename a finished (synced) temp file over `path`: readers see the old content or the new,
    never a torn file."""
    try:
        os.replace(tmp, path)
    except FileNotFoundError:  # the document's folder does not exist yet
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.replace(tmp, path)


def replace_atomically(path: Path, payload: bytes, tmp_dir: Path) -> None:
    """Readers see the old content or the new, never a torn file."""
    tmp = tmp_dir / uuid.uuid4().hex  # write_new_file makes the folder if it is missing
    try:
        write_new_file(tmp, payload)
        move_into_place(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def link_create_only(tmp: Path, path: Path) -> bool:
    """Move a finished temp file to `path` unless `path` exists. True if it was created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def write_all(fd: int, chunks: list[bytes]) -> None:
    """Write every chunk with as few system calls as the kernel allows (writev; short writes resumed)."""
    pending = [memoryview(c) for c in chunks if c]
    while pending:
        written = os.writev(fd, pending[:1024])  # at most IOV_MAX buffers a call
        while written:
            if written >= len(pending[0]):
                written -= len(pending.pop(0))
            else:
                pending[0] = pending[0][written:]
                written = 0


def read_bytes_or_none(path: str | Path) -> bytes | None:
    """The whole file (in one read when its size is known), or None when it does not exist."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        want = os.fstat(fd).st_size + 1  # one more byte: a read shorter than asked is the end
        parts = []
        while chunk := os.read(fd, max(want, 65536)):
            parts.append(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def add_entry(directory: str | Path, component: str, content: str, like: str | Path | None = None) -> str:
    """Create `directory/component` (an index entry), tolerating a concurrent rmdir of the folder;
    returns its path. With `like` (another entry of the same document, holding the same content)
    the entry is a hard link to it: a new name, no new inode. A document's entries then share one
    file, and a new case's nine tags cost the file system one inode, not nine (ext4 searches its
    bitmap for a free inode, past the many a busy store has freed, for every new file)."""
    path = os.path.join(directory, component)
    for _ in range(100):
        if like is not None:
            try:
                os.link(like, path)
                return path
            except FileExistsError:
                return path  # a stale entry of the same document: same name, same content
            except FileNotFoundError:
                if not os.path.exists(like):
                    like = None  # that entry is gone (a crash, a hand): make a file instead
                os.makedirs(directory, exist_ok=True)
                continue
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except FileNotFoundError:
            # The folder does not exist yet, or was removed as empty since: make it, then again.
            os.makedirs(directory, exist_ok=True)
            continue
        try:
            os.write(fd, content.encode())
        finally:
            os.close(fd)
        return path
    raise OSError(f"could not create index entry in {directory}")


def remove_entry(directory: str | Path, component: str) -> None:
    """Remove an index entry and the folder if that left it empty (rmdir refuses otherwise)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(directory, component))
    with contextlib.suppress(OSError):
        os.rmdir(directory)


def scan_dir(directory: Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return []


def list_dir(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
