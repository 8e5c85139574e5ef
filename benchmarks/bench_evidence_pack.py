"""Evidence pack: time and peak memory for cases of 20 screenshots of 2 MB and 20 MB.

The claim to check: building the pack (spool every original from the store with its hash checked,
views for the documents, Word, PDF, ZIP, each file stored write-once) holds bounded buffers, not
the files, so its peak memory does not grow with the screenshots' size. The screenshots are valid
images that do not compress: JPEGs of random pixels (decoded at reduced scale) and uncompressed
PNGs of random pixels (decoded whole, one at a time). Each build runs in a fresh child process, so
`ru_maxrss` (the process's high-water mark, C allocations included) means something (the files
are made in another child: a child's ru_maxrss starts from its parent's at fork); the baseline
is the same child's RSS after its imports, before the build. (No tracemalloc: it slows fontTools'
many small objects tenfold, and misses Pillow's C allocations, which RSS includes.)

    .venv/bin/python -m benchmarks.bench_evidence_pack [--sizes 2,20] [--count 20]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import resource
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MB = 1024 * 1024
CASE_ID = "bench1"
REPORTER = "00000000-0000-0000-0000-00000000e001"


def _random_jpeg(target_bytes: int) -> bytes:
    """A JPEG of random pixels of about `target_bytes` (random pixels barely compress)."""
    from PIL import Image

    pixels = max(64 * 64, int(target_bytes / 4.1))
    width = int((pixels * 4 / 3) ** 0.5)
    height = max(64, pixels // width)
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100, subsampling=0)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _random_png(target_bytes: int) -> bytes:
    """An uncompressed (zlib level 0) RGB PNG of random pixels of about `target_bytes`."""
    width = 2048
    height = max(16, target_bytes // (width * 3 + 1))
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 0)) + _chunk(b"IEND", b"")
    )


def _variant(kind: str, base: bytes, index: int) -> bytes:
    """The same picture with a different hash: a JPEG comment or a PNG text chunk naming the copy."""
    note = f"screenshot {index}".encode()
    if kind == "jpeg":
        return base[:2] + b"\xff\xfe" + struct.pack(">H", len(note) + 2) + note + base[2:]
    return base[:33] + _chunk(b"tEXt", b"Comment\x00" + note) + base[33:]


async def _from(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), MB):
        yield data[start : start + MB]


async def _prepare(root: Path, kind: str, size: int, count: int) -> None:
    """Store `count` screenshots and a case that holds them (in the parent: not measured)."""
    from bot.guideline import Category, DeadlinePolicy, EvidenceItem, Facts, Person, Platform, new_case
    from bot.repositories.cases import CaseDoc, CaseRepository
    from bot.storage.local import LocalStore
    from bot.storage.store import EvidenceMeta

    store = LocalStore(root)
    now = datetime.now(UTC)
    base = _random_jpeg(size) if kind == "jpeg" else _random_png(size)
    items = []
    for i in range(count):
        data = _variant(kind, base, i)
        sha = hashlib.sha256(data).hexdigest()
        content_type = "image/jpeg" if kind == "jpeg" else "image/png"
        name = f"skærmbillede-{i:02d}.{'jpg' if kind == 'jpeg' else 'png'}"
        await store.put_evidence(
            f"evidence/{CASE_ID}/{sha}", _from(data), EvidenceMeta(sha, len(data), content_type, name, REPORTER, now)
        )
        items.append(EvidenceItem(sha, len(data), content_type, name, REPORTER, now))
        del data
    facts = Facts(Category.THREAT, "Trusler i kommentarer.", now, Platform.FACEBOOK, None, None, False, False)
    policy = DeadlinePolicy(max_evidence_items=max(30, count))
    reporter = Person(REPORTER, "Bente Bæk")
    case, _ = new_case(CASE_ID, "KH-2026-0001", reporter, None, None, None, facts, items, now, policy)
    await CaseRepository(store, policy).create(CaseDoc(case))


async def _build(root: Path) -> dict[str, Any]:
    """In the child: build and store the pack through the service, as a card action does."""
    from bot.guideline import Actor, DeadlinePolicy
    from bot.intake.evidence_links import EvidenceLinks
    from bot.repositories.cases import CaseRepository
    from bot.services.evidence_packs import EvidencePacks
    from bot.services.ports import SystemClock
    from bot.storage.local import LocalStore
    from bot.texts import Texts

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store = LocalStore(root)

    async def actor(aad: str) -> Actor:
        return Actor(aad)

    repo = CaseRepository(store, DeadlinePolicy(max_evidence_items=100))
    packs = EvidencePacks(store, repo, actor, SystemClock(), EvidenceLinks("https://bench.invalid"))
    started = time.perf_counter()
    issued = await packs.issue(CASE_ID, REPORTER, Texts("da"))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "baseline_kib": baseline,
        "peak_kib": peak,
        "sizes": {link.kind: link.size for link in issued.links},
    }


def _child(root: str) -> None:
    print(json.dumps(asyncio.run(_build(Path(root)))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2,20", help="screenshot sizes in MB, comma separated")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--kinds", default="jpeg,png")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", nargs=4, help=argparse.SUPPRESS)  # root kind bytes count
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    if args.prepare:
        root, kind, size, count = args.prepare
        asyncio.run(_prepare(Path(root), kind, int(size), int(count)))
        return
    import subprocess

    rows = []
    for kind in args.kinds.split(","):
        for size_mb in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory(prefix="bench-pack-") as tmp:
                # Each step in its own process: a child's ru_maxrss starts from its parent's at fork.
                me = [sys.executable, "-m", "benchmarks.bench_evidence_pack"]
                subprocess.run([*me, "--prepare", tmp, kind, str(size_mb * MB), str(args.count)], check=True)
                done = subprocess.run(
                    [*me, "--child", tmp],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append((kind, size_mb, result))
                print(f"{kind} {args.count} x {size_mb} MB: {json.dumps(result)}", file=sys.stderr)
    print(
        "| screenshots | total | time (s) | peak RSS (MiB) | RSS growth over imports (MiB) | "
        "ZIP (MiB) | PDF (MiB) | Word (MiB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, size_mb, r in rows:
        sizes = r["sizes"]
        print(
            f"| {args.count} x {size_mb} MB {kind.upper()} | {args.count * size_mb} MB | {r['seconds']:.1f} "
            f"| {r['peak_kib'] / 1024:.0f} | {(r['peak_kib'] - r['baseline_kib']) / 1024:.0f} "
            f"| {sizes['zip'] / MB:.0f} | {sizes['pdf'] / MB:.1f} "
            f"| {sizes['docx'] / MB:.1f} |"
        )


if __name__ == "__main__":
    main()
