"""The case repository's questions, answered by the index: my cases, open cases led by me (or as
a deputy brought in), a case by its number, closed by T, due by T, a workplace's cases under
every spelling it was stored under."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.errors import NotFound
from bot.guideline.case import decide
from bot.guideline.decisions import BringInDeputy
from bot.guideline.model import CaseStatus, Person
from bot.repositories.cases import CaseDoc, CaseRepository, cases_in_unit
from bot.storage import names
from tests.fakes.memory import MemoryStore
from tests.unit.guideline.builders import AS_HR, DEPUTY, OPENED, POLICY, REPORTER, opened

A, B, C = ("a" * 32, "b" * 32, "c" * 32)


async def seeded(store: MemoryStore) -> CaseRepository:
    repo = CaseRepository(store, POLICY)
    await repo.create(CaseDoc(replace(opened(case_id=A), number="KH-2026-0001")))
    later = OPENED + timedelta(days=1)
    await repo.create(CaseDoc(replace(opened(later, case_id=B, unit="Vej og Park"), number="KH-2026-0002")))
    closed = replace(opened(case_id=C), number="KH-2026-0003", status=CaseStatus.CLOSED, closed_at=later)
    await repo.create(CaseDoc(closed))
    return repo


async def test_the_index_answers_who_sees_which_case(store: MemoryStore) -> None:
    repo = await seeded(store)
    assert [c.id for c in await repo.reported_by(REPORTER.aad_object_id)] == [B, A, C]  # newest first
    assert sorted(c.id for c in await repo.open_led_by("u-leader")) == [A, B]
    assert await repo.open_led_by(DEPUTY.aad_object_id) == []  # not brought in: sees nothing
    assert await repo.leads_any("u-leader") and not await repo.leads_any("u-stranger")
    only_closed = Person("u-former", "Former Leder")
    await repo.create(CaseDoc(replace(opened(case_id="d" * 32, leader=only_closed), status=CaseStatus.CLOSED)))
    assert await repo.leads_any("u-former")  # a closed case is enough (open ones are asked first)
    assert sorted(c.id for c in await repo.open_cases()) == [A, B]
    assert await repo.id_of_number("KH-2026-0002") == B
    assert await repo.id_of_number("KH-2026-9999") is None and await repo.id_of_number("x' or 1") is None
    assert await repo.closed_by(OPENED + timedelta(days=2)) == [C]
    assert await repo.closed_by(OPENED) == []


async def test_a_workplace_finds_its_cases_under_any_spelling(store: MemoryStore) -> None:
    await seeded(store)
    assert [c.id for c in await cases_in_unit(store, "  borgerSERVICE ")] in ([A, C], [C, A])
    assert [c.id for c in await cases_in_unit(store, "Vej og Park")] == [B]


async def test_due_by_finds_what_the_scheduler_must_look_at(store: MemoryStore) -> None:
    repo = await seeded(store)
    due = await repo.due_by(OPENED + timedelta(days=30))
    assert {c.id for c in due} >= {A, B} and C not in {c.id for c in due}
    assert await repo.due_by(OPENED - timedelta(days=1)) == []


async def test_forged_ids_name_no_case_and_no_storage_path(store: MemoryStore) -> None:
    repo = await seeded(store)
    for bad in ("../x", "a/b", "", "x" * 200):
        with pytest.raises(NotFound):
            await repo.get(bad)
        assert not await repo.exists(bad)
    with pytest.raises(NotFound):
        await repo.change("d" * 32, lambda doc: (doc, None))
    tags = store.tags(names.case(A))
    assert tags is not None and tags["kind"] == names.CASE


async def test_whoever_a_written_case_names_leader_or_deputy_is_told(store: MemoryStore) -> None:
    """The help's memory of who leads (bot/services/roles.py) hears of each leader and deputy
    brought in as the case is written here, not minutes later."""
    repo = CaseRepository(store, POLICY)
    told: list[str] = []
    repo.named.append(told.append)
    await repo.create(CaseDoc(opened(case_id=A)))
    assert told == ["u-leader"]  # the deputy is not brought in yet: not told

    def bring_in(doc: CaseDoc) -> tuple[CaseDoc, None]:
        case, _ = decide(doc.case, AS_HR, BringInDeputy(), OPENED, POLICY)
        return replace(doc, case=case), None

    await repo.change(A, bring_in)
    assert told == ["u-leader", "u-leader", DEPUTY.aad_object_id]
