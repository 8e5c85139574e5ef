"""The evidence pack as a service and the access log: who may have a case's pack, stored once
however often it is asked for, every link and download an audit line; every read by anyone but
the reporter is logged before it is shown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import NotFound, NotPermitted
from bot.guideline.model import Actor
from bot.intake.evidence_links import EvidenceLinks
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services import access_log
from bot.services.evidence_packs import EvidencePacks
from bot.storage import names
from bot.texts import Texts
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.unit.evidence_pack.cases import png, stored_case
from tests.unit.guideline.builders import POLICY

HR = "u-hr"


async def actor_of(person: str) -> Actor:
    return Actor(person, is_hr=person == HR)


async def packs(store: MemoryStore, clock: FakeClock) -> EvidencePacks:
    repo = CaseRepository(store, POLICY)
    case = await stored_case(store, [("skærm.png", "image/png", png(300, 200, "trussel"))])
    await repo.create(CaseDoc(case))
    return EvidencePacks(store, repo, actor_of, clock, EvidenceLinks("https://bot.example.test"), 60)


def lines(store: MemoryStore, kind: str) -> list[str]:
    return [line for line in store.audit.get("case1", []) if f'"{kind}"' in line]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))


async def test_the_reporter_gets_three_links_and_the_pack_is_stored_once(store: MemoryStore, clock: FakeClock) -> None:
    service = await packs(store, clock)
    issued = await service.issue("case1", "u-reporter", Texts("da"))
    assert [link.kind for link in issued.links] == ["pdf", "docx", "zip"]
    stored = sorted(n for n in store.evidence if n.startswith(names.pack_prefix("case1")))
    assert stored == sorted(names.pack("case1", link.sha256) for link in issued.links)
    again = await service.issue("case1", HR, Texts("da"))  # HR: the same case, the same bytes
    assert [link.sha256 for link in again.links] == [link.sha256 for link in issued.links]
    assert len([n for n in store.evidence if n.startswith(names.PACKS)]) == 3
    assert len(lines(store, "pack_built")) == 2 and len(lines(store, "pack_link_issued")) == 6


async def test_a_stranger_or_a_deputy_not_brought_in_gets_no_pack(store: MemoryStore, clock: FakeClock) -> None:
    service = await packs(store, clock)
    for person in ("u-stranger", "u-deputy"):
        with pytest.raises(NotPermitted):
            await service.issue("case1", person, Texts("da"))
    with pytest.raises(NotFound):
        await service.issue("f" * 32, "u-reporter", Texts("da"))
    assert not [n for n in store.evidence if n.startswith(names.PACKS)]


async def test_a_download_is_an_audit_line_and_streams_the_stored_bytes(store: MemoryStore, clock: FakeClock) -> None:
    service = await packs(store, clock)
    issued = await service.issue("case1", "u-leader", Texts("en"))
    pdf = issued.links[0]
    meta = await service.opened("case1", pdf.sha256, "u-leader")
    assert meta.sha256 == pdf.sha256 and len(lines(store, "pack_downloaded")) == 1
    data = b"".join([chunk async for chunk in service.read("case1", pdf.sha256)])
    assert data == store.evidence[names.pack("case1", pdf.sha256)] and data.startswith(b"%PDF")
    with pytest.raises(NotFound):
        await service.opened("case1", "0" * 64, "u-leader")


async def test_reads_by_anyone_but_the_reporter_are_logged(store: MemoryStore, clock: FakeClock) -> None:
    repo = CaseRepository(store, POLICY)
    case = await stored_case(store, [("skærm.png", "image/png", png(300, 200, "trussel"))])
    await repo.create(CaseDoc(case))
    before = len(store.audit["case1"])
    await access_log.case_read(store, case, "u-reporter", clock.now(), "card")
    assert len(store.audit["case1"]) == before  # the reporter's own reads are not logged
    await access_log.case_read(store, case, "u-leader", clock.now(), "card")
    await access_log.evidence_opened(repo, clock.now(), "case1", case.evidence[0].sha256, HR)
    await access_log.evidence_opened(repo, clock.now(), "d" * 32, "a" * 64, "u-reporter")  # a draft's file
    viewed = [line for line in await store.read_audit("case1") if line["type"] == access_log.READ]
    assert [(line["actor"], line["view"]) for line in viewed] == [("u-leader", "card"), (HR, "evidence")]


async def test_a_read_that_cannot_be_logged_is_not_shown(store: MemoryStore, clock: FakeClock) -> None:
    case = await stored_case(store, [("skærm.png", "image/png", png(300, 200, "trussel"))])
    store.fail_next("append_audit")
    with pytest.raises(ConnectionError):
        await access_log.case_read(store, case, "u-leader", clock.now(), "card")
