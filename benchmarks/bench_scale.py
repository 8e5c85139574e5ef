"""Cost over five years of history (issue 16): does a question cost more when the store holds more?

Seeds 1,000, 10,000 and 100,000 cases spread over five years and 200 workplaces, each case with
its audit lines and one evidence file, written straight through the case repository and the Store
(no HTTP to the bot), each size its own store, seeded with the same random numbers (the 100,000
store holds the 1,000 store's cases plus history). Then it measures, on every size in turn (the
order reversed every round, so the machine's load weighs on every size alike), the same service
calls the bot makes for:

- an employee's "Mine sager" (reported_by + open_led_by + the card);
- a leader's list (the same turn, for the leader of workplace 0);
- HR's open-case list (open_cases + by_urgency + the card);
- one scheduler tick with nothing due, and one with 50 items due (50 fresh cases);
- the MED figures (the reminder card) of one workplace, and of all 200;
- start-up: the runtime built from settings and its first scheduler tick (what a restart does).

Result sizes are the same at every stage: the measured employee always has 5 cases, workplace 0's
leader 3 open ones, HR 200 open ones, and the MED period's cases are the same 300. What the later
stages add is history: cases closed one to five years ago. Each figure is the median of `--repeat`
timed runs after one warm-up run (the store requests and HTTP requests counted in those runs);
memory is the tracemalloc peak of one more run (and the process's RSS at the end).

    .venv/bin/python -m benchmarks.bench_scale [--sizes 1000,10000,100000] [--azurite] [--no-local]
        [--repeat 5 | --repeat 1000=5,100000=1] [--figures employee,hr,...] [--cache DIR]
        [--out rows.md --out rows.jsonl] [--until 01:40] [--azurite-dir DIR] [--read-timeout 600]

A long run keeps what it measured: each figure's row is printed (a markdown row, one size after
the other, with the bot's CPU, requests and peak apart from the store's wait and CPU) and appended
to every `--out` file as soon as the figure is measured on every size, as are the seeding's
progress lines (cases a second, the bot's and Azurite's CPU a case, Azurite's RSS) every 10,000
cases. `--repeat` may give each size its own number of runs (a 100,000 Azurite pays seconds a
find); the long figures (all 200 MED cards, start-up) get half, at least 1. `--until HH:MM` (UTC)
starts no run after that moment; the figures are measured cheapest first, all 200 MED cards last.

Local store: with `--cache DIR` each size's seeded store is kept in `DIR/local-{size}-v{N}` and
reused by the next run (the measurements leave the store as they found it: the 50 due cases are
deleted again), so a re-run measures at once instead of seeding 1.5 million files again. Seeding
skips `fsync` (a benchmark's seed need not survive a power cut; the measured calls keep it).

Azurite: one in-memory Azurite per size, seeded 48 cases at a time, each case's audit log and
evidence in 3 requests instead of 8 (the same blobs; see `_seed_blobs`): about 70-150 cases a
second on this machine. Azurite's Find Blobs by Tags is corrected for the run
(`azurite_find_fix.js`: stock 3.37 answers nothing behind its container's first 5,000 blobs, so
from ~5,000 cases on it finds no case). Each Azurite cell separates the bot's own cost (its CPU,
its store requests and the HTTP requests they sent, its peak memory) from the store's time (the
wall time with a store call outstanding, and Azurite's CPU from /proc), and says how many bytes
the answers brought in how many socket reads, and how many Python calls the (untimed) warm-up run
made: the bot's work, counted so that no other process's load can inflate it.

By default each Azurite is in memory and seeded again by every run. `--azurite-dir DIR` keeps each
size's seeded Azurite in `DIR/azurite-{size}-v{N}` instead: seeded and saved once
(`azurite_keep.js`: Azurite's own 5 s autosave of its whole database is off, the seed is saved one
document a line on a signal, its blob garbage collector is off), and reused by every later run,
whose own writes are dropped when it ends (100,000 cases: 12-17 minutes to seed, then a start of a
minute or two). Remove the folder when done: it is large.

Retention is set to 1826 days (five years), so its daily question ("closed cases older than
that?") runs and finds nothing; a store that keeps cases two years would not hold five years.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar, cast

from aiohttp.client_proto import ResponseHandler
from azure.storage.blob import ContentSettings

from app import WORKER_THREADS, Overrides, Runtime, build_runtime
from benchmarks.bench_soak import azurite_pid
from benchmarks.bench_turn_cpu import cpu_seconds
from bot.directory import FileDirectory
from bot.guideline.case import new_case
from bot.guideline.definitions import Category, Platform
from bot.guideline.due import mark_sent, pending_items
from bot.guideline.model import Acknowledgement, Case, CaseStatus, Facts, Person, StepStatus
from bot.guideline.overview import by_urgency
from bot.hosting.settings import Settings
from bot.repositories.cases import CaseDoc
from bot.services.reports import evidence_item
from bot.storage import names
from bot.storage.blob import BlobStore, evidence_metadata
from bot.storage.blob_transport import _TIMEOUTS, TracedBlobTransport
from bot.storage.local import LocalStore
from bot.storage.store import EvidenceMeta, Store
from bot.teams.reference_book import remember_user
from bot.texts import Texts
from cards.hr import hr_cases_card
from cards.my_cases import my_cases_card
from tests.fakes.azurite import running_azurite

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Copenhagen
YEAR = timedelta(days=365)
UNITS = 200
EMPLOYEES_PER_UNIT = 10
OPEN_CASES = 200  # one per workplace, opened this morning
RECENT_CLOSED = 300  # closed in the last year (the MED period's cases among them)
SEED_CONCURRENCY = {"local": 48, "Azurite": 48}
SEED_VERSION = 2  # bump when what is seeded changes: cached stores of another version are not reused
HR = "00000000-0000-4000-8000-0000000000c1"
T = TypeVar("T")


def person_id(kind: int, unit: int, i: int = 0) -> str:
    return f"00000000-0000-4000-{kind:04d}-{unit:04d}{i:08d}"


def leader(unit: int) -> Person:
    return Person(person_id(1, unit), f"Leder {unit}")


def employee(unit: int, i: int) -> Person:
    return Person(person_id(2, unit, i), f"Medarbejder {unit}-{i}")


def unit_name(unit: int) -> str:
    return f"Enhed {unit:03d}"


MEASURED_EMPLOYEE = employee(0, 0)  # always 5 cases (2 open, 3 closed)
MEASURED_LEADER = leader(0)  # always 3 open cases


def directory_csv() -> str:
    head = "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,unit,leader_absent\n"
    rows = []
    for u in range(UNITS):
        boss = leader(u)
        for i in range(EMPLOYEES_PER_UNIT):
            e = employee(u, i)
            rows.append(f"{e.aad_object_id},{e.name},{boss.aad_object_id},{boss.name},{unit_name(u)},false\n")
    return head + "".join(rows)


# -- building cases ---------------------------------------------------------------------------------
def make_case(rng: random.Random, unit: int, reporter: Person, created: datetime, number: str, closed: bool) -> Case:
    facts = Facts(
        category=rng.choice(list(Category)),
        description="Kommentarer under et opslag om en afgørelse.",
        occurred_at=created - timedelta(hours=2),
        platform=rng.choice(list(Platform)),
        link=None,
        offender=None,
        outside_working_hours=False,
        family_threatened=False,
    )
    case_id = uuid.UUID(int=rng.getrandbits(128), version=4).hex
    evidence = [
        EvidenceMeta(
            sha256=hashlib.sha256(case_id.encode()).hexdigest(),
            size=2048,
            content_type="image/png",
            original_name="skaermbillede.png",
            uploaded_by=reporter.aad_object_id,
            uploaded_at=created,
        )
    ]
    case, _ = new_case(
        id=case_id,
        number=number,
        reporter=reporter,
        leader=leader(unit),
        deputy=None,
        unit=unit_name(unit),
        facts=facts,
        evidence=[evidence_item(m) for m in evidence],
        now=created,
    )
    case = replace(case, acknowledged=Acknowledgement(leader(unit).aad_object_id, created + timedelta(minutes=20)))
    if closed:
        decided = created + timedelta(hours=rng.randint(1, 40))
        steps = {
            step: replace(
                state,
                status=StepStatus.DONE if state.status is not StepStatus.NOT_APPLICABLE else state.status,
                decided_by=leader(unit).aad_object_id,
                decided_at=decided,
                first_decided_at=decided if state.status is not StepStatus.NOT_APPLICABLE else None,
            )
            for step, state in case.steps.items()
        }
        case = replace(case, steps=steps, status=CaseStatus.CLOSED, closed_at=created + timedelta(days=21))
    return case


def quiet(case: Case, moment: datetime) -> Case:
    """Mark everything already due as sent, so the case is open but has nothing due at `moment`."""
    for item in pending_items(case):
        if item.due_at <= moment + timedelta(hours=1):
            case = mark_sent(case, item.key)
    return case


@dataclass
class Seeder:
    store: Store
    runtime: Runtime
    rng: random.Random
    concurrency: int
    count: int = 0
    blob: BlobStore | None = None  # set on Azurite: the audit log and evidence in fewer requests
    store_pid: int | None = None  # Azurite's process, for its CPU a case in the progress lines
    since: tuple[float, int, float, float] = (0.0, 0, 0.0, 0.0)  # (when, count, bot CPU, store CPU) of the last line
    report: Report | None = None

    async def put(self, case: Case) -> None:
        await self.runtime.cases.create(CaseDoc(case))
        line = {"id": uuid.uuid4().hex, "type": "case_opened", "case_id": case.id, "actor": case.reporter.aad_object_id}
        lines = [{**line, "at": case.created_at.isoformat()}]
        if case.closed_at is not None:
            closing = {
                "id": uuid.uuid4().hex,
                "type": "case_closed",
                "case_id": case.id,
                "at": case.closed_at.isoformat(),
            }
            lines.append({**closing, "actor": case.leader.aad_object_id if case.leader else ""})
        item = case.evidence[0]
        meta = EvidenceMeta(
            item.sha256, item.size, item.content_type, item.original_name, item.uploaded_by, item.uploaded_at
        )
        evidence = f"evidence/{case.id}/{item.sha256}"
        if self.blob is not None:
            await _seed_blobs(self.blob, case.id, lines, evidence, meta)
        else:
            for entry in lines:
                await self.store.append_audit(case.id, entry)
            await self.store.put_evidence(evidence, _bytes(item.size), meta)
        self.count += 1
        if self.count % 10_000 == 0:
            self.progress()

    def progress(self) -> None:
        """The seeding rate as the store fills, and what a case cost each side: this process's CPU
        (getrusage) and Azurite's (/proc)."""
        now, count, cpu, store = time.perf_counter(), self.count, sum(_usage()), self.store_cpu()
        then, count0, cpu0, store0 = self.since
        self.since = (now, count, cpu, store)
        if not then or count == count0:
            return
        n = count - count0
        fields = {
            "cases": count,
            "per_second": round(n / (now - then), 1),
            "bot_cpu_ms_a_case": round((cpu - cpu0) / n * 1000, 2),
        }
        if self.store_pid is not None:
            fields |= {
                "store_cpu_ms_a_case": round((store - store0) / n * 1000, 2),
                "store_rss_mib": _rss_mib(self.store_pid),
            }
        (self.report or Report([])).event("seeded", **fields)

    def store_cpu(self) -> float:
        return cpu_seconds(self.store_pid) if self.store_pid is not None else 0.0

    def number(self, created: datetime) -> str:
        return f"KH-{created.year}-{self.count + 1:06d}"

    async def many(self, cases: AsyncIterator[Case] | list[Case]) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()

        async def one(case: Case) -> None:
            try:
                await self.put(case)
            finally:
                gate.release()

        async def each(source: AsyncIterator[Case] | list[Case]) -> AsyncIterator[Case]:
            if isinstance(source, list):
                for case in source:
                    yield case
            else:
                async for case in source:
                    yield case

        async for case in each(cases):
            await gate.acquire()
            task = asyncio.get_running_loop().create_task(one(case))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)

    async def first_stage(self) -> None:
        """What every stage shares: today's open cases, last year's closed ones, the measured people."""
        rng = self.rng
        people = [leader(u) for u in range(UNITS)] + [employee(u, i) for u in range(UNITS) for i in range(3)]
        for person in [*people, Person(HR, "HR")]:  # they have written to the bot before
            await remember_user(self.store, person.aad_object_id, reference_of(person.aad_object_id), "da-DK")
        cases = []
        for u in range(UNITS):  # one open case per workplace, this morning
            created = NOW - timedelta(minutes=rng.randint(30, 90))
            reporter = employee(u, rng.randint(1, EMPLOYEES_PER_UNIT - 1))
            cases.append(quiet(make_case(rng, u, reporter, created, self.number(created), False), NOW))
        for i in range(2):  # the measured employee: two open, three closed
            created = NOW - timedelta(minutes=40 + i)
            cases.append(quiet(make_case(rng, 0, MEASURED_EMPLOYEE, created, f"KH-2026-9{i:05d}", False), NOW))
        for i in range(3):
            created = NOW - timedelta(days=30 + 60 * i)
            cases.append(make_case(rng, 0, MEASURED_EMPLOYEE, created, f"KH-2026-8{i:05d}", True))
        for i in range(RECENT_CLOSED - 3):  # the last year, the MED period among it
            u = rng.randrange(UNITS)
            created = NOW - timedelta(days=40) - rng.random() * (YEAR - timedelta(days=40))
            reporter = employee(u, rng.randint(1, EMPLOYEES_PER_UNIT - 1))
            cases.append(make_case(rng, u, reporter, created, f"KH-{created.year}-7{i:05d}", True))
        await self.many(cases)

    async def history(self, how_many: int) -> None:
        """Cases opened and closed one to five years ago."""
        rng = self.rng

        async def cases() -> AsyncIterator[Case]:
            for _ in range(how_many):
                u = rng.randrange(UNITS)
                created = NOW - YEAR - rng.random() * (4 * YEAR - timedelta(days=30))
                reporter = employee(u, rng.randint(1, EMPLOYEES_PER_UNIT - 1))
                yield make_case(rng, u, reporter, created, f"KH-{created.year}-{rng.randrange(10**6):06d}", True)

        await self.many(cases())

    async def due(self, how_many: int) -> list[Case]:
        """Fresh cases whose first notification (the leader's) is due now."""
        made = []
        rng = random.Random()  # new ids every time, also on a cached store that saw earlier runs
        for i in range(how_many):
            u = 1 + i % (UNITS - 1)
            created = NOW - timedelta(minutes=5)
            case = make_case(rng, u, employee(u, 1), created, f"KH-2026-6{rng.randrange(10**5):05d}", False)
            made.append(replace(case, acknowledged=None))
        await self.many(made)
        return made


