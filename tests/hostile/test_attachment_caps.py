"""Caps before work: files per message and per case are counted before anything is downloaded.

A message with 32 attachments gets a clear answer and at most the cap (10) is fetched and stored;
a draft that holds the case's cap (30) has its next file refused without a download.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
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
        await start_report(a, connector)
        await post(a, activity(url, attachments=distinct_files(files, 0, 6)))
        await post(a, activity(url, text="færdig"))
        await post(a, activity(url, value={"verb": "review_submit"}))
        [case] = await runtime_of(a).cases.reported_by(EMPLOYEE)
        await asyncio.sleep(2.1)  # a person's pace: the fake connector throttles like Teams
        await post(b, activity(url, value={"verb": "add_evidence", "case_id": case.id}))
        for first in (10, 20):
            await post(a, activity(url, attachments=distinct_files(files, first, 10)))
        await asyncio.sleep(2.1)
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
