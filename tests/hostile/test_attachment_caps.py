"""Caps before work: files per message and per case are counted before anything is downloaded.

A message with 32 attachments gets a clear answer and at most the cap (10) is fetched and stored;
a draft that holds the case's cap (30) has its next file refused without a download.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp.test_utils import TestClient

from bot.guideline import Case
from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
from tests.fakes.held_store import HeldStore
from tests.hostile.conftest import (
    EMPLOYEE,
    activity,
    draft_of,
    file_attachment,
    post,
    running,
    runtime_of,
    settings_for,
    shown,
    start_report,
)


def distinct_files(files: FakeFileHost, first: int, count: int) -> list[dict[str, object]]:
    """Different bytes each (a PNG header and `size` bytes), so each is a file of its own."""
    return [file_attachment(files.url(f"/sized/{100 + n}"), f"bilag-{n}.png") for n in range(first, first + count)]


async def case_taking_evidence(
    a: TestClient, b: TestClient, connector: FakeConnector, files: FakeFileHost, added: tuple[int, int]
) -> Case:
    """A case submitted on `a` with 6 files, "add evidence" opened on `b`, then two messages of
    `added` files sent to `a` (a person's pace between the turns: the fake connector throttles
    like Teams)."""
    url = connector.service_url
    await start_report(a, connector)
    await post(a, activity(url, attachments=distinct_files(files, 0, 6)))
    await post(a, activity(url, text="færdig"))
    await post(a, activity(url, value={"verb": "review_submit"}))
    [case] = await runtime_of(a).cases.reported_by(EMPLOYEE)
    await asyncio.sleep(2.1)
    await post(b, activity(url, value={"verb": "add_evidence", "case_id": case.id}))
    for first, count in zip((10, 20), added, strict=True):
        await post(a, activity(url, attachments=distinct_files(files, first, count)))
    await asyncio.sleep(2.1)
    return case


async def test_32_attachments_get_a_clear_answer_and_at_most_the_cap_is_fetched(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""))
        async with running(settings, store) as app:
            url = connector.service_url
            await start_report(app, connector)
            before = len(shown(connector))
            assert await post(app, activity(url, attachments=distinct_files(files, 0, 32))) in (200, 201)
            answers = shown(connector)[before:]
            assert len(answers) == 1  # one answer per message: Teams throttles a bot's 8th message a second
            assert "højst 10 filer fra én besked. 22 fil(er) blev ikke hentet" in answers[0]
            assert answers[0].count("Modtaget") == 10
            assert len(files.seen) == 10  # the other 22 were never requested
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 10
            assert len(await store.list(f"evidence/{draft['case_id']}/")) == 10
    await store.close()


async def test_a_full_draft_refuses_the_next_files_before_downloading_them(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, store) as app:
            url = connector.service_url
            await start_report(app, connector)
            for first in (0, 10, 20):
                await post(app, activity(url, attachments=distinct_files(files, first, 10)))
            assert len(files.seen) == 30
            before = len(shown(connector))
            await post(app, activity(url, attachments=distinct_files(files, 30, 3)))
            answers = shown(connector)[before:]
            assert answers == [
                "En sag kan rumme højst 30 filer. 3 fil(er) blev ikke hentet, fordi der ikke er plads til flere."
            ]
            assert len(files.seen) == 30  # nothing more was downloaded
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 30
    await store.close()


async def test_two_instances_cannot_both_fill_the_last_places(tmp_path: Path) -> None:
    """Room is reserved on the draft before the download, so messages on two instances at once
    share the room instead of each seeing it free."""
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, store) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            for first in (0, 10):
                await post(a, activity(url, attachments=distinct_files(files, first, 10)))
            await post(a, activity(url, attachments=distinct_files(files, 20, 5)))
            await asyncio.gather(
                post(a, activity(url, attachments=distinct_files(files, 40, 4))),
                post(b, activity(url, attachments=distinct_files(files, 50, 4))),
            )
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 30
            assert len(files.seen) == 30
    await store.close()


async def test_a_submitted_case_shares_its_last_places_between_two_instances(tmp_path: Path) -> None:
    """ "Add evidence" reserves room in the case document before downloading, like the draft."""
    store = LocalStore(tmp_path / "data")
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000"), store) as a,
        running(settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000"), store) as b,
    ):
        url = connector.service_url
        case = await case_taking_evidence(a, b, connector, files, added=(10, 10))
        await asyncio.gather(
            post(a, activity(url, attachments=distinct_files(files, 40, 4))),
            post(b, activity(url, attachments=distinct_files(files, 50, 4))),
        )
        stored = (await runtime_of(a).cases.get(case.id)).case
        assert len(stored.evidence) == 30
        assert len(files.seen) == 30  # the 4 surplus files were never fetched
        assert len(await store.list(f"evidence/{case.id}/")) == 30
        assert (await runtime_of(a).cases.get(case.id)).intake == {}  # every reservation released
    await store.close()


async def test_a_message_half_recorded_leaves_its_recorded_files_counted_once(tmp_path: Path) -> None:
    """Two instances, a draft with 25 of 30 places used. Instance A's message of 4 files has
    reserved its places and recorded its first file (26 on the draft); before it records the
    second, instance B's message of 4 asks for room. Used are 26 recorded + 3 still coming for A:
    1 place is free, and B must get it. (A reservation that still counted A's recorded file, 26 + 4,
    refused all 4 of B's files "because there is no room", and the case kept 29: the race the
    random wait after a lost ETag race made likely, forced here at the storage boundary.)"""
    store = LocalStore(tmp_path / "data")
    held = HeldStore(store, lambda name, data: name.startswith("drafts/") and len(data.get("evidence", [])) == 27)
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, held) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            for first, count in ((0, 10), (10, 10), (20, 5)):
                await post(a, activity(url, attachments=distinct_files(files, first, count)))
            before = len(shown(connector))
            first_message = asyncio.create_task(post(a, activity(url, attachments=distinct_files(files, 40, 4))))
            await asyncio.wait_for(held.holding.wait(), 10)  # A: 1 of its 4 files recorded, 3 to come
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 26
            await post(b, activity(url, attachments=distinct_files(files, 50, 4), locale="en-US"))
            held.release.set()
            assert await first_message in (200, 201)
            answers = shown(connector)[before:]
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 30
            assert draft["pending"] == {}  # every reservation released
            assert len(files.seen) == 30  # B's 3 surplus files were never fetched
            kept = {e["original_name"] for e in draft["evidence"]}
            assert kept == {f"bilag-{n}.png" for n in (*range(25), 40, 41, 42, 43, 50)}
            [to_b] = [a for a in answers if a.startswith("A case")]
            assert to_b.startswith(
                "A case can hold at most 30 files. 3 file(s) were not fetched because there is no room for more."
            )
            assert "Received: bilag-50.png" in to_b
            [to_a] = [a for a in answers if "bilag-40" in a]
            assert to_a.count("Modtaget") == 4
    await store.close()


async def test_a_message_half_added_to_a_case_leaves_its_added_files_counted_once(tmp_path: Path) -> None:
    """The same moment on a submitted case ("Mine sager -> tilføj dokumentation"): 25 of 30 on the
    case, A's message of 4 has added its first file when B's message of 4 asks for room: 1 is free."""
    store = LocalStore(tmp_path / "data")
    held = HeldStore(store, lambda name, data: name.startswith("cases/") and len(data["case"]["evidence"]) == 27)
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, held) as a, running(settings, store) as b:
            url = connector.service_url
            case = await case_taking_evidence(a, b, connector, files, added=(10, 9))
            before = len(shown(connector))
            first_message = asyncio.create_task(post(a, activity(url, attachments=distinct_files(files, 40, 4))))
            await asyncio.wait_for(held.holding.wait(), 10)  # A: 1 of its 4 files added, 3 to come
            assert len((await runtime_of(b).cases.get(case.id)).case.evidence) == 26
            await post(b, activity(url, attachments=distinct_files(files, 50, 4), locale="en-US"))
            held.release.set()
            assert await first_message in (200, 201)
            answers = shown(connector)[before:]
            [to_b] = [a for a in answers if a.startswith("A case")]
            assert to_b.startswith(
                "A case can hold at most 30 files. 3 file(s) were not fetched because there is no room for more."
            )
            assert "Received: bilag-50.png" in to_b
            stored = await runtime_of(a).cases.get(case.id)
            assert len(stored.case.evidence) == 30
            assert stored.intake == {}  # every reservation released
            assert len(files.seen) == 30
            assert len(await store.list(f"evidence/{case.id}/")) == 30
    await store.close()


def refused_then_files(files: FakeFileHost, first: int, count: int) -> list[dict[str, object]]:
    """A file its download refuses (it declares a size over the limit), then `count` good ones."""
    too_big = file_attachment(files.url("/oversize/declared"), "for-stor.png")
    return [too_big, *distinct_files(files, first, count)]


async def test_a_file_refused_by_its_download_frees_its_place_at_once(tmp_path: Path) -> None:
    """A draft with 25 of 30 places used. Instance A's message of 4 files reserves 4 places; its
    first file is refused by its download (too big) and its second is held before it is recorded.
    Instance B's message of 4 asks for room then: used are 25 + 3 still coming for A, so 2 places
    are free and B must get both. (Was: the refused file kept its place until A's message ended,
    B got 1 and was told "no room" for 3 although a place was free; the draft ended with 29.)"""
    store = LocalStore(tmp_path / "data")
    held = HeldStore(store, lambda name, data: name.startswith("drafts/") and len(data.get("evidence", [])) == 26)
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, held) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            for first, count in ((0, 10), (10, 10), (20, 5)):
                await post(a, activity(url, attachments=distinct_files(files, first, count)))
            before = len(shown(connector))
            first_message = asyncio.create_task(post(a, activity(url, attachments=refused_then_files(files, 40, 3))))
            try:
                await asyncio.wait_for(held.holding.wait(), 10)  # A: 1 refused, its 2nd file about to be recorded
                draft = await draft_of(store)
                assert draft is not None and len(draft["evidence"]) == 25
                assert [p["n"] for p in draft["pending"].values()] == [3]  # the refused file's place is free
                await post(b, activity(url, attachments=distinct_files(files, 50, 4), locale="en-US"))
            finally:
                held.release.set()  # (a failed check must not leave A's turn waiting forever)
            assert await first_message in (200, 201)
            answers = shown(connector)[before:]
            draft = await draft_of(store)
            assert draft is not None and len(draft["evidence"]) == 30
            assert draft["pending"] == {}
            [to_b] = [a for a in answers if a.startswith("A case")]
            assert to_b.startswith(
                "A case can hold at most 30 files. 2 file(s) were not fetched because there is no room for more."
            )
            assert "Received: bilag-50.png" in to_b and "Received: bilag-51.png" in to_b
            [to_a] = [a for a in answers if "bilag-40" in a]
            assert to_a.count("Modtaget") == 3 and "for-stor.png" not in to_a.split("Modtaget")[-1]
    await store.close()


async def test_a_file_refused_by_its_download_frees_its_place_on_a_case_at_once(tmp_path: Path) -> None:
    """The same moment on a submitted case ("Mine sager -> tilføj dokumentation"): 25 of 30 on the
    case, A's message of 4 has had its first file refused by the download when B's message of 4
    asks for room: 2 are free."""
    store = LocalStore(tmp_path / "data")
    held = HeldStore(store, lambda name, data: name.startswith("cases/") and len(data["case"]["evidence"]) == 26)
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="10000")
        async with running(settings, held) as a, running(settings, store) as b:
            url = connector.service_url
            case = await case_taking_evidence(a, b, connector, files, added=(10, 9))
            before = len(shown(connector))
            first_message = asyncio.create_task(post(a, activity(url, attachments=refused_then_files(files, 40, 3))))
            try:
                await asyncio.wait_for(held.holding.wait(), 10)  # A: 1 refused, its 2nd file about to be added
                stored = await runtime_of(b).cases.get(case.id)
                assert len(stored.case.evidence) == 25 and [p["n"] for p in stored.intake.values()] == [3]
                await post(b, activity(url, attachments=distinct_files(files, 50, 4), locale="en-US"))
            finally:
                held.release.set()  # (a failed check must not leave A's turn waiting forever)
            assert await first_message in (200, 201)
            answers = shown(connector)[before:]
            [to_b] = [a for a in answers if a.startswith("A case")]
            assert to_b.startswith(
                "A case can hold at most 30 files. 2 file(s) were not fetched because there is no room for more."
            )
            stored = await runtime_of(a).cases.get(case.id)
            assert len(stored.case.evidence) == 30
            assert stored.intake == {}
            assert len(await store.list(f"evidence/{case.id}/")) == 30
    await store.close()
