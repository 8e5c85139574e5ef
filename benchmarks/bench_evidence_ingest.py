"""Evidence ingest against a plain streaming copy: throughput, CPU and peak memory, 5 MB and 20 MB,
into the local store and (with --azurite) into Azurite.

The claims to check (issue 16): ingest (download, sniff, hash, size and type checks, write-once
commit) reaches at least 80 % of a plain streaming copy's throughput, and its memory does not grow
with the file size. The plain copy is the floor for moving the bytes at all:
  - local: download in 64 KiB chunks, each written to a file (no hash, no checks, no fsync);
  - Azurite: download, stage 4 MiB blocks on a known blob name, commit the block list.
Ingest fsyncs the local file before linking it into place (a receipt must survive a power cut);
the copy does not, so the local figure includes that cost.

Every measurement runs in a fresh child process (so `ru_maxrss`, a high-water mark, means
something), the modes alternate round by round (so a burst of load from elsewhere hits them all),
and the table gives medians. CPU is the child's user + system time, the steadier figure on a
shared machine. The fake file host runs in this parent process; Azurite in its own.

    .venv/bin/python -m benchmarks.bench_evidence_ingest [--repeat 7] [--azurite] [--before DIR]

`--before DIR` also runs the ingest of an older checkout (e.g. `git archive <commit> | tar -x -C DIR`)
in the same alternation, for a before/after under the same conditions.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

MB = 1024 * 1024
SIZES = (5 * MB, 20 * MB)
LOCAL_MODES = ("stream-copy", "ingest", "read-all")
BLOB_MODES = ("blob-copy", "blob-ingest")
COPY_OF = {"ingest": "stream-copy", "ingest-before": "stream-copy", "blob-ingest": "blob-copy",
           "blob-ingest-before": "blob-copy"}  # fmt: skip
HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
CONN_ENV = "BENCH_AZURITE_CONNECTION"


# -- children: one measurement each ------------------------------------------------------------


async def _ingest(url: str, workdir: Path, on_blob: bool) -> int:
    from bot.intake.evidence import EvidenceIntake, Limits
    from tests.fakes.file_host import FakeHostPolicy

    store: Any
    if on_blob:
        from bot.storage.blob import BlobStore

        store = BlobStore.from_connection_string(os.environ[CONN_ENV], "bench")
    else:
        from bot.storage.local import LocalStore

        store = LocalStore(workdir / "store")
    limits = Limits()
    if "spool_dir" in Limits.__dataclass_fields__:  # an older checkout (--before) spooled first
        (workdir / "spool").mkdir()
        limits = Limits(spool_dir=str(workdir / "spool"))  # type: ignore[call-arg]
    intake = EvidenceIntake(store, FakeHostPolicy(url), limits)
    attachment = {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": "big.png",
        "content": {"downloadUrl": url},
    }
    case = f"bench-{uuid.uuid4().hex[:12]}"  # a fresh name every run: never "already stored"
    try:
        stored = await intake.ingest(attachment, case, "bench", datetime.now(UTC))
    finally:
        await store.close()
    assert stored is not None and not stored.already_stored
    return stored.meta.size


async def _stream_copy(url: str, workdir: Path) -> int:
    size = 0
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        resp.raise_for_status()
        out = await asyncio.to_thread(open, workdir / "copy.bin", "wb")
        try:
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                await asyncio.to_thread(out.write, chunk)
        finally:
            await asyncio.to_thread(out.close)
    return size


async def _blob_copy(url: str) -> int:
    from azure.storage.blob import BlobBlock
    from azure.storage.blob.aio import BlobServiceClient

    from bot.storage.blob_upload import BLOCK_BYTES

    service = BlobServiceClient.from_connection_string(os.environ[CONN_ENV])
    blob = service.get_blob_client("bench", f"copy/{uuid.uuid4().hex}")
    ids: list[str] = []
    buffer = bytearray()
    size = 0

    async def stage() -> None:
        block_id = base64.b64encode(f"{len(ids):08d}".encode()).decode()
        await blob.stage_block(block_id, io.BytesIO(bytes(buffer)), length=len(buffer))
        ids.append(block_id)
        buffer.clear()

    try:
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            resp.raise_for_status()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                size += len(chunk)
                buffer += chunk
                if len(buffer) >= BLOCK_BYTES:
                    await stage()
        if buffer:
            await stage()
        await blob.commit_block_list([BlobBlock(block_id=i) for i in ids], if_none_match="*")
    finally:
        await blob.close()
        await service.close()
    return size


async def _read_all(url: str, workdir: Path) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        body = await resp.read()
    await asyncio.to_thread((workdir / "copy.bin").write_bytes, body)
    return len(body)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _child(mode: str, url: str, trace: bool) -> dict[str, Any]:
    # Import everything first: module loading is not what we measure.
    import azure.storage.blob.aio  # noqa: F401

    import bot.intake.evidence
    import bot.storage.blob
    import bot.storage.local  # noqa: F401
    import tests.fakes.file_host  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runs = {
            "stream-copy": lambda: _stream_copy(url, work),
            "read-all": lambda: _read_all(url, work),
            "ingest": lambda: _ingest(url, work, on_blob=False),
            "ingest-before": lambda: _ingest(url, work, on_blob=False),
            "blob-copy": lambda: _blob_copy(url),
            "blob-ingest": lambda: _ingest(url, work, on_blob=True),
            "blob-ingest-before": lambda: _ingest(url, work, on_blob=True),
        }
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        cpu = _cpu()
        started = time.perf_counter()
        size = await runs[mode]()
        seconds = time.perf_counter() - started
        cpu = _cpu() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"size": size, "seconds": seconds, "cpu": cpu, "peak": peak, "rss_delta_kib": rss_after - rss_before}


# -- parent: the host, the alternation, the table ---------------------------------------------


async def _spawn(mode: str, url: str, trace: bool, before: Path | None, conn: str | None) -> dict[str, Any]:
    source = before if mode.endswith("-before") and before else ROOT
    env = {**os.environ, "PYTHONPATH": str(source)}
    if conn:
        env[CONN_ENV] = conn
    args = [sys.executable, str(HERE), "--child", mode, url, *(["--trace"] if trace else [])]
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE, cwd=source, env=env)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {mode} failed")
    result: dict[str, Any] = json.loads(out)
    return result


async def _measure(modes: list[str], repeat: int, before: Path | None, conn: str | None) -> list[dict[str, Any]]:
    from tests.fakes.file_host import FakeFileHost

    rows = []
    async with FakeFileHost() as host:
        for size in SIZES:
            url = host.url(f"/sized/{size}")
            timed: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
            for _ in range(repeat):
                for mode in modes:  # alternate: load from elsewhere hits every mode alike
                    timed[mode].append(await _spawn(mode, url, False, before, conn))
            for mode in modes:
                traced = await _spawn(mode, url, True, before, conn)
                runs = timed[mode]
                assert all(r["size"] == size for r in [*runs, traced])
                rows.append(
                    {
                        "mode": mode,
                        "size": size,
                        "seconds": statistics.median(r["seconds"] for r in runs),
                        "cpu": statistics.median(r["cpu"] for r in runs),
                        "peak": traced["peak"],
                        "rss": max(r["rss_delta_kib"] for r in [*runs, traced]),
                    }
                )
    return rows


def _table(rows: list[dict[str, Any]]) -> None:
    by_key = {(r["mode"], r["size"]): r for r in rows}
    print("| mode | file | time (s) | MB/s | % of copy | CPU (ms) | tracemalloc peak (KiB) | maxrss delta (KiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        copy = by_key.get((COPY_OF.get(r["mode"], ""), r["size"]))
        share = f"{100 * copy['seconds'] / r['seconds']:.0f} %" if copy else ""
        print(
            f"| {r['mode']} | {r['size'] // MB} MB | {r['seconds']:.3f} | {r['size'] / MB / r['seconds']:.0f} | "
            f"{share} | {1000 * r['cpu']:.0f} | {r['peak'] // 1024:,} | {r['rss']:,} |"
        )


async def _parent(repeat: int, azurite: bool, before: Path | None) -> None:
    modes = list(LOCAL_MODES)
    if before:
        modes.insert(2, "ingest-before")
    load = os.getloadavg()
    started = datetime.now(UTC)
    if azurite:
        from azure.storage.blob.aio import BlobServiceClient

        from tests.fakes.azurite import azurite_async

        blob_modes = list(BLOB_MODES) + (["blob-ingest-before"] if before else [])
        async with azurite_async() as conn:
            async with BlobServiceClient.from_connection_string(conn) as service:
                await service.create_container("bench")
            rows = await _measure(modes + blob_modes, repeat, before, conn)
    else:
        rows = await _measure(modes, repeat, None if before is None else before, None)
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {load[0]:.2f} before and "
        f"{os.getloadavg()[0]:.2f} after; Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}; "
        f"median of {repeat} alternating runs\n"
    )
    _table(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"))
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--azurite", action="store_true", help="also measure into Azurite")
    parser.add_argument("--before", type=Path, help="an older checkout whose ingest runs alongside")
    ns = parser.parse_args()
    if ns.child:
        mode, url = ns.child
        print(json.dumps(asyncio.run(_child(mode, url, ns.trace))))
    else:
        asyncio.run(_parent(ns.repeat, ns.azurite, ns.before))


if __name__ == "__main__":
    main()
