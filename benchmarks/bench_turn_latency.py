"""Turn latency of the report flow under 20 concurrent employees, against a minimal echo bot.

The claim to check (the issue): the median turn latency of the report flow is at most 1.5 times the
echo bot's, run the same way, with the local store and with Azurite. A turn is the time from the
POST of an activity to /api/messages to its HTTP response; both bots send their replies through the
connector (a fake on 127.0.0.1 with windows so wide it never throttles) before they answer.

Both bots run as their own processes (`app.py` as deployed, `benchmarks/echo_bot.py`); this process
only drives them. Each simulated employee has their own personal chat and runs, per round, the report
flow: "rapportér", the filled-in form, "færdig" (no screenshots), "send". The echo bot gets the same
activities. One untimed "hjælp" per employee warms each bot up first.

    .venv/bin/python -m benchmarks.bench_turn_latency [--employees 20] [--rounds 5] [--stores local azurite]
        [--app-env LOG_LEVEL=WARNING ...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from tests.fakes.azurite import azurite_async
from tests.fakes.connector import FakeConnector

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
UNLIMITED = ((10**9, 1.0),)
GOAL = 1.5
LEADER = "00000000-0000-0000-0000-00000000a001"
DEPUTY = "00000000-0000-0000-0000-00000000d001"
RECEIPT = "Din anmeldelse er modtaget"
APOLOGY = "noget gik galt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def employee_id(n: int) -> str:
    return f"00000000-0000-0000-0000-{n + 1:012d}"


TURN_NAMES = ("rapportér", "form", "færdig", "send")


def report_turns() -> list[dict[str, Any]]:
    """The report flow's activities (text and value), as Teams sends them from the cards."""
    yesterday = datetime.now(ZoneInfo("Europe/Copenhagen")) - timedelta(days=1)
    form = {
        "verb": "report_form",
        "category": "trussel",
        "description": "Han skrev at han ved hvor jeg bor.",
        "date": yesterday.date().isoformat(),
        "time": "21:30",
        "platform": "facebook",
        "link": "https://facebook.com/p/1",
        "offender": "Profilen 'Sandhedsvidne'",
        "outside_hours": "true",
        "family": "true",
    }
    return [{"text": "rapportér"}, {"value": form}, {"text": "færdig"}, {"value": {"verb": "review_submit"}}]


def activity(n: int, turn: dict[str, Any], service_url: str, seq: int) -> dict[str, Any]:
    user = employee_id(n)
    return {
        "type": "message",
        "id": f"m{n}-{seq}",
        "timestamp": datetime.now().astimezone().isoformat(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "locale": "da-DK",
        "from": {"id": f"29:{user}", "name": f"Medarbejder {n + 1}", "aadObjectId": user},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": "tenant"},
        "channelData": {"tenant": {"id": "tenant"}},
        **turn,
    }


@dataclass
class Run:
    bot: str
    store: str
    latencies: list[float]
    errors: int
    kinds: list[str]
    receipts: int = 0
    apologies: int = 0


@contextlib.asynccontextmanager
async def process(
    name: str, command: list[str], env: dict[str, str], port: int, logs: Path, cwd: Path = ROOT
) -> AsyncIterator[int]:
    """Start a bot process and wait until /healthz answers (yields its pid); stop it afterwards."""
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(300):
                    if proc.returncode is not None:
                        break
                    with contextlib.suppress(aiohttp.ClientError):
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                            if resp.status == 200:
                                break
                    await asyncio.sleep(0.1)
                else:
                    raise RuntimeError(f"{name} did not start: {log_path.read_text(errors='replace')[-2000:]}")
            if proc.returncode is not None:
                raise RuntimeError(f"{name} exited: {log_path.read_text(errors='replace')[-2000:]}")
            yield proc.pid
        finally:
            if proc.returncode is None:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()


async def drive(port: int, service_url: str, employees: int, rounds: int) -> tuple[list[float], int, list[str]]:
    """Every employee, concurrently, runs `rounds` report flows; returns each turn's latency."""
    url = f"http://127.0.0.1:{port}/api/messages"
    turns = report_turns()
    latencies: list[float] = []
    kinds: list[str] = []
    errors = 0

    async def post(session: aiohttp.ClientSession, body: dict[str, Any]) -> float:
        nonlocal errors
        start = time.perf_counter()
        async with session.post(url, json=body) as resp:
            await resp.read()
            if resp.status >= 300:
                errors += 1
        return time.perf_counter() - start

    async def employee(session: aiohttp.ClientSession, n: int) -> None:
        seq = 0
        await post(session, activity(n, {"text": "hjælp"}, service_url, seq))  # warm-up, not timed
        for _ in range(rounds):
            for name, turn in zip(TURN_NAMES, turns, strict=True):
                seq += 1
                latencies.append(await post(session, activity(n, turn, service_url, seq)))
                kinds.append(name)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(employee(session, n) for n in range(employees)))
    return latencies, errors, kinds