async def _seed_blobs(
    blob: BlobStore, case_id: str, lines: list[dict[str, Any]], evidence: str, meta: EvidenceMeta
) -> None:
    """Seeding on Azurite: the same blobs as `append_audit` and `put_evidence` write (an append blob
    of JSON lines; a create-only block blob with the evidence metadata), in 3 requests instead of
    8: Azurite serves a few hundred requests a second on a shared core, and 100,000 cases are
    otherwise an hour of seeding. What the measured questions read is the same."""
    log = blob._blob(names.audit_log(case_id))  # a benchmark's shortcut to the store's blob clients
    await log.create_append_blob()
    body = b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" for e in lines)
    await log.append_block(body)
    data = b"".join([chunk async for chunk in _bytes(meta.size)])
    await blob._blob(evidence).upload_blob(
        data,
        overwrite=False,
        metadata=evidence_metadata(meta),
        content_settings=ContentSettings(content_type=meta.content_type),
    )


async def _bytes(size: int) -> AsyncIterator[bytes]:
    yield b"\x89PNG\r\n\x1a\n" + b"\0" * (size - 8)


# -- the fakes at the edge --------------------------------------------------------------------------
class QuietNotifier:
    """Accepts every message at once (the connector's cost is another benchmark's)."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        self.sent += 1
        return uuid.uuid4().hex

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        return None

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        self.sent += 1
        return reference_of(user_aad_id), uuid.uuid4().hex


def reference_of(user_aad_id: str) -> dict[str, Any]:
    return {
        "serviceUrl": "http://127.0.0.1:9/",
        "channelId": "msteams",
        "bot": {"id": "28:bot"},
        "user": {"id": f"29:{user_aad_id}", "aadObjectId": user_aad_id},
        "conversation": {"id": f"a:{user_aad_id}", "conversationType": "personal", "tenantId": "tenant"},
    }


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


async def start(settings: Settings, store: Store, folder: Path, notifier: QuietNotifier) -> Runtime:
    return await build_runtime(
        settings,
        Overrides(
            store=store,
            directory=await FileDirectory.open(folder / "leaders.csv"),
            clock=FixedClock(NOW),
            notifier=notifier,
            run_scheduler=False,
        ),
    )


# -- measuring ----------------------------------------------------------------------------------------
class Counting:
    """The store with a count of the requests made through it: the same at every size when a
    question's work follows its answer, whatever each request costs the store."""

    COUNTED = (
        "get",
        "put",
        "delete",
        "find",
        "list",
        "append_audit",
        "append_audit_lines",
        "read_audit",
        "get_evidence_meta",
        "purge",
    )
    # `--settle`: seconds to wait after a find has answered before its caller goes on. An
    # experiment, not a figure: Azurite keeps working after it answers a find (its garbage from
    # scanning the container), and on this 2-core machine that work runs beside the bot's. With a
    # pause the bot's work runs after Azurite's instead of beside it; if the bot's CPU then stops
    # growing with the container, the growth was the neighbour's, not more work of the bot's.
    # Found with it (docs/performance.md, 1 December): on this virtual machine the loop thread pays
    # about 0.25 ms of CPU for any wake-up after a pause of 10 ms or more (a bare asyncio.sleep),
    # and 1-2 ms for a request's work resumed after one, whatever the pause's length. A slow store
    # makes every request such a wake-up; the same --settle at every size makes them alike.
    settle = 0.0

    def __init__(self, store: Store) -> None:
        self.inner = store
        self.calls = 0
        self.finds = 0  # of them tag queries (on Azurite each one a scan of the whole container)
        self.waited = 0.0  # seconds with at least one store call outstanding (the store's share of wall time)
        self._open = 0
        self._since = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if name not in self.COUNTED:
            return attribute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.finds += name == "find"
            if self._open == 0:
                self._since = time.perf_counter()
            self._open += 1
            try:
                result = await attribute(*args, **kwargs)
            finally:
                self._open -= 1
                if self._open == 0:
                    self.waited += time.perf_counter() - self._since
            if self.settle and name == "find":
                await asyncio.sleep(self.settle)
            return result

        return counted


