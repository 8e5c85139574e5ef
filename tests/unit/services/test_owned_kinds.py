"""Retention and the art. 15 export against every stored kind (bot.storage.names.KINDS): an erased
case leaves nothing of its own behind and nothing of anyone else's is touched; a person's export
holds every kind a person owns."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator

import pytest

from bot.errors import NotFound
from bot.guideline.med_period import MedSchedule
from bot.guideline.policy import DeadlinePolicy
from bot.guideline.retention import RetentionRules
from bot.intake.evidence_links import EvidenceLinks
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services import audit
from bot.services.case_tags import CaseTagMigration
from bot.services.drafts import DraftIndex
from bot.services.person_export import PersonExport
from bot.services.retention import Retention
from bot.storage import names
from bot.storage.names import KINDS, Owner
from bot.storage.store import EvidenceMeta
from bot.teams.reference_book import ReferenceBook
from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import user_reference
from tests.unit.guideline.builders import REPORTER, opened

CASE, OTHER = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
PERIOD = "2026-1"


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def put_file(store: MemoryStore, name: str, data: bytes, by: str, clock: FakeClock) -> None:
    meta = EvidenceMeta(hashlib.sha256(data).hexdigest(), len(data), "image/png", "s.png", by, clock.now())
    await store.put_evidence(name, _bytes(data), meta)


async def seed_every_kind(store: MemoryStore, cases: CaseRepository, clock: FakeClock) -> None:
    """One of each kind: the case's own, and everything else under other owners."""
    for case_id in (CASE, OTHER):
        await cases.create(CaseDoc(opened(case_id=case_id)))
        sha = hashlib.sha256(case_id.encode()).hexdigest()
        await put_file(store, names.evidence(case_id, sha), case_id.encode(), REPORTER.aad_object_id, clock)
        await put_file(store, names.pack(case_id, sha), b"pdf", "u-hr", clock)
        await audit.record(store, case_id, "reported", REPORTER.aad_object_id, clock.now())
    await DraftIndex(store).start("u-drafting", "a" * 32, clock.now())
    await ReferenceBook(store).remember(REPORTER.aad_object_id, user_reference(REPORTER.aad_object_id), "da-DK")
    await store.put(names.state("msteams/conversations/a:1"), {"x": 1}, etag=None)
    await store.put(names.case_number_counter(2026), {"next": 3}, etag=None)
    await CaseTagMigration(cases).run()  # its marker
    await store.put(names.seen("a:1", "1"), {}, etag=None, tags=names.seen_tags("2026-01-01T00:00:00Z"))
    await store.put(names.hr_notice("n1"), {"due": "x"}, etag=None, tags=names.hr_notice_tags("x"))
    await put_file(store, names.export("20261124", "x1", "b" * 64), b"zip", "u-hr", clock)
    await put_file(store, names.staging("s" * 32), b"png", "u-hr", clock)  # Azure: left by a crash mid-commit
    await store.acquire_lease(names.SCHEDULER_LEASE, "instance", 30)
    await store.put(names.stats_med(PERIOD), {}, etag=None)
    await store.put(names.unit_record("Borgerservice"), {}, etag=None)
    await store.put(names.CHANNEL_REFS, {}, etag=None)  # the Teams side's channel book
    await store.append_audit(names.unit_audit_id("Borgerservice"), {"type": "med_plan_link"})
    await store.put(names.legacy_med_channel("19:t", "19:c"), {}, etag=None)
    await store.put(names.med_sent(PERIOD, "Borgerservice"), {}, etag=None)
    await store.put(names.med_evaluation("Borgerservice", PERIOD), {}, etag=None)
    await store.put(names.med_followup("Borgerservice", PERIOD), {}, etag=None)
    await store.put(names.deletion(OTHER), {}, etag=None)
    await store.put(names.erasure("e" * 32), {"by": "u-hr"}, etag=None)  # another erasure under way