def leaders_csv(path: Path, employees: int) -> None:
    rows = [
        "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,"
        "deputy_name,unit,leader_absent"
    ]
    rows += [
        f"{employee_id(n)},Medarbejder {n + 1},{LEADER},Lene Leder,{DEPUTY},Dorte Stedfortræder,Borgerservice,false"
        for n in range(employees)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def count(connector: FakeConnector, needle: str) -> int:
    return sum(needle in json.dumps(r.activity, ensure_ascii=False) for r in connector.activities)


async def measure(store: str, connection: str, args: argparse.Namespace, logs: Path) -> list[Run]:
    runs = []
    async with FakeConnector(conversation_windows=UNLIMITED, app_windows=UNLIMITED) as connector:
        port = free_port()
        async with process(f"echo-{store}", [str(PYTHON), "-m", "benchmarks.echo_bot", str(port)], {}, port, logs):
            latencies, errors, kinds = await drive(port, connector.service_url, args.employees, args.rounds)
        runs.append(Run("echo", store, latencies, errors, kinds))
    async with FakeConnector(conversation_windows=UNLIMITED, app_windows=UNLIMITED) as connector:
        port = free_port()
        data_dir = logs / f"data-{store}"
        leaders_csv(logs / "leaders.csv", args.employees)
        env = {
            "PORT": str(port),
            "DATA_DIR": str(data_dir),
            "LEADER_DIRECTORY_FILE": str(logs / "leaders.csv"),
            "STORAGE_CONNECTION_STRING": connection,
            **dict(item.split("=", 1) for item in args.app_env),
        }
        async with process(f"app-{store}", [str(PYTHON), "app.py"], env, port, logs):
            latencies, errors, kinds = await drive(port, connector.service_url, args.employees, args.rounds)
            await asyncio.sleep(1)  # let the leader notifications of the last reports go out
        runs.append(
            Run(
                "report flow",
                store,
                latencies,
                errors,
                kinds,
                count(connector, RECEIPT),
                count(connector, APOLOGY),
            )
        )
    return runs


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def table(runs: list[Run], expected_receipts: int) -> str:
    lines = [
        "| store | bot | turns | median ms | p90 ms | p99 ms | errors | receipts | ratio (median) | goal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    echo = {r.store: percentile(r.latencies, 50) for r in runs if r.bot == "echo"}
    for r in runs:
        median = percentile(r.latencies, 50)
        ratio = median / echo[r.store] if r.bot != "echo" else 1.0
        goal = "" if r.bot == "echo" else ("met" if ratio <= GOAL else f"MISSED (> {GOAL}x)")
        receipts = "" if r.bot == "echo" else f"{r.receipts}/{expected_receipts}"
        lines.append(
            f"| {r.store} | {r.bot} | {len(r.latencies)} | {median * 1000:.1f} | "
            f"{percentile(r.latencies, 90) * 1000:.1f} | {percentile(r.latencies, 99) * 1000:.1f} | "
            f"{r.errors + r.apologies} | {receipts} | {ratio:.2f} | {goal} |"
        )
    return "\n".join(lines)


def by_turn(runs: list[Run]) -> str:
    """Where the time goes: the median of each turn of the flow."""
    lines = [
        "| store | bot | " + " | ".join(f"{t} ms" for t in TURN_NAMES) + " |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        cells = [
            percentile([lat for lat, k in zip(r.latencies, r.kinds, strict=True) if k == t], 50) * 1000
            for t in TURN_NAMES
        ]
        lines.append(f"| {r.store} | {r.bot} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stores", nargs="+", choices=("local", "azurite"), default=["local", "azurite"])
    parser.add_argument("--app-env", nargs="*", default=[], metavar="KEY=VALUE", help="extra settings for app.py")
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-turns-") as tmp:
        logs = Path(tmp)
        for store in args.stores:
            if store == "local":
                runs += await measure(store, "", args, logs)
            else:
                async with azurite_async() as connection:
                    runs += await measure(store, connection, args, logs)
            if runs[-1].errors or runs[-1].apologies:
                tail = (logs / f"app-{store}.log").read_text(errors="replace")[-3000:]
                print(f"app-{store} had failing turns; its log ends:\n{tail}", file=sys.stderr)
    expected = args.employees * args.rounds
    print(f"{args.employees} employees x {args.rounds} rounds x 4 turns, all on 127.0.0.1\n")
    print(table(runs, expected))
    print("\nMedian per turn of the flow:\n")
    print(by_turn(runs))
    failed = [r for r in runs if r.errors or r.apologies or (r.bot != "echo" and r.receipts != expected)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