class HttpCount:
    """HTTP requests sent to the blob service (a `find` that pages makes more than one), the bytes
    their answers brought (headers and body, as the socket delivered them) and in how many reads:
    if an answer grew with the container (more or bigger pages, markers), or came in more pieces
    (each a wake-up of the event loop), these would differ between sizes. Requests slower than
    `SLOW_SECONDS` are kept with their method and path (a benchmark's fake ids) for the report."""

    sent = 0
    received = 0  # bytes
    reads = 0  # data_received calls of aiohttp's protocol
    slow: ClassVar[list[dict[str, Any]]] = []
    SLOW_SECONDS = 10.0

    @classmethod
    def install(cls) -> None:
        send = TracedBlobTransport.send

        async def counted(self: TracedBlobTransport, request: Any, **kwargs: Any) -> Any:
            cls.sent += 1
            began = time.perf_counter()
            outcome = "answered"
            try:
                return await send(self, request, **kwargs)
            except BaseException as exc:
                outcome = type(exc).__name__
                raise
            finally:
                took = time.perf_counter() - began
                if took >= cls.SLOW_SECONDS:
                    url = urllib.parse.urlsplit(request.url)
                    query = urllib.parse.parse_qs(url.query)
                    what = {k: v[0] for k, v in query.items() if k in ("comp", "restype", "where", "prefix")}
                    cls.slow.append(
                        {
                            "seconds": round(took, 1),
                            "method": request.method,
                            "path": url.path,
                            **what,
                            "outcome": outcome,
                        }
                    )
                    print(json.dumps({"at": _utc(), "event": "slow request", **cls.slow[-1]}), flush=True)

        TracedBlobTransport.send = counted
        received = ResponseHandler.data_received

        def data_received(self: ResponseHandler, data: bytes) -> None:
            cls.received += len(data)
            cls.reads += 1
            received(self, data)

        ResponseHandler.data_received = data_received  # type: ignore[method-assign]