def kind_of(name: str) -> str:
    for kind in KINDS:
        parts = re.split(r"(\{[^}]*\})", kind.pattern)
        if re.fullmatch("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts), name):
            if kind.key == "audit" and "med-unit-" in name:
                continue
            return kind.key
    raise AssertionError(f"no kind for {name}")


async def test_an_erased_case_leaves_nothing_of_its_own_and_takes_nothing_else(
    store: MemoryStore, clock: FakeClock
) -> None:
    cases = CaseRepository(store, DeadlinePolicy())
    await seed_every_kind(store, cases, clock)
    retention = Retention(store, cases, clock, RetentionRules(0), MedSchedule())
    before = set(store.names())
    assert {kind_of(n) for n in before} == {k.key for k in KINDS}  # every kind is really there

    await retention.erase(CASE, "u-hr")

    after = set(store.names())
    left = sorted(n for n in after if CASE in n)
    assert left == [names.deletion(CASE)]  # only the proof that it went
    gone = before - after
    assert {kind_of(n) for n in gone} == {k.key for k in KINDS if k.owner is Owner.CASE}
    assert all(CASE in n for n in gone)


async def test_a_persons_export_holds_every_kind_they_own(store: MemoryStore, clock: FakeClock) -> None:
    cases = CaseRepository(store, DeadlinePolicy())
    await seed_every_kind(store, cases, clock)
    person = REPORTER.aad_object_id
    await DraftIndex(store).start(person, "c" * 32, clock.now())
    export = PersonExport(store, cases, clock, EvidenceLinks("https://bot.example.test"))

    built = await export.build(person, "u-hr")

    [name] = [n for n in store.evidence if n.startswith(names.EXPORTS) and n.endswith(built.sha256)]
    with zipfile.ZipFile(io.BytesIO(store.evidence[name])) as archive:
        files = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"conversation-reference.json", "draft.json"} <= files  # every Owner.PERSON kind
    for case_id in (CASE, OTHER):  # the cases they are on, with their logs and the files they reported
        assert {f"cases/{case_id}/case.json", f"cases/{case_id}/audit.json"} <= files
        assert f"cases/{case_id}/evidence/{hashlib.sha256(case_id.encode()).hexdigest()}" in files
    assert manifest["person"] == person and built.cases == 2 and built.files == 2
    assert "person_exported" in [line["type"] for line in await store.read_audit(CASE)]


async def test_nothing_held_about_a_person_is_said_so(store: MemoryStore, clock: FakeClock) -> None:
    cases = CaseRepository(store, DeadlinePolicy())
    export = PersonExport(store, cases, clock, EvidenceLinks("https://bot.example.test"))
    with pytest.raises(NotFound):
        await export.build("u-nobody", "u-hr")
    assert not store.evidence


async def test_old_exports_are_purged_after_two_days(store: MemoryStore, clock: FakeClock) -> None:
    cases = CaseRepository(store, DeadlinePolicy())
    await ReferenceBook(store).remember("u-1", user_reference("u-1"), "da-DK")
    export = PersonExport(store, cases, clock, EvidenceLinks("https://bot.example.test"))
    await export.build("u-1", "u-hr")
    clock.advance(days=1)
    assert await export.forget_old() == 0
    clock.advance(days=2)
    assert await export.forget_old() == 1
    assert not [n for n in store.evidence if n.startswith(names.EXPORTS)]


async def test_a_persons_name_is_corrected_on_every_case_they_are_on(store: MemoryStore, clock: FakeClock) -> None:
    cases = CaseRepository(store, DeadlinePolicy())
    await seed_every_kind(store, cases, clock)
    export = PersonExport(store, cases, clock, EvidenceLinks("https://bot.example.test"))
    assert await export.correct_name("u-leader", "  Lene   Leder-Hansen ", "u-hr") == 2
    for case_id in (CASE, OTHER):
        case = (await cases.get(case_id)).case
        assert case.leader is not None and case.leader.name == "Lene Leder-Hansen"
        assert case.facts == opened(case_id=case_id).facts  # the reporter's words are never rewritten
        assert "name_corrected" in [line["type"] for line in await store.read_audit(case_id)]
    assert await export.correct_name("u-leader", "Lene Leder-Hansen", "u-hr") == 0  # already so
    with pytest.raises(ValueError):
        await export.correct_name("u-leader", "   ", "u-hr")
