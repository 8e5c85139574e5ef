"""Retention on both stores with a controllable clock: delete what is due, keep what is held,
survive a kill in the middle, and count each case once in the anonymous figures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.guideline.med_period import MedSchedule
from bot.guideline.model import CaseStatus
from bot.guideline.policy import DeadlinePolicy
from bot.guideline.retention import RetentionRules
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services.retention import DeletionUnderWay, Retention
from bot.storage import names
from bot.storage.store import EvidenceMeta, Store
from tests.fakes.clock import FakeClock
from tests.unit.guideline.builders import OPENED, opened

CLOSED = (OPENED + timedelta(days=20)).astimezone(UTC)  # UTC: a DST change must not move "now"
SHA = "c" * 64


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def seed(store: Store, cases: CaseRepository, case_id: str, *, closed: datetime | None) -> None:
    case = replace(opened(case_id=case_id), number=f"KH-2026-{case_id[-4:]}")
    if closed is not None:
        case = replace(case, status=CaseStatus.CLOSED, closed_at=closed)
    await cases.create(CaseDoc(case))
    meta = EvidenceMeta(SHA, 5, "image/png", "skærmbillede.png", "u-reporter", OPENED)
    await store.put_evidence(f"evidence/{case_id}/{SHA}", _bytes(b"\x89PNG!"), meta)
    await store.append_audit(case_id, {"type": "reported"})


class FailOnce:
    """A store whose first purge of an audit log fails, as if the process died right there."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.failed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def purge(self, prefix: str) -> int:
        if prefix.startswith("audit/") and not self.failed:
            self.failed = True
            raise ConnectionError("killed")
        return await self._inner.purge(prefix)


def make(store: Store, clock: FakeClock, days: int = 400) -> tuple[CaseRepository, Retention]:
    cases = CaseRepository(store, DeadlinePolicy())
    return cases, Retention(store, cases, clock, RetentionRules(days), MedSchedule())


async def gone(store: Store, case_id: str) -> bool:
    return (
        await store.get(f"cases/{case_id}.json") is None
        and await store.list(f"evidence/{case_id}/") == []
        and await store.read_audit(case_id) == []
    )


async def test_only_closed_cases_past_their_time_are_deleted_and_recorded(store: Store) -> None:
    clock = FakeClock(CLOSED + timedelta(days=400))
    cases, retention = make(store, clock)
    await seed(store, cases, "case-0001", closed=CLOSED)  # due
    await seed(store, cases, "case-0002", closed=CLOSED + timedelta(days=5))  # closed later: not yet
    await seed(store, cases, "case-0003", closed=None)  # open
    assert await retention.run() == 1

    assert await gone(store, "case-0001")
    record = await store.get(names.deletion("case-0001"))
    assert record is not None
    assert record.data == {
        "case_number": "KH-2026-0001",
        "deleted_at": clock.now().astimezone(UTC).isoformat(),
        "rule": "closed_case_days=400",
    }
    for kept in ("case-0002", "case-0003"):
        assert await store.get(f"cases/{kept}.json") is not None
        assert await store.list(f"evidence/{kept}/") != []
    stats = [await store.get(name) for name in await store.list("stats/med/")]
    assert len(stats) == 1 and stats[0] is not None
    counts = [n for unit in stats[0].data["units"].values() for n in unit.values()]
    assert counts == [1]  # the anonymous count outlives the case
    assert await retention.run() == 0  # idempotent

    clock.advance(days=5)
    assert await retention.run() == 1 and await gone(store, "case-0002")


async def test_a_held_case_stays_until_hr_lifts_the_hold(store: Store) -> None:
    clock = FakeClock(CLOSED + timedelta(days=500))
    cases, retention = make(store, clock)
    await seed(store, cases, "case-0001", closed=CLOSED)
    assert await retention.hold("case-0001", "hr-1", True) is True
    assert await retention.hold("case-0001", "hr-1", True) is False  # already held
    assert await retention.run() == 0
    assert await store.get("cases/case-0001.json") is not None
    assert await retention.hold("case-0001", "hr-1", False) is True
    assert await retention.run() == 1 and await gone(store, "case-0001")


async def test_a_run_killed_in_the_middle_is_finished_by_the_next_and_counted_once(store: Store) -> None:
    clock = FakeClock(CLOSED + timedelta(days=400))
    failing = FailOnce(store)
    cases, retention = make(failing, clock)  # type: ignore[arg-type]
    await seed(store, cases, "case-0001", closed=CLOSED)
    assert await retention.run() == 0  # died after the claim, the count, the record and the evidence
    claimed = await store.get("cases/case-0001.json")
    assert claimed is not None and claimed.data["deleting"]
    with pytest.raises(DeletionUnderWay):
        await retention.hold("case-0001", "hr-1", True)  # too late to hold a case being deleted

    assert await retention.run() == 1
    assert await gone(store, "case-0001")
    period = MedSchedule().period_for(OPENED)
    stats = await store.get(names.stats_med(period.id))
    assert stats is not None and stats.data["counted"] == ["KH-2026-0001"]
    assert sum(n for unit in stats.data["units"].values() for n in unit.values()) == 1


async def test_an_erasure_killed_in_the_middle_is_finished_by_the_next_run(store: Store) -> None:
    clock = FakeClock(CLOSED)
    failing = FailOnce(store)
    cases, retention = make(failing, clock)  # type: ignore[arg-type]
    await seed(store, cases, "case-0009", closed=None)  # open: only an erasure deletes it now
    with pytest.raises(ConnectionError):
        await retention.erase("case-0009", "hr-1")
    assert await store.list("erasures/") == ["erasures/case-0009.json"]
    assert await retention.run() == 1
    assert await gone(store, "case-0009")
    assert await store.list("erasures/") == []
    record = await store.get(names.deletion("case-0009"))
    assert record is not None and record.data["requested_by"] == "hr-1"


async def test_med_records_go_five_years_after_their_half_year_once_a_day(store: Store) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 9, tzinfo=UTC))
    _cases, retention = make(store, clock)
    old = ["med/evaluations/u1/2021-H1.json", "med/sent/2021-H1/units/u1.json", "med/followups/u1/2021-H1.json"]
    kept = ["med/evaluations/u1/2026-H2.json", "med/sent/2026-H2/units/u1.json", "med/units/u1.json"]
    for name in old + kept:
        await store.put(name, {"n": name}, etag=None)
    await retention.run()  # 2021-H1 ended 1 March 2021: more than 1825 days ago
    for name in old:
        assert await store.get(name) is None, name
    for name in kept:
        assert await store.get(name) is not None, name
    await store.put(old[0], {"n": "again"}, etag=None)
    await retention.run()  # the same day: not swept again
    assert await store.get(old[0]) is not None
    clock.advance(days=1)
    await retention.run()
    assert await store.get(old[0]) is None
