"""CPU time per turn of the bot process, against two baselines, in one run, alternating.

The baselines: the bare botbuilder echo bot (`benchmarks/echo_bot.py`) and a framework-free aiohttp
bot (`benchmarks/floor_bot.py`, the floor for any Python bot on aiohttp). Each bot runs as its own
process; this process drives 20 concurrent users and reads each bot's CPU time before and after
every phase. A phase is one kind of turn for every user at once: `hjælp`, then each turn of the
report flow ("rapportér", the form, "færdig", "send"). CPU per turn is the steadier figure on a
shared machine; the median latency is printed beside it.

CPU time is the process's CPU-time clock (`clock_getcpuclockid`, user + system in nanoseconds,
every thread's, also those that have exited: the kernel adds a thread's time to its process when
it exits, which a sum over /proc/PID/task/*/schedstat would lose).
/proc/PID/stat counts in clock ticks (10 ms): at 60 turns a phase one tick is 0.17 ms a turn, as
much as the floor's whole turn. The tick figure is read beside it and printed as a check: over the
run the two agree to within the ticks lost to rounding at each read. The table gives the sum over
the rounds divided by the turns and, beside it, the median of the rounds' figures (a stray pause
moves it less).

Goal (issue 16): the app at most 10x the floor's CPU per turn, for `hjælp` and each report turn.

Re-run against main before the 1 December night's work (a85acc6), about 4 minutes:

    rm -rf /tmp/before-t && mkdir /tmp/before-t && git archive a85acc6 | tar -x -C /tmp/before-t
    .venv/bin/python -m benchmarks.bench_turn_cpu --rounds 5 --before /tmp/before-t

    .venv/bin/python -m benchmarks.bench_turn_cpu [--users 20] [--rounds 5] [--store local|azurite]
        [--profile DIR]   # py-spy samples the app (and 'before') per phase: DIR/{bot}/{phase}.txt
        [--sampler gil|threads|perf]  # with --profile: py-spy on the GIL holder (default); py-spy
                          # on every thread with native frames (threads); perf over every thread,
                          # kernel included (DIR/{bot}/{phase}.perf.data, `perf report -i` it)
        [--profile-phases send ...]   # sample only these phases (the others still run)
        [--only app]      # skip the baselines (a quicker run while profiling)

The table's "loop thread share" is the event loop's thread's part of the process's CPU in the phase
(its /proc/PID/task/PID/schedstat against the CPU clock): the rest is the worker threads (the local
store's file work, asyncio.to_thread) and any other thread.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import ctypes.util
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.bench_turn_latency import (
    PYTHON,
    ROOT,
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
RATE = int(os.environ.get("SPY_RATE", "200"))  # py-spy's samples a second (--profile)
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def cpu_clock(pid: int) -> int:
    """The CPU-time clock of another process (POSIX clock_getcpuclockid; Linux lets any process read it)."""
    clock = ctypes.c_int()
    error = _LIBC.clock_getcpuclockid(ctypes.c_int(pid), ctypes.byref(clock))
    if error:
        raise OSError(error, os.strerror(error))
    return clock.value


def cpu_ns(clock: int) -> int:
    """User + system CPU of a process in nanoseconds: every thread's, the exited ones' too (the kernel
    adds a thread's time to its process when the thread exits), not its children's."""
    return time.clock_gettime_ns(clock)


def cpu_seconds(pid: int, system_only: bool = False) -> float:
    """User + system CPU of a process and its reaped children (fields 14-17 of /proc/PID/stat), in
    clock ticks: the check beside `cpu_ns`, and the kernel's share."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    after_name = stat[stat.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(after_name[i]) for i in (11, 12, 13, 14))
    return (stime + cstime if system_only else utime + stime + cutime + cstime) / TICKS


class Bot:
    def __init__(self, name: str, pid: int, port: int) -> None:
        self.name, self.pid, self.url = name, pid, f"http://127.0.0.1:{port}/api/messages"
        self.clock = cpu_clock(pid)
        self.cpu: dict[str, list[float]] = {p: [] for p in PHASES}  # seconds a phase, from the CPU clock
        self.ticks: dict[str, list[float]] = {p: [] for p in PHASES}  # the same from /proc/PID/stat
        self.system: dict[str, list[float]] = {p: [] for p in PHASES}  # the kernel's part, /proc/PID/stat
        self.loop: dict[str, list[float]] = {p: [] for p in PHASES}  # the main (event loop) thread's part
        self.whole: list[tuple[float, float]] = []  # (clock, ticks) before the first round and after the last
        self.latency: dict[str, list[float]] = {p: [] for p in PHASES}
        self.turns: dict[str, int] = {}
        self.errors = 0
        self.seq = 0


def thread_ns(pid: int) -> int:
    """CPU time of the process's main thread (the event loop's) in nanoseconds: schedstat's first field."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0])


@contextlib.asynccontextmanager
async def sampled(pid: int, out: Path | None, sampler: str = "gil") -> AsyncIterator[None]:
    """A sampler watches the process while the block runs; without `out`, nothing.

    "gil": py-spy, 200 Hz (SPY_RATE), Python frames, only the thread that holds the GIL (CPU, not
    waits), without pausing the process (--nonblocking: less overhead, a torn stack now and then);
    the collapsed stacks are added to `out`. "threads": py-spy, every thread that is not idle, with
    native frames (C extensions, the interpreter's own), added to `out` likewise. "perf": `perf
    record` over every thread, kernel included, 2 kHz with call graphs, into `out`.perf.data
    (several rounds of one phase go to numbered files)."""
    if out is None:
        yield
        return
    if sampler == "perf":
        n = 0
        while (data := out.with_suffix(f".{n}.perf.data")).exists():
            n += 1
        cmd = ["perf", "record", "-q", "-g", "-F", "2000", "-p", str(pid), "-o", str(data)]
        raw = None
    else:
        raw = out.with_suffix(".part")
        mode = ["--gil", "--nonblocking"] if sampler == "gil" else ["--native"]
        cmd = [
            str(PYTHON.parent / "py-spy"),
            "record",
            "-p",
            str(pid),
            "-r",
            str(RATE),
            *mode,
            "-f",
            "raw",
            "-o",
            str(raw),
        ]
    spy = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    await asyncio.sleep(0.5)  # the sampler attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        await spy.wait()
        if raw is not None:
            merge_stacks(out, raw)


def merge_stacks(out: Path, part: Path) -> None:
    """Add one sampling's collapsed stacks ("frame;frame;... count" lines) to those already in `out`."""
    counts: collections.Counter[str] = collections.Counter()
    for path in (out, part):
        if path.exists():
            for line in path.read_text().splitlines():
                stack, _, n = line.rpartition(" ")
                if stack:
                    counts[stack] += int(n)
    part.unlink(missing_ok=True)
    out.write_text("".join(f"{stack} {n}\n" for stack, n in counts.items()))


async def settled(connector: FakeConnector, quiet: float = 0.3, limit: float = 20.0) -> None:
    """Wait until the connector has seen no request for `quiet` seconds: the background work a turn
    started (the case cards after "send", paced per conversation) is then done and counted with it."""
    deadline = time.monotonic() + limit
    seen = -1
    while seen != connector.requests and time.monotonic() < deadline:
        seen = connector.requests
        await asyncio.sleep(quiet)


async def phase(
    bot: Bot,
    name: str,
    turn: dict[str, Any],
    users: int,
    connector: FakeConnector,
    profile: Path | None = None,
    sampler: str = "gil",
) -> None:
    service_url = connector.service_url

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        bot.seq += 1
        start = time.perf_counter()
        async with session.post(bot.url, json=activity(n, turn, service_url, bot.seq)) as resp:
            await resp.read()
            bot.errors += resp.status >= 300
        bot.latency[name].append(time.perf_counter() - start)

    async with sampled(bot.pid, profile / f"{name}.txt" if profile else None, sampler):
        before, ticks, system = cpu_ns(bot.clock), cpu_seconds(bot.pid), cpu_seconds(bot.pid, system_only=True)
        loop = thread_ns(bot.pid)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await asyncio.gather(*(one(session, n) for n in range(users)))
        # The background work a turn starts counts with it: after "send" the case cards, which the
        # rate limiter paces at Teams' 8 per 2 s into the one leader's chat (gaps up to 2 s).
        await settled(connector, quiet=2.5 if name == "send" else 0.3)
        bot.cpu[name].append((cpu_ns(bot.clock) - before) / 1e9)
        bot.ticks[name].append(cpu_seconds(bot.pid) - ticks)
        bot.system[name].append(cpu_seconds(bot.pid, system_only=True) - system)
        bot.loop[name].append((thread_ns(bot.pid) - loop) / 1e9)
    bot.turns[name] = bot.turns.get(name, 0) + users


async def run(args: argparse.Namespace, logs: Path, connection: str) -> list[Bot]:
    turns = dict(zip(PHASES, [{"text": "hjælp"}, *report_turns()], strict=True))
    leaders_csv(logs / "leaders.csv", args.users)
    async with FakeConnector(conversation_windows=UNLIMITED, app_windows=UNLIMITED) as connector:
        ports = [free_port() for _ in range(4)]

        def app_env(port: int, data: str) -> dict[str, str]:
            return {
                "PORT": str(port),
                "DATA_DIR": str(logs / data),
                "LEADER_DIRECTORY_FILE": str(logs / "leaders.csv"),
                "STORAGE_CONNECTION_STRING": connection,
                "LOG_LEVEL": "WARNING",
            }

        async with contextlib.AsyncExitStack() as stack:

            async def start(name: str, port: int, args: list[str], env: dict[str, str], cwd: Path = ROOT) -> Bot:
                pid = await stack.enter_async_context(process(name, [str(PYTHON), *args], env, port, logs, cwd=cwd))
                return Bot(name, pid, port)

            bots = []
            if "floor" in args.only:
                bots.append(await start("floor", ports[0], ["-m", "benchmarks.floor_bot", str(ports[0])], {}))
            if "echo" in args.only:
                bots.append(await start("echo", ports[1], ["-m", "benchmarks.echo_bot", str(ports[1])], {}))
            if args.before:  # the app at another checkout, e.g. `git archive main | tar -x -C DIR`
                bots.append(await start("before", ports[3], ["app.py"], app_env(ports[3], "before"), args.before))
            if "app" in args.only:
                bots.append(await start("app", ports[2], ["app.py"], app_env(ports[2], "data")))
            for bot in bots:  # warm-up, not counted
                await phase(bot, "hjælp", turns["hjælp"], args.users, connector)
                bot.cpu["hjælp"].clear()
                bot.ticks["hjælp"].clear()
                bot.system["hjælp"].clear()
                bot.latency["hjælp"].clear()
                bot.loop["hjælp"].clear()
                bot.turns.clear()
            for bot in bots:
                bot.whole.append((cpu_ns(bot.clock) / 1e9, cpu_seconds(bot.pid)))
            for _ in range(args.rounds):
                for name in PHASES:
                    for bot in bots:  # alternating: each phase runs on every bot before the next
                        profile = (
                            args.profile / bot.name
                            if args.profile and bot.name in ("app", "before") and name in args.profile_phases
                            else None
                        )
                        await phase(bot, name, turns[name], args.users, connector, profile, args.sampler)
            for bot in bots:
                bot.whole.append((cpu_ns(bot.clock) / 1e9, cpu_seconds(bot.pid)))
    return bots


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(bots: list[Bot]) -> str:
    names = [b.name for b in bots]
    ratios = [f"app / {base}" for base in ("floor", "echo", "before") if base in names and "app" in names]
    lines = [
        "| turn | "
        + " | ".join(f"{n} CPU ms/turn (round median)" for n in names)
        + "".join(f" | {r}" for r in ratios)
        + " | "
        + " | ".join(f"{n} median ms" for n in names)
        + (" | app p99 ms | app p99 / median | app kernel CPU share | app loop thread share" if "app" in names else "")
        + " |",
        "|---" * (1 + 2 * len(names) + len(ratios) + (4 if "app" in names else 0)) + "|",
    ]
    for name in PHASES:
        cpu = {b.name: sum(b.cpu[name]) / b.turns[name] * 1000 for b in bots}
        per_round = {b.name: statistics.median(b.cpu[name]) / (b.turns[name] / len(b.cpu[name])) * 1000 for b in bots}
        lat = {b.name: statistics.median(b.latency[name]) * 1000 for b in bots}
        cells = [f"{cpu[n]:.2f} ({per_round[n]:.2f})" for n in names]
        for base in ("floor", "echo", "before"):
            if f"app / {base}" in ratios:
                ratio = cpu["app"] / max(cpu[base], 1e-6)
                met = " (goal met)" if base == "floor" and ratio <= GOAL else ""
                cells.append(f"{ratio:.1f}x{met}")
        cells += [f"{lat[n]:.1f}" for n in names]
        if "app" in names:
            app = next(b for b in bots if b.name == "app")
            p99 = percentile(app.latency[name], 0.99) * 1000
            kernel = sum(app.system[name]) / max(sum(app.ticks[name]), 1e-6)
            loop = sum(app.loop[name]) / max(sum(app.cpu[name]), 1e-9)
            cells += [f"{p99:.0f}", f"{p99 / max(lat['app'], 1e-6):.1f}x", f"{kernel:.0%}", f"{loop:.0%}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n" + clock_check(bots)


def clock_check(bots: list[Bot]) -> str:
    """The CPU clock against /proc/PID/stat's ticks over the whole run. Each phase is two reads, and
    each read of /proc rounds user and system time down to a tick each, so a phase's two figures
    differ by less than two ticks either way, the run's by less than two ticks a phase; and from
    before the first round to after the last (all the bots' phases, two reads), by less than two."""
    lines = ["CPU clock against /proc/PID/stat's ticks (summed over the phases; from the first round to the last):"]
    for bot in bots:
        phases = sum(len(v) for v in bot.cpu.values())
        precise = sum(sum(v) for v in bot.cpu.values())
        ticks = sum(sum(v) for v in bot.ticks.values())
        diff = (ticks - precise) * TICKS
        worst = max(abs(t - c) * TICKS for p in PHASES for c, t in zip(bot.cpu[p], bot.ticks[p], strict=True))
        (clock0, ticks0), (clock1, ticks1) = bot.whole
        whole = ((ticks1 - ticks0) - (clock1 - clock0)) * TICKS
        lines.append(
            f"- {bot.name}: clock {precise:.4f} s, ticks {ticks:.2f} s, difference {diff:+.2f} ticks over "
            f"{phases} phases (largest in one phase {worst:.2f} ticks); whole run: clock {clock1 - clock0:.4f} s,"
            f" ticks {ticks1 - ticks0:.2f} s, difference {whole:+.2f} ticks"
            + ("" if abs(diff) < 2 * phases and worst < 2 and abs(whole) < 2 else "  ** NOT WITHIN ROUNDING **")
        )
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", choices=("local", "azurite"), default="local")
    parser.add_argument("--profile", type=Path, help="folder for py-spy's collapsed stacks, per bot and phase")
    parser.add_argument("--sampler", choices=("gil", "threads", "perf"), default="gil")
    parser.add_argument("--profile-phases", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument("--before", type=Path, help="also run app.py from this checkout, as 'before'")
    parser.add_argument("--only", nargs="+", choices=("floor", "echo", "app"), default=["floor", "echo", "app"])
    args = parser.parse_args()
    for name in ("app", "before") if args.profile else ():
        (args.profile / name).mkdir(parents=True, exist_ok=True)
    start_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = time.strftime("%H:%M", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
        if args.store == "azurite":
            async with azurite_async() as connection:
                bots = await run(args, Path(tmp), connection)
        else:
            bots = await run(args, Path(tmp), "")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"{args.users} concurrent users x {args.rounds} rounds, store {args.store}, CPU from the process CPU clock"
        f" (user+system, ns), {start}-{time.strftime('%H:%M', time.gmtime())} UTC,"
        f" load average at the start {start_load}, at the end {load}\n"
    )
    print(report(bots))
    return 1 if any(b.errors for b in bots) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
