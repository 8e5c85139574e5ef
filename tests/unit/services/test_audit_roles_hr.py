"""The durable audit trail (lines wait in the case's outbox until they are in the log, each once),
who HR is (hand-configured ids and the group; never "nobody" when the group cannot be read), and
whether the help shows the leader's part."""

from __future__ import annotations

import pytest

from bot.directory.model import DirectoryEntry, Person
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services import audit
from bot.services.hr_people import HrPeople, HrUnavailable
from bot.services.roles import LeaderCheck
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.unit.guideline.builders import POLICY, opened

CASE = "0123456789abcdef0123456789abcdef"
NEW_LEADER = Person("u-new", "Nina Ny")


async def test_outbox_lines_survive_a_failed_append_and_land_once(store: MemoryStore, clock: FakeClock) -> None:
    repo = CaseRepository(store, POLICY)
    lines = [audit.note_line("notified", "bot", clock.now(), n=n) for n in range(3)]
    await repo.create(CaseDoc(opened(case_id=CASE), audit=lines))
    store.fail_next("append_audit", times=1)
    assert await audit.flush(repo, CASE) == 0  # the store failed: nothing is lost, nothing raised
    assert len((await repo.get(CASE)).audit) == 3
    assert await audit.flush(repo, CASE) == 3
    assert (await repo.get(CASE)).audit == []
    assert await audit.flush(repo, CASE) == 0
    assert [line["n"] for line in await audit.trail(store, CASE)] == [0, 1, 2]


async def test_a_flush_appends_the_outbox_in_one_store_call(store: MemoryStore, clock: FakeClock) -> None:
    repo = CaseRepository(store, POLICY)
    lines = [audit.note_line("notified", "bot", clock.now(), n=n) for n in range(3)]
    await store.append_audit(CASE, lines[0])  # already in the log (a flush that died before emptying the outbox)
    await repo.create(CaseDoc(opened(case_id=CASE), audit=lines))
    before = store.requests["append_audit"]
    assert await audit.flush(repo, CASE) == 2
    assert store.requests["append_audit"] == before + 1
    assert [line["n"] for line in await store.read_audit(CASE)] == [0, 1, 2]


async def test_a_line_appended_twice_by_racing_flushes_is_read_once(store: MemoryStore, clock: FakeClock) -> None:
    line = audit.note_line("notified", "bot", clock.now())
    await store.append_audit(CASE, line)
    await store.append_audit(CASE, line)
    assert await audit.trail(store, CASE) == [line]


async def test_hr_is_the_configured_people_and_the_group() -> None:
    directory = MemoryDirectory(groups={"g": {"U-Group"}})
    assert await HrPeople(["U-Hand"], "g", directory).ids() == ["u-group", "u-hand"]
    directory.unavailable = True
    assert await HrPeople(["U-Hand"], "g", directory).ids() == ["u-hand"]  # the group unreadable
    with pytest.raises(HrUnavailable):
        await HrPeople([], "g", directory).ids()  # nobody known: the message must stay pending
    assert not HrPeople([], "", directory).configured


async def test_the_leaders_part_of_the_help_for_case_leaders_and_directory_leaders(store: MemoryStore) -> None:
    repo = CaseRepository(store, POLICY)
    await repo.create(CaseDoc(opened(case_id=CASE)))  # led by u-leader
    directory = MemoryDirectory([DirectoryEntry("u-e", "Eva", Person("u-boss", "Bo Boss"))])
    is_leader = LeaderCheck(repo, directory)
    assert await is_leader("u-leader") and await is_leader("u-boss")
    assert not await is_leader("u-reporter") and not await is_leader("")
    directory.unavailable = True
    assert await is_leader("u-boss")  # remembered from a moment ago
    assert not await LeaderCheck(repo, directory)("u-boss")  # unknown while it is down: a shorter help


async def test_the_leader_check_remembers_each_answer_for_a_while(store: MemoryStore) -> None:
    """The help asks the case index (four tag queries) once per person per `remember_for`, not on
    every `hjælp`: most people lead nothing, and that answer cost a query per status and role."""
    repo = CaseRepository(store, POLICY)
    now = [0.0]
    directory = MemoryDirectory([DirectoryEntry("u-e", "Eva", Person("u-boss", "Bo Boss"))])
    is_leader = LeaderCheck(repo, directory, remember_for=300.0, monotonic=lambda: now[0])
    assert not await is_leader("u-new")
    store.fail_next("find", times=10)  # any query of the index would now fail the turn
    now[0] = 299.0
    assert not await is_leader("U-New")  # the same person, however the id is spelled
    now[0] = 301.0
    await repo.create(CaseDoc(opened(case_id=CASE, leader=NEW_LEADER)))  # now she leads one (a put, no find)
    assert await is_leader("u-new")  # told by the repository when the case was written here


async def test_a_case_written_on_another_instance_shows_once_the_answer_is_old(store: MemoryStore) -> None:
    now = [0.0]
    here = LeaderCheck(CaseRepository(store, POLICY), MemoryDirectory([]), monotonic=lambda: now[0])
    elsewhere = CaseRepository(store, POLICY)
    assert not await here("u-leader")
    await elsewhere.create(CaseDoc(opened(case_id=CASE)))  # led by u-leader, written by the other instance
    assert not await here("u-leader")  # within the five minutes: the help is still the employee's
    now[0] = 300.0
    assert await here("u-leader")


async def test_the_leader_checks_memory_is_bounded(store: MemoryStore) -> None:
    is_leader = LeaderCheck(CaseRepository(store, POLICY), MemoryDirectory([]), memory=50)
    for n in range(400):
        assert not await is_leader(f"u-{n}")
    assert len(is_leader._answers) == 50
