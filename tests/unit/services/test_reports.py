"""Submitting a report: the case gets the next number of its year, its leader from the directory
(or the deputy, or the employee's checked choice), its audit lines in its outbox, and a repeated
submit of the same draft finds the case instead of making a second. Bad input is refused by field."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.chat.forms import ReportForm
from bot.directory.model import DirectoryEntry
from bot.errors import InvalidInput
from bot.guideline.model import CaseStatus, Person
from bot.guideline.policy import DeadlinePolicy
from bot.repositories.cases import CaseRepository
from bot.services import audit
from bot.services.reports import ReportService, new_draft_id, validate_report
from bot.storage import names
from bot.storage.store import EvidenceMeta
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore

ZONE = ZoneInfo("Europe/Copenhagen")
EMPLOYEE = Person("u-employee", "Eva Ansat")
LEADER = Person("u-leader", "Lene Leder")
DEPUTY = Person("u-deputy", "Dan Deputy")
FORM = ReportForm(
    category="trussel", description="Trusler i en kommentar", date="2026-11-24", time="20:15", platform="facebook"
)


def service(store: MemoryStore, *entries: DirectoryEntry) -> tuple[ReportService, CaseRepository]:
    cases = CaseRepository(store, DeadlinePolicy())
    directory = MemoryDirectory(
        entries or [DirectoryEntry(EMPLOYEE.aad_object_id, EMPLOYEE.name, LEADER, DEPUTY, "Borgerservice")]
    )
    return ReportService(store, cases, directory, DeadlinePolicy(), ZONE), cases


def screenshot(n: int, now: datetime) -> EvidenceMeta:
    data = f"png {n}".encode()
    return EvidenceMeta(hashlib.sha256(data).hexdigest(), len(data), "image/png", f"s{n}.png", "u-employee", now)


async def test_a_report_becomes_a_numbered_case_led_by_the_directorys_leader(
    store: MemoryStore, clock: FakeClock
) -> None:
    reports, cases = service(store)
    facts = validate_report(FORM, clock.now(), ZONE)
    first = await reports.submit(new_draft_id(), EMPLOYEE, facts, [screenshot(1, clock.now())], clock.now())
    second = await reports.submit(new_draft_id(), EMPLOYEE, facts, [], clock.now())
    assert (first.case.number, second.case.number) == ("KH-2026-0001", "KH-2026-0002")
    assert first.case.leader == LEADER and first.case.status is CaseStatus.OPEN
    assert first.case.unit == "Borgerservice" and len(first.case.evidence) == 1
    assert first.follow_ups and not first.already
    assert [c.id for c in await cases.open_led_by(LEADER.aad_object_id)] != []
    # The lines wait in the case's outbox; the delivery that follows appends them (audit.flush).
    outbox = (await cases.get(first.case.id)).audit
    assert outbox and outbox[0]["type"] == "CaseOpened"
    assert await audit.flush(cases, first.case.id) == len(outbox)
    log = await store.read_audit(first.case.id)
    assert log and log[0]["type"] == "CaseOpened"
    assert (await cases.get(first.case.id)).audit == []  # the outbox was flushed into the log


async def test_numbers_are_unique_when_reports_arrive_at_once(store: MemoryStore, clock: FakeClock) -> None:
    reports, _ = service(store)
    facts = validate_report(FORM, clock.now(), ZONE)
    submitted = await asyncio.gather(
        *(reports.submit(new_draft_id(), EMPLOYEE, facts, [], clock.now()) for _ in range(8))
    )
    assert sorted(s.case.number for s in submitted) == [f"KH-2026-{n:04d}" for n in range(1, 9)]
    # One block of ten was reserved; at shutdown the two not handed out go back.
    assert store.data(names.case_number_counter(2026)) == {"year": 2026, "next": 11}
    await reports.numbers.close()
    assert store.data(names.case_number_counter(2026)) == {"year": 2026, "next": 9}


async def test_the_same_draft_submitted_twice_is_one_case(store: MemoryStore, clock: FakeClock) -> None:
    reports, _ = service(store)
    facts = validate_report(FORM, clock.now(), ZONE)
    case_id = new_draft_id()
    first = await reports.submit(case_id, EMPLOYEE, facts, [], clock.now())
    again = await reports.submit(case_id, EMPLOYEE, facts, [], clock.now())
    assert again.already and again.case.number == first.case.number and again.follow_ups == ()
    assert [n for n in store.names() if n.startswith(names.CASES)] == [names.case(case_id)]


async def test_a_submit_right_after_closing_the_draft_does_not_read_the_case_first(
    store: MemoryStore, clock: FakeClock
) -> None:
    reports, cases = service(store)
    facts = validate_report(FORM, clock.now(), ZONE)
    await reports.submit(new_draft_id(), EMPLOYEE, facts, [], clock.now())  # takes a block of numbers
    gets = store.requests["get"]
    case_id = new_draft_id()
    first = await reports.submit(case_id, EMPLOYEE, facts, [], clock.now(), first=True)
    assert store.requests["get"] == gets and not first.already  # no read: only the create-only write
    again = await reports.submit(case_id, EMPLOYEE, facts, [], clock.now())
    assert again.already and again.case.number == first.case.number
    assert (await cases.get(case_id)).case.number == first.case.number


async def test_the_year_follows_copenhagen_not_utc(store: MemoryStore) -> None:
    reports, _ = service(store)
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Copenhagen
    facts = validate_report(FORM, new_year, ZONE)
    submitted = await reports.submit(new_draft_id(), EMPLOYEE, facts, [], new_year)
    assert submitted.case.number == "KH-2027-0001"


async def test_without_a_leader_the_deputy_leads_else_the_checked_choice(store: MemoryStore, clock: FakeClock) -> None:
    facts = validate_report(FORM, clock.now(), ZONE)
    deputy_only = DirectoryEntry(EMPLOYEE.aad_object_id, EMPLOYEE.name, None, DEPUTY, "Borgerservice")
    reports, _ = service(store, deputy_only, DirectoryEntry("u-other", "Other", LEADER))
    assert (await reports.submit(new_draft_id(), EMPLOYEE, facts, [], clock.now())).case.leader == DEPUTY

    nobody = DirectoryEntry(EMPLOYEE.aad_object_id, EMPLOYEE.name)
    reports, _ = service(store, nobody, DirectoryEntry("u-other", "Other", LEADER))
    choices = await reports.leader_choices(EMPLOYEE.aad_object_id)
    assert choices == [(LEADER.aad_object_id, LEADER.name)]
    assert await reports.chosen_leader(EMPLOYEE.aad_object_id, "u-forged") is None  # not among those offered
    chosen = await reports.chosen_leader(EMPLOYEE.aad_object_id, LEADER.aad_object_id)
    submitted = await reports.submit(new_draft_id(), EMPLOYEE, facts, [], clock.now(), chosen)
    assert submitted.case.leader == LEADER


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        (ReportForm(), "category", "required"),
        (ReportForm(category="nonsense"), "category", "invalid_choice"),
        (ReportForm(category="trussel", description="  "), "description", "required"),
        (ReportForm(category="trussel", description="x", platform="facebook"), "occurred_at", "required"),
        (
            ReportForm(category="trussel", description="x", platform="facebook", date="2026-13-01", time="10:00"),
            "occurred_at",
            "bad_date",
        ),
        (
            ReportForm(category="trussel", description="x", platform="facebook", date="2026-11-30", time="10:00"),
            "occurred_at",
            "in_future",
        ),
        (
            ReportForm(
                category="trussel",
                description="x",
                platform="facebook",
                date="2026-11-24",
                time="10:00",
                link="javascript:alert(1)",
            ),
            "link",
            "not_http",
        ),
    ],
)
def test_bad_input_is_refused_by_field(form: ReportForm, field: str, code: str, clock: FakeClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_report(form, clock.now(), ZONE)
    assert (refused.value.field, refused.value.reason) == (field, code)
