"""HR's erasure on request and hold, on the in-memory store: a held case is refused (and leaves no
marker), an erasure killed in the middle is finished by the next run, a case being deleted can no
longer be held, and MED records go once their time is up. (The deletion rules themselves run on
every store in tests/contract/test_retention.py.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.guideline.med_period import MedSchedule
from bot.guideline.model import CaseStatus
from bot.guideline.retention import RetentionRules
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services.retention import DeletionUnderWay, Held, Retention
from bot.storage import names
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.unit.guideline.builders import POLICY, opened

CASE = "0123456789abcdef0123456789abcdef"


async def make(store: MemoryStore, clock: FakeClock, rules: RetentionRules | None = None) -> Retention:
    cases = CaseRepository(store, POLICY)
    await cases.create(CaseDoc(opened(case_id=CASE)))
    await store.append_audit(CASE, {"type": "reported"})
    return Retention(store, cases, clock, rules or RetentionRules(400), MedSchedule())


async def test_a_held_case_is_not_erased_and_leaves_no_marker(store: MemoryStore, clock: FakeClock) -> None:
    retention = await make(store, clock)
    assert await retention.hold(CASE, "u-hr", True)
    with pytest.raises(Held):
        await retention.erase(CASE, "u-hr")
    assert store.data(names.case(CASE)) is not None and await store.list(names.ERASURES) == []
    assert [line["type"] for line in await store.read_audit(CASE)] == ["reported", "retention_hold"]


async def test_an_erasure_killed_midway_is_finished_by_the_next_run(store: MemoryStore, clock: FakeClock) -> None:
    retention = await make(store, clock)
    store.fail_next("purge")
    with pytest.raises(ConnectionError):
        await retention.erase(CASE, "u-hr")
    assert store.data(names.erasure(CASE)) == {"by": "u-hr", "at": clock.now().isoformat()}
    with pytest.raises(DeletionUnderWay):  # claimed for deletion: too late to hold it
        await retention.hold(CASE, "u-hr", True)
    assert await retention.run() == 1
    assert [n for n in store.names() if CASE in n] == [names.deletion(CASE)]
    record = store.data(names.deletion(CASE))
    assert record is not None and record["rule"] == "erased on request" and record["requested_by"] == "u-hr"


async def test_erasing_a_case_that_is_gone_is_quietly_done(store: MemoryStore, clock: FakeClock) -> None:
    retention = await make(store, clock)
    await retention.erase("f" * 32, "u-hr")
    assert await store.list(names.ERASURES) == []


async def test_med_records_go_once_their_half_year_is_old_enough(store: MemoryStore) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 12, tzinfo=UTC))
    retention = await make(store, clock, RetentionRules(400, med_record_days=365))
    for period in ("2025-H1", "2026-H2"):
        await store.put(names.med_sent(period, "Borgerservice"), {}, etag=None)
        await store.put(names.med_evaluation("Borgerservice", period), {}, etag=None)
        await store.put(names.med_followup("Borgerservice", period), {}, etag=None)
    await store.put(names.unit_record("Borgerservice"), {}, etag=None)
    assert await retention.delete_old_med_records(clock.now()) == 3
    left = [n for n in store.names() if n.startswith("med/")]
    assert all("2025-H1" not in n for n in left) and names.unit_record("Borgerservice") in left
    clock.advance(days=1)
    assert await retention.delete_old_med_records(clock.now() + timedelta(days=1)) == 0


async def test_after_finding_nothing_due_the_closed_case_question_waits_an_hour(store: MemoryStore) -> None:
    """The rule counts days; asking every tick costs a listing of every closing day. A case that
    became due just after a run that found nothing goes within the hour, not at once."""
    clock = FakeClock(datetime(2026, 11, 24, 23, 50, tzinfo=UTC))
    cases = CaseRepository(store, POLICY)
    retention = Retention(store, cases, clock, RetentionRules(400), MedSchedule())
    closes = clock.now() - timedelta(days=400) + timedelta(minutes=30)  # the next UTC day: due in 30 minutes
    case = replace(opened(case_id=CASE), status=CaseStatus.CLOSED, closed_at=closes)
    await cases.create(CaseDoc(case))
    assert await retention.run() == 0  # nothing due, not even a candidate
    clock.advance(minutes=40)
    assert await retention.run() == 0  # due now, but nothing was due 40 minutes ago
    assert store.data(names.case(CASE)) is not None
    clock.advance(minutes=21)
    assert await retention.run() == 1
    assert store.data(names.case(CASE)) is None