@dataclass
class Figure:
    seconds: float  # wall clock, median
    cpu_seconds: float  # this process's CPU (all threads), median: steadier on a shared machine
    system_seconds: float  # the kernel's part of it (file system work on the local store), median
    peak_kib: float  # tracemalloc peak of one more run
    requests: int = 0  # store requests in one run
    finds: int = 0  # of them tag queries
    http: int = 0  # HTTP requests to the blob service in that run (Azurite; 0 on the local store)
    store_wait_seconds: float = 0.0  # wall time with a store call outstanding, median
    store_cpu_seconds: float = 0.0  # Azurite's CPU (from /proc), median (0 on the local store)
    runs: int = 0  # timed runs the medians are of
    loop_cpu_seconds: float = 0.0  # the event loop's thread alone (time.thread_time), median
    received: int = 0  # bytes the blob service's answers brought in one run (Azurite; 0 locally)
    reads: int = 0  # in how many socket reads
    calls: int = 0  # Python function calls (and calls of C functions from Python) in the warm-up run


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    system_seconds: float
    store_wait_seconds: float
    store_cpu_seconds: float
    requests: int  # store requests in this run
    finds: int  # of them tag queries
    http: int  # HTTP requests they sent
    loop_cpu_seconds: float  # the event loop's thread alone: on Azurite all of the bot's work
    received: int = 0  # bytes of the blob service's answers
    reads: int = 0  # socket reads they came in


def _usage() -> tuple[float, float]:
    """(user, system) seconds of this process, all threads, to the microsecond (os.times ticks 10 ms)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _cpu(since: tuple[float, float]) -> tuple[float, float]:
    """(user + system, system) seconds of this process since `since`."""
    user, system = _usage()
    return user - since[0] + system - since[1], system - since[1]


async def my_cases(runtime: Runtime, person: str) -> dict[str, Any]:
    """What the handler's "Mine sager" does (bot/teams/handler.py `_my_cases`)."""
    cases = await runtime.cases.reported_by(person)
    led_cases = await runtime.cases.open_led_by(person)
    led = by_urgency(led_cases, NOW, runtime.cases.policy) if led_cases else None
    return my_cases_card(Texts("da"), cases, runtime.settings.zone, led)


async def hr_list(runtime: Runtime) -> dict[str, Any]:
    """What the handler's HR list does (`_hr_cases`)."""
    ordered = by_urgency(await runtime.cases.open_cases(), NOW, runtime.cases.policy)
    return hr_cases_card(Texts("da"), ordered, runtime.settings.zone)


async def med_card(runtime: Runtime, unit: int) -> dict[str, Any]:
    evaluations = runtime.med.evaluations
    units = {u.name: u for u in await runtime.med.units.units()}
    return await evaluations.card(units[unit_name(unit)], evaluations.current_period())


async def med_all(runtime: Runtime) -> int:
    """Every workplace's reminder card, 16 at a time (as the broadcast draws them)."""
    evaluations = runtime.med.evaluations
    period = evaluations.current_period()
    gate = asyncio.Semaphore(16)

    async def one(unit: Any) -> None:
        async with gate:
            await evaluations.card(unit, period)

    units = await runtime.med.units.units()
    await asyncio.gather(*(one(u) for u in units))
    return len(units)


async def _forget(seeder: Seeder, runtime: Runtime, cases: list[Case]) -> None:
    """Remove the 50 due cases again. On Azurite by their names: a purge lists by prefix, which
    Azurite answers by matching a regular expression against every blob of the container (at
    100,000 cases one such listing ran past the client's 60 s read timeout and ended a run)."""
    seeder.count -= len(cases)
    for case in cases:
        await runtime.store.delete(f"cases/{case.id}.json")
        if seeder.blob is not None:
            await seeder.blob.delete(names.audit_log(case.id))
            for item in case.evidence:
                await seeder.blob.delete_evidence(f"evidence/{case.id}/{item.sha256}")
        else:
            await runtime.store.purge(f"evidence/{case.id}/")
            await runtime.store.purge(f"audit/{case.id}.log")


async def _close(runtime: Runtime) -> None:
    with contextlib.suppress(Exception):
        await runtime.background.drain() if hasattr(runtime.background, "drain") else None
    for close in reversed(runtime.closers):
        if getattr(close, "__self__", None) is runtime.store:
            continue  # the store is the benchmark's
        await close()


@contextlib.contextmanager
def no_fsync() -> Iterator[None]:
    """Seeding only: skip `fsync` (the seed need not survive a power cut; 5 a case on a disk)."""
    real = os.fsync
    os.fsync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real


