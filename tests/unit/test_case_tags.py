"""The case tags' migration: cases stored before a tag existed get it (v1 the figures tag, v2 the
status in the leader and deputy tags), and queries use only the new tags once every case has them
(tests on the local store; the tag query itself is in the store contract)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.guideline import ApvFiled, ApvMeasuresSet, MedSchedule
from bot.guideline.model import CaseStatus
from bot.repositories.cases import CaseDoc, CaseRepository, cases_in_unit
from bot.services.case_tags import MARKER, CaseTagMigration, TagsComplete
from bot.storage import names
from bot.storage.local import LocalStore
from tests.unit.guideline.builders import AS_LEADER, LEADER, POLICY, apply, at, opened

PERIOD = MedSchedule().period_by_id("2026-H2")  # 1 Mar - 1 Sep 2026


async def _store_as_before(repo: CaseRepository, doc: CaseDoc) -> None:
    """A case as an earlier version stored it: every tag but `figures`."""
    data = doc.to_json()
    tags = {k: v for k, v in repo.tags(data).items() if k != "figures"}
    await repo.store.put(names.case(doc.case.id), data, etag=None, tags=tags)


async def test_old_cases_are_retagged_in_batches_and_then_found_by_the_figures_query(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    repo = CaseRepository(store, POLICY)
    settled_long_ago = apply(
        opened(at(2023, 5, 2), case_id="old", occurred_at=at(2023, 5, 1)),
        AS_LEADER,
        ApvMeasuresSet("m"),
        ApvFiled("r"),
        now=at(2023, 5, 9),
    )
    cases = [
        settled_long_ago,
        opened(at(2024, 1, 3), case_id="unsettled", occurred_at=at(2024, 1, 2)),
        opened(at(2026, 4, 1), case_id="recent", occurred_at=at(2026, 3, 31)),
    ]
    for case in cases:
        await _store_as_before(repo, CaseDoc(case))
    complete = TagsComplete(store)
    assert not await complete()
    since = await cases_in_unit(store, "Borgerservice", counting_from=PERIOD.start)
    assert since == []  # untagged: the index cannot answer yet, so the figures must not ask it

    migration = CaseTagMigration(repo, batch=2)
    assert await migration.run() == 2
    assert not await complete()
    assert await migration.run() == 1
    assert await migration.run() == 0  # nothing after the last name: done
    assert await complete() and await migration.done()
    assert await migration.run() == 0
    found = await cases_in_unit(store, "Borgerservice", counting_from=PERIOD.start)
    assert sorted(c.id for c in found) == ["recent", "unsettled"]
    assert len(await cases_in_unit(store, "Borgerservice")) == 3
    marker = await store.get(MARKER)
    assert marker is not None and marker.data["done"] is True


async def test_a_new_store_is_marked_done_at_the_first_run(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    repo = CaseRepository(store, POLICY)
    migration = CaseTagMigration(repo)
    assert await migration.run() == 0
    await repo.create(
        CaseDoc(opened(at(2026, 4, 1), case_id="new", occurred_at=at(2026, 3, 31)))
    )  # written with every tag
    assert [c.id for c in await cases_in_unit(store, "Borgerservice", counting_from=PERIOD.start)] == ["new"]
    assert await TagsComplete(store)()


async def test_a_persons_cases_are_found_by_status_in_the_role_tag_and_by_the_old_tags_until_migrated(
    tmp_path: Path,
) -> None:
    """v2: "open cases led by X" is one index value (`leader` = "open:X"), as large as its answer.
    Cases stored with the old tags (status apart from the person) are found too until the
    migration has retagged them; a case that closes leaves the open value."""
    store = LocalStore(tmp_path)
    repo = CaseRepository(store, POLICY)
    old_open = opened(at(2026, 4, 1), case_id="old-open", occurred_at=at(2026, 3, 31))
    old_closed = replace(
        opened(at(2024, 4, 1), case_id="old-closed", occurred_at=at(2024, 3, 31)),
        status=CaseStatus.CLOSED,
        closed_at=at(2024, 5, 1),
    )
    for case in (old_open, old_closed):
        data = CaseDoc(case).to_json()
        tags = repo.tags(data) | {"leader": LEADER.aad_object_id}  # as v1 wrote it
        await store.put(names.case(case.id), data, etag=None, tags=tags)
    await repo.create(CaseDoc(opened(at(2026, 6, 1), case_id="new-open", occurred_at=at(2026, 5, 31))))
    assert (await store.get(names.case("new-open"))) is not None

    async def open_led() -> list[str]:
        return sorted(c.id for c in await repo.open_led_by(LEADER.aad_object_id))

    assert await open_led() == ["new-open", "old-open"]
    assert await repo.ids_naming(LEADER.aad_object_id) == ["new-open", "old-closed", "old-open"]
    assert await repo.leads_any(LEADER.aad_object_id)

    migration = CaseTagMigration(repo)
    while await migration.run():
        pass
    await migration.run()
    assert await migration.done()
    assert await store.find(names.cases_where(leader=LEADER.aad_object_id)) == []  # no old tag is left
    fresh = CaseRepository(store, POLICY)  # another instance: reads the marker, asks the new tags only
    assert sorted(c.id for c in await fresh.open_led_by(LEADER.aad_object_id)) == ["new-open", "old-open"]
    assert await fresh.ids_naming(LEADER.aad_object_id) == ["new-open", "old-closed", "old-open"]

    def close(doc: CaseDoc) -> tuple[CaseDoc, None]:
        return replace(doc, case=replace(doc.case, status=CaseStatus.CLOSED, closed_at=at(2026, 7, 1))), None

    await fresh.change("new-open", close)
    assert [c.id for c in await fresh.open_led_by(LEADER.aad_object_id)] == ["old-open"]
    assert await store.find(names.cases_where(leader=names.role_tag(LEADER.aad_object_id, "closed"))) == [
        names.case("new-open"),
        names.case("old-closed"),
    ]
    assert not await fresh.leads_any("u-nobody")
