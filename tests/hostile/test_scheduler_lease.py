"""Live scheduler (issue 12): two instances on one store and one hand clock never send the same
item twice, however long a send waits.

- The scheduler lease is renewed while a tick runs; a tick that loses it stops sending.
- A send that waits on Retry-After longer than its claim re-checks the claim before it goes out:
  if another instance took the item over, it is not sent again.
- Draft reminders are claimed like the other due items.

The lease store (a LocalStore), both apps' clocks, their rate limiters and their senders' waits
all run on one FakeClock: a wait of 300 s moves it by 300 s, and the test decides when the wait
ends (`HeldWait`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.hosting.settings import Settings
from bot.jobs.scheduler import Scheduler
from bot.jobs.send_guard import may_send
from bot.storage.local import LocalStore
from bot.teams.ratelimit import RateLimiter
from tests.bot.chat import said
from tests.bot.test_report_dialog import GOOD_FORM
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.hostile.delivery_harness import EMPLOYEE, LEADER, HostileApp, Waits, file_directory, hostile_app

OVERDUE = "Påmindelse: skridtet"
FRIDAY = datetime(2026, 11, 27, 8, tzinfo=UTC)  # past the new case's first deadline (Thursday 16:00)


@dataclass
class HeldWait:
    """A sender's wait that moves the clock by what was asked, then holds until `release()`."""

    clock: FakeClock
    asked: list[float] = field(default_factory=list)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.clock.advance(seconds=seconds)
        self.waiting.set()
        await self.go.wait()

    def release(self) -> None:
        self.go.set()


@dataclass
class Two:
    a: HostileApp
    b: HostileApp
    a_waits: HeldWait
    clock: FakeClock
    connector: FakeConnector
    store: LocalStore


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Two]:
    clock = FakeClock()
    store = LocalStore(tmp_path / "data", clock=clock.now)  # leases on the hand clock
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    held = HeldWait(clock)
    async with AsyncExitStack() as stack:
        connector = await stack.enter_async_context(FakeConnector())
        apps = []
        for sleep in (held, Waits(clock)):
            limiter = RateLimiter(clock=lambda: clock.now().timestamp(), sleep=Waits(clock))
            directory = await file_directory(tmp_path)
            app = await stack.enter_async_context(
                hostile_app(settings, store, connector, clock, directory, sleep=sleep, limiter=limiter)
            )
            apps.append(app)
        yield Two(apps[0], apps[1], held, clock, connector, store)
    await store.close()


def reminders_to_leader(two: Two) -> list[str]:
    """The overdue reminders the leader got (one per overdue step of the case)."""
    return [t for t in two.a.said_to(LEADER) if OVERDUE in t]


def each_once(reminders: list[str]) -> bool:
    return bool(reminders) and len(set(reminders)) == len(reminders)


async def overdue_case(two: Two) -> str:
    """A case reported over HTTP on A, its leader told; then the clock passes its deadline."""
    case_id = await two.a.report(EMPLOYEE)
    assert any("Ny sag til dig" in t for t in two.a.said_to(LEADER))
    two.clock.current = FRIDAY
    return case_id


@asynccontextmanager
async def running(work: Any) -> AsyncIterator[asyncio.Task[Any]]:
    task = asyncio.ensure_future(work)
    try:
        yield task
    finally:
        if not task.done():
            task.cancel()


async def test_a_tick_that_loses_its_lease_stops_sending(two: Two) -> None:
    await overdue_case(two)
    # The connector throttles the leader's chat: A's tick waits 90 s, longer than its 60 s lease
    # (its renewal, every 20 s of real time, does not come round within the test).
    two.connector.fail_next(1, 429, conversation_id=two.connector.opened[LEADER], retry_after=90)
    async with running(two.a.runtime.scheduler.tick()) as a_tick:
        await two.a_waits.waiting.wait()
        assert await two.b.runtime.scheduler.tick() is True  # the lease expired: B holds it now
        assert reminders_to_leader(two) == []  # A still holds the items' claims; B leaves them
        two.a_waits.release()
        assert await a_tick is True
    assert reminders_to_leader(two) == []  # A woke without the lease: it did not send
    two.clock.advance(seconds=30)
    assert await two.a.runtime.scheduler.tick() is False  # B's lease
    assert await two.b.tick() is True
    assert each_once(reminders_to_leader(two))  # B sends them, each once


async def test_a_send_that_waits_past_its_claim_leaves_the_item_to_the_instance_that_took_it(
    two: Two,
) -> None:
    case_id = await overdue_case(two)
    # A's delivery of the case (as after a click) meets a 429 with the longest Retry-After the
    # sender honours (300 s): as long as the claim itself.
    two.connector.fail_next(1, 429, conversation_id=two.connector.opened[LEADER], retry_after=300)
    async with running(two.a.runtime.notifications.deliver_case(case_id)) as a_delivery:
        await two.a_waits.waiting.wait()
        assert two.a_waits.asked == [300.0]
        assert await two.b.tick() is True  # the claim expired: B takes the items over and sends them
        sent_by_b = reminders_to_leader(two)
        assert each_once(sent_by_b)
        two.a_waits.release()
        await a_delivery  # A re-checks its claim before the retry, finds B's, and stops
    assert reminders_to_leader(two) == sent_by_b
    doc = await two.a.runtime.cases.get(case_id)
    assert not any("claimed_by" in entry for entry in doc.retry.values())  # nothing left claimed


