"""CPU time per turn of the bot process, against two baselines, in one run, alternating.

The baselines: the bare botbuilder echo bot (`benchmarks/echo_bot.py`) and a framework-free aiohttp
bot (`benchmarks/floor_bot.py`, the floor for any Python bot on aiohttp). Each bot runs as its own
process; this process drives 20 concurrent users and reads each bot's CPU time (user + system,
from /proc/PID/stat) before and after every phase. A phase is one kind of turn for every user at
once: `hjælp`, then each turn of the report flow ("rapportér", the form, "færdig", "send").
CPU per turn is the steadier figure on a shared machine; the median latency is printed beside it.

Goal (issue 16): the app at most 10x the floor's CPU per turn, for `hjælp` and each report turn.

    .venv/bin/python -m benchmarks.bench_turn_cpu [--users 20] [--rounds 5] [--store local|azurite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.bench_turn_latency import (
    PYTHON,
    UNLIMITED,
    activity,
    free_port,
    leaders_csv,
    process,
    report_turns,
)
from tests.fakes.azurite import azurite_async
from tests.fakes.connector import FakeConnector

GOAL = 10.0
PHASES = ("hjælp", "rapportér", "form", "færdig", "send")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children (fields 14-17 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    after_name = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(after_name[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / TICKS


class Bot:
    def __init__(self, name: str, pid: int, port: int) -> None:
        self.name, self.pid, self.url = name, pid, f"http://127.0.0.1:{port}/api/messages"
        self.cpu: dict[str, list[float]] = {p: [] for p in PHASES}
        self.latency: dict[str, list[float]] = {p: [] for p in PHASES}
        self.turns: dict[str, int] = {}
        self.errors = 0
        self.seq = 0


async def phase(bot: Bot, name: str, turn: dict[str, Any], users: int, service_url: str) -> None:
    async def one(session: aiohttp.ClientSession, n: int) -> None:
        bot.seq += 1
        start = time.perf_counter()
        async with session.post(bot.url, json=activity(n, turn, service_url, bot.seq)) as resp:
            await resp.read()
            bot.errors += resp.status >= 300
        bot.latency[name].append(time.perf_counter() - start)

    before = cpu_seconds(bot.pid)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(one(session, n) for n in range(users)))
    await asyncio.sleep(0.3)  # background work of the turn (the leader's card after "send") counts too
    bot.cpu[name].append(cpu_seconds(bot.pid) - before)
    bot.turns[name] = bot.turns.get(name, 0) + users


async def run(args: argparse.Namespace, logs: Path, connection: str) -> list[Bot]:
    turns = dict(zip(PHASES, [{"text": "hjælp"}, *report_turns()], strict=True))
    leaders_csv(logs / "leaders.csv", args.users)
    async with FakeConnector(conversation_windows=UNLIMITED, app_windows=UNLIMITED) as connector:
        ports = [free_port() for _ in range(3)]
        app_env = {
            "PORT": str(ports[2]),
            "DATA_DIR": str(logs / "data"),
            "LEADER_DIRECTORY_FILE": str(logs / "leaders.csv"),
            "STORAGE_CONNECTION_STRING": connection,
            "LOG_LEVEL": "WARNING",
        }
        async with (
            process("floor", [str(PYTHON), "-m", "benchmarks.floor_bot", str(ports[0])], {}, ports[0], logs) as floor,
            process("echo", [str(PYTHON), "-m", "benchmarks.echo_bot", str(ports[1])], {}, ports[1], logs) as echo,
            process("app", [str(PYTHON), "app.py"], app_env, ports[2], logs) as app,
        ):
            bots = [Bot("floor", floor, ports[0]), Bot("echo", echo, ports[1]), Bot("app", app, ports[2])]
            for bot in bots:  # warm-up, not counted
                await phase(bot, "hjælp", turns["hjælp"], args.users, connector.service_url)
                bot.cpu["hjælp"].clear()
                bot.latency["hjælp"].clear()
                bot.turns.clear()
            for _ in range(args.rounds):
                for name in PHASES:
                    for bot in bots:  # alternating: each phase runs on every bot before the next
                        await phase(bot, name, turns[name], args.users, connector.service_url)
    return bots


def report(bots: list[Bot]) -> str:
    lines = [
        "| turn | "
        + " | ".join(f"{b.name} CPU ms/turn" for b in bots)
        + " | app / floor | app / echo | "
        + " | ".join(f"{b.name} median ms" for b in bots)
        + " |",
        "|---" * (3 + 2 * len(bots)) + "|",
    ]
    for name in PHASES:
        # Summed over the rounds, then divided: /proc counts in clock ticks (10 ms), too coarse per phase.
        cpu = {b.name: sum(b.cpu[name]) / b.turns[name] * 1000 for b in bots}
        lat = {b.name: statistics.median(b.latency[name]) * 1000 for b in bots}
        ratio = cpu["app"] / max(cpu["floor"], 1e-6)
        lines.append(
            f"| {name} | "
            + " | ".join(f"{cpu[b.name]:.2f}" for b in bots)
            + f" | {ratio:.1f}x{' (goal met)' if ratio <= GOAL else ''} | {cpu['app'] / max(cpu['echo'], 1e-6):.2f}x | "
            + " | ".join(f"{lat[b.name]:.1f}" for b in bots)
            + " |"
        )
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", choices=("local", "azurite"), default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
        if args.store == "azurite":
            async with azurite_async() as connection:
                bots = await run(args, Path(tmp), connection)
        else:
            bots = await run(args, Path(tmp), "")
    print(f"{args.users} concurrent users x {args.rounds} rounds, store {args.store}, CPU from /proc (user+system)\n")
    print(report(bots))
    return 1 if any(b.errors for b in bots) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