def bench_settings(folder: Path) -> Settings:
    (folder / "leaders.csv").write_text(directory_csv(), encoding="utf-8")
    return Settings.from_env(
        {
            "DATA_DIR": str(folder / "data"),
            "HR_AAD_OBJECT_IDS": HR,
            "LEADER_DIRECTORY_FILE": str(folder / "leaders.csv"),
            "RETENTION_DAYS": "1826",
            "EVIDENCE_SPOOL_DIR": str(folder / "spool"),
        }
    )


async def seed_to(seeder: Seeder, size: int, name: str) -> None:
    began = time.perf_counter()
    seeder.since = (0.0, seeder.count, 0.0, 0.0)
    seeder.progress()
    with no_fsync():
        if seeder.count == 0:
            await seeder.runtime.scheduler.tick()  # a new deployment's first tick: an empty store has every tag
            await seeder.first_stage()
            await seeder.history(max(0, size - seeder.count))
            await seeder.runtime.scheduler.tick()  # the MED round of the due period goes out once, as in life
        else:
            await seeder.history(size - seeder.count)
    took = time.perf_counter() - began
    seeder.progress()
    print(f"{name}: seeded {seeder.count} in {took:.0f} s ({seeder.count / took:.0f} cases/s)", flush=True)


@dataclass
class Stage:
    """One size's store, opened for measuring."""

    label: str
    seeder: Seeder
    settings: Settings
    store: Store  # a Counting wrapper
    folder: Path
    azurite_pid: int | None = None  # the emulator serving this stage, for its CPU

    @property
    def runtime(self) -> Runtime:
        return self.seeder.runtime

    @property
    def size(self) -> int:
        """The cases seeded (the label's number; the 50-due figure adds and removes its own)."""
        return int(self.label.split()[-1])

    @property
    def counting(self) -> Counting:
        return cast(Counting, self.store)


async def open_local(root: Path, size: int, folder: Path, report: Report) -> Stage:
    """The size's local store in `root`, seeded first if it is not there (or did not finish)."""
    marker = root / ".seeded"
    settings = bench_settings(folder)
    store = cast(Store, Counting(LocalStore(root)))
    runtime = await start(settings, store, folder, QuietNotifier())
    seeder = Seeder(store, runtime, random.Random(16), SEED_CONCURRENCY["local"], report=report)
    if marker.exists():
        seeder.count = int(marker.read_text())
        print(f"local: {seeder.count} cases from {root}", flush=True)
    else:
        if await asyncio.to_thread(root.exists):  # a seed that did not finish
            await asyncio.to_thread(shutil.rmtree, root)
        await seed_to(seeder, size, "local")
        marker.write_text(str(seeder.count))
    return Stage(f"local {size}", seeder, settings, store, folder)


AZURITE_FIND_FIX = Path(__file__).with_name("azurite_find_fix.js")
AZURITE_KEEP = Path(__file__).with_name("azurite_keep.js")  # loads the find fix too


async def open_azurite(
    stack: contextlib.AsyncExitStack, size: int, folder: Path, report: Report, keep: Path | None = None
) -> Stage:
    """An Azurite for this size, seeded, with its Find Blobs by Tags corrected (azurite_find_fix.js:
    stock 3.37 answers nothing past its container's first 5,000 blobs).

    Without `keep`: a fresh one in memory (with a data folder Azurite would save its whole database
    every 5 s, which at hundreds of thousands of blobs stalls it for seconds; Azure has no such
    cost). With `keep`: a data folder `keep/azurite-{size}-v{N}`, seeded once and saved once
    (azurite_keep.js: no autosave, no blob garbage collection), and reused by every later run,
    whose own writes are dropped when it ends."""
    # Node's default heap limit here is ~4.3 GB and 100,000 cases fill ~3 GB of Azurite's heap:
    # room, so that the emulator is not collecting garbage at its limit while it is measured.
    os.environ.setdefault("NODE_OPTIONS", "--max-old-space-size=12288")
    location = keep / f"azurite-{size}-v{SEED_VERSION}" if keep is not None else None
    marker = location / ".seeded" if location is not None else None
    seeded = marker is not None and marker.exists()
    if location is None:
        azurite = running_azurite(timeout=60, extra_args=["--inMemoryPersistence"], preload=AZURITE_FIND_FIX)
    else:
        if not seeded and await asyncio.to_thread(location.exists):  # a seed that did not finish
            await asyncio.to_thread(shutil.rmtree, location)
        location.mkdir(parents=True, exist_ok=True)
        saved = location / ".saved"
        azurite = running_azurite(
            timeout=900,  # loading 300,000 blobs' metadata takes a while
            preload=AZURITE_KEEP,
            location=location,
            env={"BENCH_AZURITE_SAVED": str(saved)},
        )
    began = time.perf_counter()
    conn = stack.enter_context(azurite)
    blob = BlobStore.from_connection_string(conn, "benchscale")
    stack.push_async_callback(blob.close)
    await blob.ensure_container()
    settings = bench_settings(folder)
    store = cast(Store, Counting(blob))
    runtime = await start(settings, store, folder, QuietNotifier())
    pid = azurite_pid(conn)
    seeder = Seeder(
        store, runtime, random.Random(16), SEED_CONCURRENCY["Azurite"], blob=blob, store_pid=pid, report=report
    )
    if seeded and marker is not None:
        seeder.count = int(marker.read_text())
        report.event(
            "reused", store=str(location), cases=seeder.count, started_seconds=round(time.perf_counter() - began)
        )
    else:
        await seed_to(seeder, size, f"Azurite {size}")
        if location is not None and marker is not None and pid is not None:
            await _save_azurite(pid, location / ".saved", report)
            marker.write_text(str(seeder.count))
    return Stage(f"Azurite {size}", seeder, settings, store, folder, pid)


async def _save_azurite(pid: int, saved: Path, report: Report) -> None:
    """Ask a kept Azurite to save its databases (azurite_keep.js) and wait until it has."""
    began = time.perf_counter()
    await asyncio.to_thread(saved.unlink, missing_ok=True)
    os.kill(pid, signal.SIGUSR2)
    failed = saved.with_name(saved.name + ".error")
    while not await asyncio.to_thread(saved.exists):
        if await asyncio.to_thread(failed.exists):
            raise RuntimeError(f"Azurite could not save its databases: {failed.read_text()[:2000]}")
        await asyncio.sleep(0.5)
    report.event("saved", store=str(saved.parent), seconds=round(time.perf_counter() - began, 1))