async def test_the_scheduler_lease_is_renewed_while_a_long_tick_runs(tmp_path: Path) -> None:
    clock = FakeClock()
    store = LocalStore(tmp_path / "data", clock=clock.now)
    sent: list[int] = []
    other = Scheduler(store, [], clock=clock)

    async def long_job() -> None:
        for n in range(6):  # three minutes of sends, three times the lease
            clock.advance(seconds=30)
            await asyncio.sleep(0.05)  # the renewal runs meanwhile
            assert await other.tick() is False  # the other instance never gets the lease
            await may_send()
            sent.append(n)

    async def renew_soon(_seconds: float) -> None:
        await asyncio.sleep(0.01)

    holder = Scheduler(store, [("long", long_job)], clock=clock, sleep=renew_soon)
    assert await holder.tick() is True
    assert sent == [0, 1, 2, 3, 4, 5]
    await store.close()


async def test_a_tick_whose_renewals_stall_stops_before_the_next_holder_starts(tmp_path: Path) -> None:
    clock = FakeClock()
    store = LocalStore(tmp_path / "data", clock=clock.now)
    sent: list[str] = []
    other = Scheduler(store, [("other", lambda: _record(sent, "other"))], clock=clock)

    async def job() -> None:
        await may_send()
        sent.append("first")
        clock.advance(seconds=61)  # no renewal came (a stalled store, a blocked loop)
        assert await other.tick() is True  # the next holder sends
        await may_send()  # the old holder must not
        sent.append("second")

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    holder = Scheduler(store, [("job", job), ("after", lambda: _record(sent, "after"))], clock=clock, sleep=never)
    assert await holder.tick() is True
    assert sent == ["first", "other"]  # neither the rest of the job nor the next job ran
    await store.close()


async def _record(sent: list[str], what: str) -> None:
    await may_send()
    sent.append(what)


async def test_a_draft_reminder_is_claimed_like_the_other_due_items(two: Two) -> None:
    assert await two.a.say(EMPLOYEE, "rapportér") in (200, 201)
    assert await two.a.say(EMPLOYEE, value=GOOD_FORM) in (200, 201)
    two.clock.advance(hours=62)  # within the last 12 h of the draft's 72 h
    two.connector.fail_next(1, 429, conversation_id=f"a:chat-{EMPLOYEE}", retry_after=300)
    [a_drafts] = [job for name, job in two.a.runtime.scheduler.jobs if name == "drafts"]
    async with running(a_drafts()) as a_reminding:
        await two.a_waits.waiting.wait()  # A claimed the reminder and waits past its claim
        assert await two.b.tick() is True  # B takes the expired claim over and sends
        two.a_waits.release()
        await a_reminding
    reminders = [t for t in two.a.said_to(EMPLOYEE) if "ikke er sendt endnu" in t]
    assert len(reminders) == 1
    two.clock.advance(minutes=10)
    assert await two.b.tick() is True
    assert len([t for t in two.a.said_to(EMPLOYEE) if "ikke er sendt endnu" in t]) == 1


MED_CHANNEL = "19:med-borgerservice@thread.tacv2"
MED_TEAM = "19:team-1@thread.tacv2"


async def register_med_channel(app: HostileApp) -> None:
    """Borgerservice's leader registers the channel as its MED channel, over HTTP."""
    data = {"unit": "Borgerservice", "committee": "LMU"}
    body = {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": "act-med-register",
        "channelId": "msteams",
        "serviceUrl": app.connector.service_url,
        "locale": "da-DK",
        "from": {"id": "29:leader", "aadObjectId": LEADER, "name": "Lene Leder"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": MED_CHANNEL, "conversationType": "channel", "tenantId": "t", "isGroup": True},
        "channelData": {"team": {"id": MED_TEAM}, "channel": {"id": MED_CHANNEL}, "tenant": {"id": "t"}},
        "value": {"action": {"type": "Action.Execute", "verb": "med_register", "data": data}, "trigger": "manual"},
    }
    response = await app.client.post("/api/messages", json=body)
    assert response.status == 200
    assert "registreret" in await response.text()
    await app.settle()


def med_reminders(two: Two) -> int:
    return sum("MED-evaluering" in said(m.activity) for m in two.connector.messages(MED_CHANNEL))


@pytest.mark.parametrize("taken_over", [False, True])
async def test_a_med_reminder_waiting_past_its_claim_is_sent_once(two: Two, taken_over: bool) -> None:
    two.clock.current = datetime(2026, 8, 31, 12, tzinfo=UTC)
    await register_med_channel(two.a)
    two.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)
    # Two 429s of 300 s each: ten minutes, the age at which a "sending" record counts as left by a crash.
    two.connector.fail_next(1 if taken_over else 2, 429, conversation_id=MED_CHANNEL, retry_after=300)
    async with running(two.a.runtime.med.send_due()) as a_sending:
        await two.a_waits.waiting.wait()
        if taken_over:
            two.clock.advance(seconds=301)  # A's record is now older than ten minutes
            assert await two.b.tick() is True  # B takes it over and sends
            assert med_reminders(two) == 1
        two.a_waits.release()
        await a_sending  # A renews its own claim, or finds B's and leaves it
    assert med_reminders(two) == 1
    two.clock.advance(minutes=30)
    assert await two.b.tick() is True
    assert med_reminders(two) == 1
