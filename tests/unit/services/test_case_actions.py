"""Decisions on a case: applied with the ETag and their audit lines in the same write, refused
with nothing written, idempotent, and two people deciding at once both land."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.errors import NotFound
from bot.guideline.decisions import Acknowledge, BringInDeputy, EvidenceAdded, SavedOnCase
from bot.guideline.errors import DomainError
from bot.guideline.model import Acknowledgement
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services.case_actions import CaseActions
from bot.storage import names
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.unit.guideline.builders import OPENED, POLICY, evidence, opened

CASE = "0123456789abcdef0123456789abcdef"
HR = {"u-hr"}


async def hr_check(person: str) -> bool:
    return person in HR


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENED + timedelta(hours=1))


async def seeded(store: MemoryStore, clock: FakeClock) -> CaseActions:
    repo = CaseRepository(store, POLICY)
    await repo.create(CaseDoc(opened(case_id=CASE)))
    return CaseActions(repo, POLICY, clock, hr_check)


async def test_a_decision_is_written_with_its_audit_lines_and_follow_ups(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    decided = await actions.decide(CASE, "u-leader", Acknowledge())
    assert (
        decided.changed and decided.follow_ups and decided.case.acknowledged == Acknowledgement("u-leader", clock.now())
    )
    stored = await actions.repo.get(CASE)
    assert stored.case == decided.case and stored.audit == []  # the lines went on to the log
    assert [line["case_id"] for line in await store.read_audit(CASE)] == [CASE] * len(decided.events)


async def test_the_same_decision_twice_writes_nothing_the_second_time(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    await actions.decide(CASE, "u-leader", Acknowledge())
    etag = store.documents[names.case(CASE)].etag
    lines = len(await store.read_audit(CASE))
    again = await actions.decide(CASE, "u-leader", Acknowledge())
    assert not again.changed and again.follow_ups == ()
    assert store.documents[names.case(CASE)].etag == etag and len(await store.read_audit(CASE)) == lines


@pytest.mark.parametrize(
    ("actor", "decision"),
    [("u-stranger", Acknowledge()), ("u-reporter", Acknowledge()), ("u-leader", BringInDeputy())],
)
async def test_a_refused_decision_writes_nothing(
    store: MemoryStore, clock: FakeClock, actor: str, decision: object
) -> None:
    actions = await seeded(store, clock)
    before = store.data(names.case(CASE))
    with pytest.raises(DomainError):
        await actions.decide(CASE, actor, decision)  # type: ignore[arg-type]
    assert store.data(names.case(CASE)) == before
    assert await store.read_audit(CASE) == []


async def test_hr_is_asked_and_may_bring_in_the_deputy(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    assert (await actions.actor("u-hr")).is_hr and not (await actions.actor("u-leader")).is_hr
    decided = await actions.decide(CASE, "u-hr", BringInDeputy())
    assert decided.case.active_deputy is not None
    assert await actions.repo.open_led_by("u-deputy")  # the deputy finds it in their list now


async def test_two_decisions_at_once_both_land(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    await asyncio.gather(actions.decide(CASE, "u-leader", Acknowledge()), actions.decide(CASE, "u-hr", BringInDeputy()))
    case = (await actions.repo.get(CASE)).case
    assert case.acknowledged is not None and case.active_deputy is not None


async def test_a_malformed_or_unknown_case_id_names_no_case(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    for bad in ("../cases/x", "f" * 32):
        with pytest.raises(NotFound):
            await actions.decide(bad, "u-leader", SavedOnCase("ESDH-1"))


async def test_evidence_done_counts_the_reporters_new_files_on_the_case(store: MemoryStore, clock: FakeClock) -> None:
    actions = await seeded(store, clock)
    before = [item.sha256 for item in (await actions.repo.get(CASE)).case.evidence]
    for n in (1, 2):
        await actions.decide(CASE, "u-reporter", EvidenceAdded(evidence(n, when=clock.now())))
    done = await actions.evidence_done(CASE, "u-reporter", before)
    assert done.count == 2 and done.follow_ups
    assert (await actions.evidence_done(CASE, "u-reporter", [i.sha256 for i in done.case.evidence])).follow_ups == ()
