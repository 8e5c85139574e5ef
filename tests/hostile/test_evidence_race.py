"""Three screenshots sent close together, over two instances: every file confirmed is in the report.

Before the fix each turn appended its file to the dialog state and saved it with the state's ETag:
all three were answered "Modtaget", the losers' saves conflicted, and the review held one file.
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
    file_attachment,
    post,
    running,
    runtime_of,
    settings_for,
    shown,
    start_report,
)

NAMES = ("shot.png", "photo.jpg", "doc.pdf")


async def test_three_screenshots_sent_at_once_on_two_instances_are_all_in_the_report(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""))
        async with running(settings, store) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            before = len(shown(connector))
            sends = [
                post(client, activity(url, attachments=[file_attachment(files.url(f"/files/{name}"), name)]))
                for client, name in zip((a, b, a), NAMES, strict=True)
            ]
            statuses = await asyncio.gather(*sends)
            assert all(s in (200, 201) for s in statuses)
            answers = shown(connector)[before:]
            confirmed = [a for a in answers if "Modtaget" in a]
            assert len(confirmed) == 3, answers
            assert not any("gik galt" in a for a in answers), answers
            assert await post(b, activity(url, text="færdig")) in (200, 201)
            review = shown(connector)[-1]
            assert "Gennemse" in review
            for name in NAMES:
                assert name in review, review
            assert await post(a, activity(url, value={"verb": "review_submit"})) in (200, 201)
            receipt = shown(connector)[-1]
            assert "3 fil(er)" in receipt, receipt
    await store.close()


async def test_files_added_to_a_submitted_case_at_once_on_two_instances_are_all_on_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""))
        async with running(settings, store) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            await post(a, activity(url, text="færdig"))
            await post(a, activity(url, value={"verb": "review_submit"}))
            [case] = await runtime_of(a).cases.reported_by(EMPLOYEE)
            await asyncio.sleep(2.1)  # a person's pace: the fake connector throttles like Teams
            await post(b, activity(url, value={"verb": "add_evidence", "case_id": case.id}))
            before = len(shown(connector))
            sends = [
                post(client, activity(url, attachments=[file_attachment(files.url(f"/files/{name}"), name)]))
                for client, name in zip((a, b, a), NAMES, strict=True)
            ]
            await asyncio.gather(*sends)
            answers = shown(connector)[before:]
            assert sum("Modtaget" in t for t in answers) == 3, answers
            await post(b, activity(url, text="færdig"))
            assert "Antal nye filer på sag KH-2026-0001: 3" in shown(connector)[-1]
            stored = (await runtime_of(a).cases.get(case.id)).case
            assert sorted(e.original_name for e in stored.evidence) == sorted(NAMES)
    await store.close()
