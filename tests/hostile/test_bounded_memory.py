"""Every in-process memory keyed by a person, a conversation, a case or a service URL has a bound.

A broadcast to thousands of channels, or a hostile client inventing conversation ids in local mode,
must not grow the process without end. Each memory is filled far past its bound here; it stays
within the bound, keeps what is in use, and still does its job afterwards.

The memories (the list in docs/security.md names each one):
- the rate limiter's per-conversation windows, locks and Retry-After holds (`bot/teams/ratelimit.py`);
- the reference book's written and read caches (`bot/teams/reference_book.py`);
- the write guesses of `update` (`bot/repositories/documents.py:Recent`);
- the connector and token clients per service URL (`bot/teams/connectors.py`);
- the blob clients per blob name (`bot/storage/blob.py`).
"""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from pathlib import Path
from typing import Any

from azure.storage.blob.aio import BlobServiceClient

from bot.repositories.cases import CaseDoc
from bot.repositories.documents import Recent, update
from bot.services.bounded import Lru
from bot.storage import blob, names
from bot.storage.local import LocalStore
from bot.teams.connectors import _Bounded
from bot.teams.ratelimit import MAX_KEYS, RateLimiter
from bot.teams.reference_book import ReferenceBook
from tests.unit.guideline.builders import opened

AZURITE_DEV = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;"
)


class VirtualTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def test_the_lru_keeps_the_most_recent_within_its_bound() -> None:
    memory: Lru[str, int] = Lru(3)
    for n in range(10):
        memory.put(f"k{n}", n)
        memory.get("k0")  # used all the time: never the least recent
    assert len(memory) == 3
    assert "k0" in memory and "k9" in memory and "k8" in memory and "k5" not in memory


async def test_the_rate_limiter_forgets_quiet_conversations_past_its_bound() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(clock=vt.clock, sleep=vt.sleep, max_keys=100)
    for n in range(5_000):  # a broadcast: each conversation once
        await limiter.acquire(f"19:channel-{n}@thread.tacv2")
        vt.now += 0.02  # 50 a second, the app-wide limit
    assert limiter.remembered <= 100


async def test_the_default_bound_holds_for_a_large_broadcast() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(clock=vt.clock, sleep=vt.sleep)
    for n in range(MAX_KEYS + 2_000):
        await limiter.acquire(f"conversation-{n}")
        vt.now += 0.02
    assert limiter.remembered <= MAX_KEYS


async def test_a_conversation_in_use_or_held_back_is_never_forgotten() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(clock=vt.clock, sleep=vt.sleep, max_keys=10)
    limiter.defer("throttled", 600)  # the connector said Retry-After: 600
    async with limiter.slot("in-flight"):
        for n in range(100):
            await limiter.acquire(f"other-{n}")
            vt.now += 0.02
        assert limiter.remembered <= 12  # the bound, plus the two that must stay
    # The held-back conversation still waits out its Retry-After: it was not forgotten.
    before = vt.now
    await limiter.acquire("throttled")
    assert vt.now >= before + 500


async def test_pacing_is_unchanged_for_a_busy_conversation_among_many() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(clock=vt.clock, sleep=vt.sleep, max_keys=20)
    granted = []
    for n in range(200):
        granted.append(await limiter.acquire("busy"))
        await limiter.acquire(f"quiet-{n}")
    per_second = max(sum(1 for t in granted if start <= t < start + 1.0) for start in granted)
    assert per_second <= 7  # Teams' 7 a second per conversation still holds


async def test_the_reference_book_is_bounded_and_still_serves(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    book = ReferenceBook(store, memory=50)
    for n in range(400):
        user = f"00000000-0000-0000-0000-{n:012d}"
        await book.remember(user, {"conversation": {"id": f"a:{n}"}}, "da-DK")
        assert await book.reference(user) is not None
        assert await book.locale(f"00000000-0000-0000-0000-{n + 1000:012d}") == ""  # nobody, asked
    assert len(book._written) <= 50 and len(book._read) <= 50 and len(book._asked_absent) <= 50
    first = "00000000-0000-0000-0000-000000000000"
    assert await store.get(names.user_ref(first)) is not None
    assert (await book.reference(first)) == {"conversation": {"id": "a:0"}}  # read again from the store
    await store.close()


async def test_the_write_guesses_are_bounded_and_a_kept_one_is_used(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    recent = Recent(size=100)

    def bump(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
        return {"n": (current or {"n": 0})["n"] + 1}, None

    for n in range(300):
        await update(store, f"cases/c{n}.json", bump, recent=recent)
    assert len(recent) <= 100
    assert recent.take("cases/c299.json") is not None  # the most recent guess is there
    assert recent.take("cases/c0.json") is None
    await store.close()


async def test_the_connector_clients_per_service_url_are_bounded() -> None:
    closed: list[str] = []

    class Client:
        def __init__(self, url: str) -> None:
            self.url = url

        async def close(self) -> None:
            closed.append(self.url)

    clients = _Bounded(bound=8)
    for n in range(100):
        url = f"https://smba.example/{n}/"

        async def build(url: str = url) -> Client:
            return Client(url)

        await clients.get(("bot", url), build)
    assert len(clients) == 8
    assert len(closed) == 92  # a dropped client's session is closed, not leaked
    await clients.close()


async def test_the_blob_clients_per_name_are_bounded() -> None:
    service = BlobServiceClient.from_connection_string(AZURITE_DEV)
    store = blob.BlobStore(service, "kraenkelser")
    hot = store._blob("state/hot.json")
    for n in range(blob._BLOB_CLIENTS + 500):
        store._blob(f"cases/c{n}.json")
        if n % 100 == 0:
            assert store._blob("state/hot.json") is hot  # in use: kept, never rebuilt
    assert len(store._blobs) <= blob._BLOB_CLIENTS
    assert store._blob("state/hot.json") is hot and "cases/c0.json" not in store._blobs  # the least recent went
    await service.close()


def test_a_thousand_case_guesses_hold_a_few_mebibytes() -> None:
    """The guesses are kept as JSON text: a case document as Python objects is about four times
    its text, and the 1,000 guesses filled for minutes in the soak (RSS rising all along)."""
    case = CaseDoc(opened(case_id="a" * 32)).to_json()
    recent = Recent(size=1000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(1000):
            recent.keep(f"cases/{n:032x}.json", json.loads(json.dumps(case)), f'"0x{n:x}"')
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 1000 * len(json.dumps(case)) * 1.5  # 12 MiB as dicts, about 3.5 MiB as text
    guess = recent.take(f"cases/{999:032x}.json")
    assert guess is not None and guess.data == case and guess.etag == '"0x3e7"'


async def test_the_rate_limiter_forgets_conversations_whose_hour_has_passed_without_their_next_use() -> None:
    """A stream of new people, each sent a few messages once: past an hour each is forgotten, not
    kept until 4,096 newer ones push it out; the last hour's stay, with their windows intact."""
    vt = VirtualTime()
    limiter = RateLimiter(clock=vt.clock, sleep=vt.sleep)
    for n in range(3 * 60 * 30):  # 30 new conversations a minute for three hours
        await limiter.acquire(f"a:chat-{n}")
        vt.now += 2.0
    assert limiter.remembered <= 30 * 60 + 1  # the last hour's, not 4,096
    assert limiter.remembered >= 30 * 60 - 1
    busy = [await limiter.acquire("busy") for _ in range(8)]
    assert busy[-1] - busy[0] >= 1.0  # Teams' 7 a second still holds for a conversation in use
