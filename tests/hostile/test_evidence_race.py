"""Three screenshots sent close together, over two instances: every file confirmed is in the report.

Before the fix each turn appended its file to the dialog state and saved it with the state's ETag:
all three were answered "Modtaget", the losers' saves conflicted, and the review held one file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.hostile.conftest import (
    EMPLOYEE,
    Instances,
    activity,
    file_attachment,
    instances,
    post,
    runtime_of,
    start_report,
)

NAMES = ("shot.png", "photo.jpg", "doc.pdf")


async def three_files_at_once(apps: Instances) -> list[int]:
    """One screenshot each to A, B and A at the same moment; the HTTP statuses."""
    sends = [
        post(client, activity(apps.url, attachments=[file_attachment(apps.files.url(f"/files/{name}"), name)]))
        for client, name in zip((apps.a, apps.b, apps.a), NAMES, strict=True)
    ]
    return list(await asyncio.gather(*sends))


async def test_three_screenshots_sent_at_once_on_two_instances_are_all_in_the_report(tmp_path: Path) -> None:
    async with instances(tmp_path) as apps:
        await start_report(apps.a, apps.connector)
        before = len(apps.shown())
        statuses = await three_files_at_once(apps)
        assert all(s in (200, 201) for s in statuses)
        answers = apps.shown()[before:]
        confirmed = [a for a in answers if "Modtaget" in a]
        assert len(confirmed) == 3, answers
        assert not any("gik galt" in a for a in answers), answers
        assert await post(apps.b, activity(apps.url, text="færdig")) in (200, 201)
        review = apps.shown()[-1]
        assert "Gennemse" in review
        for name in NAMES:
            assert name in review, review
        assert await post(apps.a, activity(apps.url, value={"verb": "review_submit"})) in (200, 201)
        receipt = apps.shown()[-1]
        assert "3 fil(er)" in receipt, receipt


async def test_files_added_to_a_submitted_case_at_once_on_two_instances_are_all_on_it(tmp_path: Path) -> None:
    async with instances(tmp_path) as apps:
        a, b, url = apps.a, apps.b, apps.url
        await start_report(a, apps.connector)
        await post(a, activity(url, text="færdig"))
        await post(a, activity(url, value={"verb": "review_submit"}))
        [case] = await runtime_of(a).cases.reported_by(EMPLOYEE)
        await asyncio.sleep(2.1)  # a person's pace: the fake connector throttles like Teams
        await post(b, activity(url, value={"verb": "add_evidence", "case_id": case.id}))
        before = len(apps.shown())
        await three_files_at_once(apps)
        answers = apps.shown()[before:]
        assert sum("Modtaget" in t for t in answers) == 3, answers
        await post(b, activity(url, text="færdig"))
        assert "Antal nye filer på sag KH-2026-0001: 3" in apps.shown()[-1]
        stored = (await runtime_of(a).cases.get(case.id)).case
        assert sorted(e.original_name for e in stored.evidence) == sorted(NAMES)
