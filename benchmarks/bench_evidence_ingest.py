"""Evidence ingest: time and peak memory, 5 MB vs 20 MB, against a plain streaming copy.

The claim to check: ingest (download, sniff, hash, spool, store) holds one buffer, not the file,
so its peak memory does not grow with the file size. A naive `await resp.read()` is shown for
contrast. Each measurement runs in a fresh child process so `ru_maxrss` (a high-water mark for
the whole process) means something; the fake file host runs in this parent process.

    .venv/bin/python -m benchmarks.bench_evidence_ingest [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

MB = 1024 * 1024
SIZES = (5 * MB, 20 * MB)
MODES = ("ingest", "stream-copy", "read-all")


async def _ingest(url: str, workdir: Path) -> int:
    from bot.intake.evidence import EvidenceIntake, Limits
    from bot.storage.local import LocalStore
    from tests.fakes.file_host import FakeHostPolicy

    store = LocalStore(workdir / "store")
    spool = workdir / "spool"
    spool.mkdir()
    intake = EvidenceIntake(store, FakeHostPolicy(url), Limits(spool_dir=str(spool)))
    attachment = {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": "big.png",
        "content": {"downloadUrl": url},
    }
    stored = await intake.ingest(attachment, "bench-case", "bench", datetime.now(UTC))
    await store.close()
    assert stored is not None
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


async def _read_all(url: str, workdir: Path) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        body = await resp.read()
    await asyncio.to_thread((workdir / "copy.bin").write_bytes, body)
    return len(body)


async def _child(mode: str, url: str, trace: bool) -> dict[str, Any]:
    # Import everything first: module loading is not what we measure.
    import bot.intake.evidence
    import bot.storage.local  # noqa: F401
    import tests.fakes.file_host  # noqa: F401

    run = {"ingest": _ingest, "stream-copy": _stream_copy, "read-all": _read_all}[mode]
    with tempfile.TemporaryDirectory() as tmp:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        size = await run(url, Path(tmp))
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"size": size, "seconds": seconds, "peak": peak, "rss_delta_kib": rss_after - rss_before}


async def _spawn(mode: str, url: str, trace: bool) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.bench_evidence_ingest", "--child", mode, url]
    proc = await asyncio.create_subprocess_exec(
        *(args + (["--trace"] if trace else [])), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {mode} failed")
    result: dict[str, Any] = json.loads(out)
    return result


async def _parent(repeat: int) -> None:
    from tests.fakes.file_host import FakeFileHost

    rows = []
    async with FakeFileHost() as host:
        for size in SIZES:
            url = host.url(f"/sized/{size}")
            for mode in MODES:
                timed = [await _spawn(mode, url, trace=False) for _ in range(repeat)]
                traced = await _spawn(mode, url, trace=True)
                assert all(r["size"] == size for r in [*timed, traced])
                seconds = statistics.median(r["seconds"] for r in timed)
                rss = max(r["rss_delta_kib"] for r in [*timed, traced])
                rows.append((mode, size, seconds, traced["peak"], rss))
    print(f"Python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}, median of {repeat} runs\n")
    print("| mode | file | time (s) | MB/s | tracemalloc peak (KiB) | ru_maxrss delta (KiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, size, seconds, peak, rss in rows:
        print(f"| {mode} | {size // MB} MB | {seconds:.3f} | {size / MB / seconds:.0f} | {peak // 1024:,} | {rss:,} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"))
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    if ns.child:
        mode, url = ns.child
        print(json.dumps(asyncio.run(_child(mode, url, ns.trace))))
    else:
        asyncio.run(_parent(ns.repeat))


if __name__ == "__main__":
    main()