@dataclass
class Action:
    """One figure's call, with what must be set up before each run and undone after it (not timed)."""

    run: Callable[[], Awaitable[object]]
    prepare: Callable[[], Awaitable[object]] | None = None
    cleanup: Callable[[], Awaitable[object]] | None = None


def _say_if_slow(what: str, began: float, stage: Stage) -> None:
    """An untimed step (a figure's set-up or clean-up) that took long, printed at once."""
    took = time.perf_counter() - began
    if took >= HttpCount.SLOW_SECONDS:
        print(
            json.dumps(
                {"at": _utc(), "event": "slow step", "step": what, "stage": stage.label, "seconds": round(took, 1)}
            ),
            flush=True,
        )


def figures_of(stage: Stage) -> dict[str, Action]:
    """The measured figures, cheapest first (a run stopped by its deadline keeps the most)."""
    runtime = stage.runtime
    made: list[Case] = []

    async def fifty_due() -> None:
        began = time.perf_counter()
        made[:] = await stage.seeder.due(50)
        assert len(await runtime.cases.due_by(NOW)) >= 50
        _say_if_slow("50 due cases written", began, stage)

    async def forget_them() -> None:
        began = time.perf_counter()
        assert not await runtime.cases.due_by(NOW), "the tick left items due"
        await _forget(stage.seeder, runtime, made)
        _say_if_slow("50 due cases removed", began, stage)

    return {
        "idle": Action(lambda: asyncio.sleep(IDLE_SECONDS)),
        "employee": Action(lambda: my_cases(runtime, MEASURED_EMPLOYEE.aad_object_id)),
        "leader": Action(lambda: my_cases(runtime, MEASURED_LEADER.aad_object_id)),
        "tick_idle": Action(runtime.scheduler.tick),
        "med_one": Action(lambda: med_card(runtime, 0)),
        "startup": Action(lambda: startup(stage)),
        "hr": Action(lambda: hr_list(runtime)),
        "med_all": Action(lambda: med_all(runtime)),
        "tick_50": Action(runtime.scheduler.tick, fifty_due, forget_them),  # last: it writes and deletes
    }


HALVED = ("med_all", "startup")  # the long ones: half the runs
IDLE_SECONDS = 3.0  # the "idle" figure: what this process burns doing nothing, every store open


