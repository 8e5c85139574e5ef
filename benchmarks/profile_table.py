"""Where a turn's CPU goes: py-spy's samples of bench_turn_cpu --profile, grouped by what they serve.

Each sample (a stack, only the thread holding the GIL) goes to the first group that a frame
matches, from the innermost frame outwards; so msrest serialising inside botbuilder's send counts
as msrest, and a card built inside a dialog counts as cards. A group's share is its part of the
turn's samples.

    .venv/bin/python -m benchmarks.profile_table DIR [--bots before app] [--top 6]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

PHASES = ("hjælp", "rapportér", "form", "færdig", "send")

# (group, substrings of a frame "function (file:line)"; "(x/" anchors a package), innermost match wins.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("msrest (de)serialisation", ("msrest/serialization.py", "msrest_patch.py")),
    (
        "HTTP out: requests in a worker thread",
        ("(requests/", "(urllib3/", "(http/client.py", "http/requests.py", "http/async_requests.py"),
    ),
    ("HTTP out: aiohttp client", ("(aiohttp/client", "connector_http.py", "(aiohttp/connector.py")),
    ("msrest pipeline", ("msrest/",)),
    ("deep copy of each outgoing activity", ("copy.py",)),
    ("dialog and user state (jsonpickle)", ("jsonpickle/", "bot_state.py")),
    ("JSON encode/decode", ("json/",)),
    ("store: local files, locks, index", ("bot/storage/",)),
    ("worker-thread hand-off (asyncio.to_thread)", ("concurrent/futures", "asyncio/threads.py", "threading.py")),
    ("case index tags and due times", ("due.py", "calendar.py", "CaseRepository.tags")),
    ("case (de)serialisation", ("guideline/serialize.py", "CaseDoc.")),
    ("cards", ("cards/", "case_cards.py")),
    ("botbuilder turn and proactive machinery", ("botbuilder/", "botframework/")),
    ("aiohttp server", ("aiohttp/web", "aiohttp/http_")),
    ("asyncio event loop", ("asyncio/",)),
)
OTHER = "other (our services, dialogs, handler)"


def groups_of(path: Path) -> tuple[collections.Counter[str], int]:
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        samples = int(n)
        total += samples
        frames = stack.split(";")
        group = next(
            (name for frame in reversed(frames) for name, marks in GROUPS if any(m in frame for m in marks)),
            OTHER,
        )
        counts[group] += samples
    return counts, total


def table(folder: Path, bots: list[str], top: int) -> str:
    lines = ["| turn | " + " | ".join(f"{bot}: top costs (share of the turn's CPU samples)" for bot in bots) + " |"]
    lines.append("|---" * (1 + len(bots)) + "|")
    for phase in PHASES:
        cells = []
        for bot in bots:
            path = folder / bot / f"{phase}.txt"
            if not path.exists():
                cells.append("–")
                continue
            counts, total = groups_of(path)
            cells.append("; ".join(f"{name} {100 * n / total:.0f} %" for name, n in counts.most_common(top)))
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--bots", nargs="+", default=["before", "app"])
    parser.add_argument("--top", type=int, default=6)
    args = parser.parse_args()
    print(table(args.folder, args.bots, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