class Report:
    """Each figure's row as soon as it is measured: printed, and appended to the `--out` files
    (`.md`: a markdown row; anything else: one JSON object a line), so a stopped run keeps what it
    measured."""

    def __init__(self, outs: list[Path]) -> None:
        self.outs = outs

    def event(self, what: str, **fields: Any) -> None:
        record = {"at": _utc(), "load": _load(), "event": what, **fields}
        print(json.dumps(record), flush=True)
        for out in self.outs:
            if out.suffix != ".md":
                with out.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(record) + "\n")

    def header(self, stages: list[Stage]) -> None:
        sizes = " → ".join(s.label.split()[-1] for s in stages)
        line = (
            f"| figure ({stages[0].label.split()[0]}, {sizes}) | runs | store requests (HTTP), of them finds | "
            "bot CPU ms (loop thread) | bot CPU ÷ | peak KiB | peak ÷ | "
            "wall ms | of it waiting on the store, ms | store CPU ms | store CPU ÷ | "
            "answers KiB (socket reads) | Python calls | calls ÷ | "
            "UTC, load average |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        )
        self._markdown(line)

    def figure(self, key: str, stages: list[Stage], figures: dict[str, Figure]) -> None:
        got = [figures[s.label] for s in stages if s.label in figures]
        for stage in stages:
            if stage.label in figures:
                self.event(
                    "figure", figure=key, stage=stage.label, cases=stage.seeder.count, **figures[stage.label].__dict__
                )

        def each(field: str, scale: float = 1000.0, digits: int = 0) -> str:
            return " → ".join(f"{getattr(f, field) * scale:.{digits}f}" for f in got)

        def ratio(field: str) -> str:
            if len(got) < 2:
                return ""
            return f"{getattr(got[-1], field) / max(getattr(got[0], field), 1e-9):.2f}"

        requests = " → ".join(f"{f.requests} ({f.http}), {f.finds} finds" for f in got)
        title = dict(COLUMNS)[key]
        line = (
            f"| {title} | {' / '.join(str(f.runs) for f in got)} | {requests} | "
            f"{each('cpu_seconds')} ({each('loop_cpu_seconds')}) | "
            f"{ratio('cpu_seconds')} | {each('peak_kib', 1.0)} | {ratio('peak_kib')} | {each('seconds')} | "
            f"{each('store_wait_seconds')} | {each('store_cpu_seconds')} | {ratio('store_cpu_seconds')} | "
            f"{' → '.join(f'{f.received / 1024:.1f} ({f.reads})' for f in got)} | {each('calls', 1.0)} | "
            f"{ratio('calls')} | {_utc()[11:16]}, {_load()} |"
        )
        self._markdown(line)

    def _markdown(self, line: str) -> None:
        print(line, flush=True)
        for out in self.outs:
            if out.suffix == ".md":
                with out.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")


def _utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _past(deadline: datetime | None) -> bool:
    return deadline is not None and datetime.now(UTC) >= deadline


async def measure_stages(
    stages: list[Stage],
    repeats: Mapping[int, int],
    only: set[str] | None = None,
    report: Report | None = None,
    deadline: datetime | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Every size's store open at once, each figure measured on them in turn, round after round
    (the order reversed every other round): the machine's load then weighs on every size alike,
    which on a shared machine matters more than anything the sizes do. `repeats` gives each size
    its number of timed runs (a large Azurite stage pays seconds a find: fewer there); each
    figure's row is reported as soon as it is measured, and past `deadline` no further run starts."""
    report = report or Report([])
    for stage in stages:
        await check_sizes(stage.runtime)
        # A runtime's first tick also runs the once-a-day retention question (its gate is in memory).
        # A freshly seeded stage ran it at the end of its seed, a reused one had not: tick once here,
        # so that the idle tick's warm-up (whose Python calls are counted) is the same work everywhere.
        await stage.runtime.scheduler.tick()
    report.header(stages)
    rows: dict[str, dict[str, Any]] = {stage.label: {} for stage in stages}
    keys = [key for key in figures_of(stages[0]) if only is None or key in only]
    for key in keys:
        if _past(deadline):
            report.event("deadline", skipped=key)
            continue
        try:  # a figure that fails (a store timing out) is reported; the next is still measured
            actions = {stage.label: figures_of(stage)[key] for stage in stages}
            runs = {
                stage.label: max(1, repeats[stage.size] // 2) if key in HALVED else repeats[stage.size]
                for stage in stages
            }
            samples: dict[str, list[Sample]] = {stage.label: [] for stage in stages}
            calls = {stage.label: await _run(actions[stage.label], python_calls) for stage in stages}  # warm
            for turn in range(max(runs.values())):
                if _past(deadline) and all(samples.values()):
                    report.event("deadline", figure=key, runs=turn)
                    break
                for stage in stages if turn % 2 == 0 else reversed(stages):
                    if turn < runs[stage.label]:
                        samples[stage.label].append(await _run(actions[stage.label], partial(once, stage)))
            measured: dict[str, Figure] = {}
            for stage in stages:
                peak_kib = await _run(actions[stage.label], peak)  # tracemalloc slows the run: not timed
                figure = figure_of(samples[stage.label], peak_kib, calls[stage.label])
                rows[stage.label][key] = measured[stage.label] = figure
            report.figure(key, stages, measured)
        except Exception as exc:
            report.event("failed", figure=key, error=repr(exc)[:500])
            for row in rows.values():
                row.pop(key, None)  # no half rows in the table at the end
        finally:
            if HttpCount.slow:  # which requests took long (the warm and untimed runs' too)
                report.event("slow requests", figure=key, requests=HttpCount.slow[:50], count=len(HttpCount.slow))
                HttpCount.slow.clear()
    out = []
    for stage in stages:
        rows[stage.label]["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows[stage.label]["cases"] = stage.seeder.count
        await _close(stage.runtime)
        out.append((stage.label, rows[stage.label]))
    return out


async def _call(run: Callable[[], Awaitable[object]]) -> object:
    return await run()


async def _run(action: Action, how: Callable[[Callable[[], Awaitable[object]]], Awaitable[T]]) -> T:
    if action.prepare is not None:
        await action.prepare()
    try:
        return await how(action.run)
    finally:
        if action.cleanup is not None:
            await action.cleanup()


async def check_sizes(runtime: Runtime) -> None:
    """The result sizes every stage shares (see the module's docstring)."""
    assert len(await runtime.cases.reported_by(MEASURED_EMPLOYEE.aad_object_id)) == 5
    assert len(await runtime.cases.open_led_by(MEASURED_LEADER.aad_object_id)) == 3
    assert len(await runtime.cases.open_cases()) == OPEN_CASES + 2


async def startup(stage: Stage) -> None:
    """What a restart does: the runtime built from settings, and its first tick."""
    fresh = await start(stage.settings, stage.store, stage.folder, QuietNotifier())
    try:
        await fresh.scheduler.tick()
    finally:
        await _close(fresh)


def _rss_mib(pid: int) -> float:
    """A process's resident memory (/proc), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _store_cpu(stage: Stage) -> float:
    return cpu_seconds(stage.azurite_pid) if stage.azurite_pid is not None else 0.0


async def once(stage: Stage, action: Callable[[], Awaitable[object]]) -> Sample:
    """One run: wall, CPU and system seconds of this process; the store's share of the wall time
    and Azurite's CPU."""
    gc.collect()
    waited, store_cpu = stage.counting.waited, _store_cpu(stage)
    calls, finds, http = stage.counting.calls, stage.counting.finds, HttpCount.sent
    received, reads = HttpCount.received, HttpCount.reads
    began, began_cpu, began_loop = time.perf_counter(), _usage(), time.thread_time()
    await action()
    elapsed, loop_cpu = time.perf_counter() - began, time.thread_time() - began_loop
    cpu, system = _cpu(began_cpu)
    return Sample(
        elapsed,
        cpu,
        system,
        stage.counting.waited - waited,
        _store_cpu(stage) - store_cpu,
        stage.counting.calls - calls,
        stage.counting.finds - finds,
        HttpCount.sent - http,
        loop_cpu,
        HttpCount.received - received,
        HttpCount.reads - reads,
    )


async def peak(action: Callable[[], Awaitable[object]]) -> float:
    """tracemalloc's peak (KiB) over one run."""
    gc.collect()
    tracemalloc.start()
    try:
        await action()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


async def python_calls(action: Callable[[], Awaitable[object]]) -> int:
    """The warm-up run, counting the Python function calls (and calls of C functions from Python)
    on the event loop's thread (on Azurite all of the bot's work; the local store's file work in
    worker threads is not counted). The calls count the work done in a way no other process's load
    can inflate: when they are the same at two sizes and the CPU is not, the same work cost more
    CPU, rather than more work being done."""
    count = 0
    gc.collect()  # earlier garbage (a seed's finished tasks) is not the figure's work: its weakref
    # callbacks would be counted when a collection runs during the warm-up (thousands after a seed)

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        await action()
    finally:
        sys.setprofile(None)
    return count


def figure_of(samples: list[Sample], peak_kib: float, calls: int = 0) -> Figure:
    def median(field: str) -> float:
        return float(statistics.median(getattr(s, field) for s in samples))

    return Figure(
        median("seconds"),
        median("cpu_seconds"),
        median("system_seconds"),
        peak_kib,
        requests=max(s.requests for s in samples),
        finds=max(s.finds for s in samples),
        http=max(s.http for s in samples),
        store_wait_seconds=median("store_wait_seconds"),
        store_cpu_seconds=median("store_cpu_seconds"),
        runs=len(samples),
        loop_cpu_seconds=median("loop_cpu_seconds"),
        received=max(s.received for s in samples),
        reads=max(s.reads for s in samples),
        calls=calls,
    )


COLUMNS = [
    ("idle", f"idle {IDLE_SECONDS:.0f} s"),
    ("employee", "Mine sager"),
    ("leader", "leader's list"),
    ("hr", "HR open list"),
    ("tick_idle", "tick, nothing due"),
    ("tick_50", "tick, 50 due"),
    ("med_one", "MED 1 unit"),
    ("med_all", "MED 200 units"),
    ("startup", "start-up"),
]


def table(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """Local rows: CPU ms (system) / wall ms / peak KiB / store requests. Azurite rows: the bot's
    CPU ms / store requests (HTTP requests) / peak KiB | the wall ms / of it waiting on the store /
    Azurite's CPU ms."""
    columns = [(key, title) for key, title in COLUMNS if any(key in row for _, row in rows)]
    out = ["| store, cases | " + " | ".join(title for _, title in columns) + " | RSS MiB |"]
    out.append("|" + "---|" * (len(columns) + 2))
    for label, row in rows:
        if label.startswith("Azurite"):
            cells = [
                f"{f.cpu_seconds * 1000:.0f} / {f.requests} ({f.http}) / {f.peak_kib:.0f} ‖ "
                f"{f.seconds * 1000:.0f} / {f.store_wait_seconds * 1000:.0f} / {f.store_cpu_seconds * 1000:.0f}"
                for f in (row[key] for key, _ in columns)
            ]
        else:
            cells = [
                f"{f.cpu_seconds * 1000:.1f} ({f.system_seconds * 1000:.1f} sys) / {f.seconds * 1000:.0f} / "
                f"{f.peak_kib:.0f} / {f.requests}"
                for f in (row[key] for key, _ in columns)
            ]
        out.append(f"| {label} | " + " | ".join(cells) + f" | {row['rss_mib']:.0f} |")
    bases: dict[str, tuple[str, dict[str, Any]]] = {}
    for label, row in rows:
        first_label, first = bases.setdefault(label.split()[0], (label, row))  # the store's smallest size
        if first is row:
            continue

        def ratio(key: str, field: str, row: dict[str, Any] = row, first: dict[str, Any] = first) -> str:
            return f"{getattr(row[key], field) / max(getattr(first[key], field), 1e-6):.2f}"

        azurite = label.startswith("Azurite")
        cells = [
            " / ".join(
                ratio(key, field)
                for field in (
                    ("cpu_seconds", "peak_kib", "seconds", "store_cpu_seconds")
                    if azurite
                    else ("cpu_seconds", "seconds", "peak_kib")
                )
            )
            for key, _ in columns
        ]
        what = "bot CPU / peak / wall / Azurite CPU" if azurite else "CPU / wall / peak"
        out.append(f"| {label} ÷ {first_label.split()[-1]} ({what}) | " + " | ".join(cells) + " | |")
    return "\n".join(out)


async def main_async(
    sizes: list[int],
    azurite: bool,
    local: bool,
    repeats: Mapping[int, int],
    cache: Path | None,
    only: set[str] | None,
    report: Report,
    deadline: datetime | None,
    keep_azurite: Path | None = None,
) -> None:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
    report.event("start", sizes=sizes, azurite=azurite, local=local, repeats=dict(repeats), figures=sorted(only or []))
    rows = []
    if local:
        async with contextlib.AsyncExitStack() as stack:
            root = cache or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            stages = [
                await open_local(
                    root / f"local-{size}-v{SEED_VERSION}",
                    size,
                    Path(stack.enter_context(tempfile.TemporaryDirectory())),
                    report,
                )
                for size in sizes
            ]
            rows += await measure_stages(stages, repeats, only, report, deadline)
    if azurite:
        HttpCount.install()
        async with contextlib.AsyncExitStack() as stack:
            stages = [
                await open_azurite(
                    stack, size, Path(stack.enter_context(tempfile.TemporaryDirectory())), report, keep_azurite
                )
                for size in sizes
            ]
            report.event("measuring", store_rss_mib={s.label: _rss_mib(s.azurite_pid) for s in stages if s.azurite_pid})
            rows += await measure_stages(stages, repeats, only, report, deadline)
    report.event("end")
    print(table(rows))


def repeats_of(text: str, sizes: list[int]) -> dict[int, int]:
    """`5` (every size) or `1000=5,100000=1` (each size its own; a size not named gets 5)."""
    if "=" not in text:
        return dict.fromkeys(sizes, int(text))
    given = {int(k): int(v) for k, v in (part.split("=") for part in text.split(","))}
    return {size: given.get(size, 5) for size in sizes}


def deadline_of(text: str) -> datetime:
    """HH:MM UTC, the next such moment."""
    hour, minute = (int(x) for x in text.split(":"))
    now = datetime.now(UTC)
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment > now else moment + timedelta(days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--azurite", action="store_true", help="also on Azurite")
    parser.add_argument("--no-local", action="store_true", help="Azurite only")
    parser.add_argument(
        "--repeat",
        default="5",
        help="timed runs of each figure: 5, or per size: 1000=5,100000=1 (the long figures half)",
    )
    parser.add_argument("--cache", type=Path, help="keep each size's seeded local store here between runs")
    parser.add_argument(
        "--figures",
        help="measure only these, comma-separated: " + ",".join(key for key, _ in COLUMNS) + " (default: all)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        action="append",
        default=[],
        help="append each figure's row here as soon as it is measured (.md: markdown; else JSON lines); repeatable",
    )
    parser.add_argument("--until", help="HH:MM UTC: start no run after it (what was measured is kept)")
    parser.add_argument(
        "--azurite-dir",
        type=Path,
        help="keep each size's seeded Azurite here (seeded and saved once, reused by later runs; "
        "what a run writes is dropped at its end)",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        help="the blob client's read timeout in seconds (the storage SDK's default is 60; a 100,000 "
        "Azurite answers a queue of tag queries slower than that)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="an experiment: wait this long after each find answers (the bot's work then runs after the "
        "store's, not beside it)",
    )
    args = parser.parse_args()
    Counting.settle = args.settle
    if args.read_timeout:
        _TIMEOUTS["read_timeout"] = args.read_timeout
    sizes = sorted(int(s) for s in args.sizes.split(","))
    only = set(args.figures.split(",")) if args.figures else None
    if only is not None and only - {key for key, _ in COLUMNS}:
        parser.error(f"unknown figures: {sorted(only - {key for key, _ in COLUMNS})}")
    repeats = repeats_of(args.repeat, sizes)
    deadline = deadline_of(args.until) if args.until else None
    asyncio.run(
        main_async(
            sizes,
            args.azurite,
            not args.no_local,
            repeats,
            args.cache,
            only,
            Report(args.out),
            deadline,
            args.azurite_dir,
        )
    )


if __name__ == "__main__":
    main()
