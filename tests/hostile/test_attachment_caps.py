"""Caps before work: files per message and per case are counted before anything is downloaded.

A message with 32 attachments gets a clear answer and at most the cap (10) is fetched and stored;
a draft that holds the case's cap (30) has its next file refused without a download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

from bot.guideline import Case
from tests.fakes.file_host import FakeFileHost
from tests.hostile.conftest import (
    EMPLOYEE,
    Instances,
    activity,
    draft_of,
    file_attachment,
    instances,
    post,
    runtime_of,
    start_report,
)


class Roomy(TypedDict):  # so mypy knows `**ROOMY` is a setting, not `count` or `hold`
    EVIDENCE_TURN_BUDGET_MS: str


ROOMY: Roomy = {"EVIDENCE_TURN_BUDGET_MS": "10000"}  # a turn may take its time: the caps decide, not the clock


def distinct_files(files: FakeFileHost, first: int, count: int) -> list[dict[str, object]]:
    """Different bytes each (a PNG header and `size` bytes), so each is a file of its own."""
    return [file_attachment(files.url(f"/sized/{100 + n}"), f"bilag-{n}.png") for n in range(first, first + count)]


def files_from(apps: Instances, first: int, count: int, *, locale: str = "da-DK") -> dict[str, object]:
    """A message of `count` distinct files, numbered from `first`."""
    return activity(apps.url, attachments=distinct_files(apps.files, first, count), locale=locale)


def refused_then_files(apps: Instances, first: int, count: int) -> dict[str, object]:
    """A message of a file its download refuses (it declares a size over the limit), then `count` good ones."""
    too_big = file_attachment(apps.files.url("/oversize/declared"), "for-stor.png")
    return activity(apps.url, attachments=[too_big, *distinct_files(apps.files, first, count)])


async def draft_holding(apps: Instances, count: int) -> None:
    """A report on A whose draft holds `count` files, sent ten a message (the per-message cap)."""
    await start_report(apps.a, apps.connector)
    for first in range(0, count, 10):
        await post(apps.a, files_from(apps, first, min(10, count - first)))


async def case_taking_evidence(apps: Instances, added: tuple[int, int]) -> Case:
    """A case submitted on A with 6 files, "add evidence" opened on B, then two messages of
    `added` files sent to A (a person's pace between the turns: the fake connector throttles
    like Teams)."""
    a, b, url = apps.a, apps.b, apps.url
    await start_report(a, apps.connector)
    await post(a, files_from(apps, 0, 6))
    await post(a, activity(url, text="færdig"))
    await post(a, activity(url, value={"verb": "review_submit"}))
    [case] = await runtime_of(a).cases.reported_by(EMPLOYEE)
    await asyncio.sleep(2.1)
    await post(b, activity(url, value={"verb": "add_evidence", "case_id": case.id}))
    for first, count in zip((10, 20), added, strict=True):
        await post(a, files_from(apps, first, count))
    await asyncio.sleep(2.1)
    return case


def told_no_room(answers: list[str], not_fetched: int) -> str:
    """The one answer (in English, to B) that says how many files found no room; returned whole."""
    [answer] = [a for a in answers if a.startswith("A case")]
    assert answer.startswith(
        f"A case can hold at most 30 files. {not_fetched} file(s) were not fetched because there is no room for more."
    )
    return answer


async def test_32_attachments_get_a_clear_answer_and_at_most_the_cap_is_fetched(tmp_path: Path) -> None:
    async with instances(tmp_path, count=1) as apps:
        await start_report(apps.a, apps.connector)
        before = len(apps.shown())
        assert await post(apps.a, files_from(apps, 0, 32)) in (200, 201)
        answers = apps.shown()[before:]
        assert len(answers) == 1  # one answer per message: Teams throttles a bot's 8th message a second
        assert "højst 10 filer fra én besked. 22 fil(er) blev ikke hentet" in answers[0]
        assert answers[0].count("Modtaget") == 10
        assert len(apps.files.seen) == 10  # the other 22 were never requested
        draft = await draft_of(apps.store)
        assert draft is not None and len(draft["evidence"]) == 10
        assert len(await apps.store.list(f"evidence/{draft['case_id']}/")) == 10


async def test_a_full_draft_refuses_the_next_files_before_downloading_them(tmp_path: Path) -> None:
    async with instances(tmp_path, count=1, **ROOMY) as apps:
        await draft_holding(apps, 30)
        assert len(apps.files.seen) == 30
        before = len(apps.shown())
        await post(apps.a, files_from(apps, 30, 3))
        answers = apps.shown()[before:]
        assert answers == [
            "En sag kan rumme højst 30 filer. 3 fil(er) blev ikke hentet, fordi der ikke er plads til flere."
        ]
        assert len(apps.files.seen) == 30  # nothing more was downloaded
        draft = await draft_of(apps.store)
        assert draft is not None and len(draft["evidence"]) == 30


async def test_two_instances_cannot_both_fill_the_last_places(tmp_path: Path) -> None:
    """Room is reserved on the draft before the download, so messages on two instances at once
    share the room instead of each seeing it free."""
    async with instances(tmp_path, **ROOMY) as apps:
        await draft_holding(apps, 25)
        await asyncio.gather(post(apps.a, files_from(apps, 40, 4)), post(apps.b, files_from(apps, 50, 4)))
        draft = await draft_of(apps.store)
        assert draft is not None and len(draft["evidence"]) == 30
        assert len(apps.files.seen) == 30


async def test_a_submitted_case_shares_its_last_places_between_two_instances(tmp_path: Path) -> None:
    """ "Add evidence" reserves room in the case document before downloading, like the draft."""
    async with instances(tmp_path, **ROOMY) as apps:
        case = await case_taking_evidence(apps, added=(10, 10))
        await asyncio.gather(post(apps.a, files_from(apps, 40, 4)), post(apps.b, files_from(apps, 50, 4)))
        stored = await runtime_of(apps.a).cases.get(case.id)
        assert len(stored.case.evidence) == 30
        assert len(apps.files.seen) == 30  # the 4 surplus files were never fetched
        assert len(await apps.store.list(f"evidence/{case.id}/")) == 30
        assert stored.intake == {}  # every reservation released


async def test_a_message_half_recorded_leaves_its_recorded_files_counted_once(tmp_path: Path) -> None:
    """Two instances, a draft with 25 of 30 places used. Instance A's message of 4 files has
    reserved its places and recorded its first file (26 on the draft); before it records the
    second, instance B's message of 4 asks for room. Used are 26 recorded + 3 still coming for A:
    1 place is free, and B must get it. (A reservation that still counted A's recorded file, 26 + 4,
    refused all 4 of B's files "because there is no room", and the case kept 29: the race the
    random wait after a lost ETag race made likely, forced here at the storage boundary.)"""

    def hold(name: str, data: Mapping[str, Any]) -> bool:
        return name.startswith("drafts/") and len(data.get("evidence", [])) == 27

    async with instances(tmp_path, hold=hold, **ROOMY) as apps:
        await draft_holding(apps, 25)
        before = len(apps.shown())

        async def meanwhile() -> None:  # A: 1 of its 4 files recorded, 3 to come
            draft = await draft_of(apps.store)
            assert draft is not None and len(draft["evidence"]) == 26
            await post(apps.b, files_from(apps, 50, 4, locale="en-US"))

        await apps.while_held(files_from(apps, 40, 4), meanwhile)
        answers = apps.shown()[before:]
        draft = await draft_of(apps.store)
        assert draft is not None and len(draft["evidence"]) == 30
        assert draft["pending"] == {}  # every reservation released
        assert len(apps.files.seen) == 30  # B's 3 surplus files were never fetched
        kept = {e["original_name"] for e in draft["evidence"]}
        assert kept == {f"bilag-{n}.png" for n in (*range(25), 40, 41, 42, 43, 50)}
        assert "Received: bilag-50.png" in told_no_room(answers, 3)
        [to_a] = [a for a in answers if "bilag-40" in a]
        assert to_a.count("Modtaget") == 4


async def test_a_message_half_added_to_a_case_leaves_its_added_files_counted_once(tmp_path: Path) -> None:
    """The same moment on a submitted case ("Mine sager -> tilføj dokumentation"): 25 of 30 on the
    case, A's message of 4 has added its first file when B's message of 4 asks for room: 1 is free."""

    def hold(name: str, data: Mapping[str, Any]) -> bool:
        return name.startswith("cases/") and len(data["case"]["evidence"]) == 27

    async with instances(tmp_path, hold=hold, **ROOMY) as apps:
        case = await case_taking_evidence(apps, added=(10, 9))
        before = len(apps.shown())

        async def meanwhile() -> None:  # A: 1 of its 4 files added, 3 to come
            assert len((await runtime_of(apps.b).cases.get(case.id)).case.evidence) == 26
            await post(apps.b, files_from(apps, 50, 4, locale="en-US"))

        await apps.while_held(files_from(apps, 40, 4), meanwhile)
        answers = apps.shown()[before:]
        assert "Received: bilag-50.png" in told_no_room(answers, 3)
        stored = await runtime_of(apps.a).cases.get(case.id)
        assert len(stored.case.evidence) == 30
        assert stored.intake == {}  # every reservation released
        assert len(apps.files.seen) == 30
        assert len(await apps.store.list(f"evidence/{case.id}/")) == 30


async def test_a_file_refused_by_its_download_frees_its_place_at_once(tmp_path: Path) -> None:
    """A draft with 25 of 30 places used. Instance A's message of 4 files reserves 4 places; its
    first file is refused by its download (too big) and its second is held before it is recorded.
    Instance B's message of 4 asks for room then: used are 25 + 3 still coming for A, so 2 places
    are free and B must get both. (Was: the refused file kept its place until A's message ended,
    B got 1 and was told "no room" for 3 although a place was free; the draft ended with 29.)"""

    def hold(name: str, data: Mapping[str, Any]) -> bool:
        return name.startswith("drafts/") and len(data.get("evidence", [])) == 26

    async with instances(tmp_path, hold=hold, **ROOMY) as apps:
        await draft_holding(apps, 25)
        before = len(apps.shown())

        async def meanwhile() -> None:  # A: 1 refused, its 2nd file about to be recorded
            draft = await draft_of(apps.store)
            assert draft is not None and len(draft["evidence"]) == 25
            assert [p["n"] for p in draft["pending"].values()] == [3]  # the refused file's place is free
            await post(apps.b, files_from(apps, 50, 4, locale="en-US"))

        await apps.while_held(refused_then_files(apps, 40, 3), meanwhile)
        answers = apps.shown()[before:]
        draft = await draft_of(apps.store)
        assert draft is not None and len(draft["evidence"]) == 30
        assert draft["pending"] == {}
        to_b = told_no_room(answers, 2)
        assert "Received: bilag-50.png" in to_b and "Received: bilag-51.png" in to_b
        [to_a] = [a for a in answers if "bilag-40" in a]
        assert to_a.count("Modtaget") == 3 and "for-stor.png" not in to_a.split("Modtaget")[-1]


async def test_a_file_refused_by_its_download_frees_its_place_on_a_case_at_once(tmp_path: Path) -> None:
    """The same moment on a submitted case ("Mine sager -> tilføj dokumentation"): 25 of 30 on the
    case, A's message of 4 has had its first file refused by the download when B's message of 4
    asks for room: 2 are free."""

    def hold(name: str, data: Mapping[str, Any]) -> bool:
        return name.startswith("cases/") and len(data["case"]["evidence"]) == 26

    async with instances(tmp_path, hold=hold, **ROOMY) as apps:
        case = await case_taking_evidence(apps, added=(10, 9))
        before = len(apps.shown())

        async def meanwhile() -> None:  # A: 1 refused, its 2nd file about to be added
            stored = await runtime_of(apps.b).cases.get(case.id)
            assert len(stored.case.evidence) == 25 and [p["n"] for p in stored.intake.values()] == [3]
            await post(apps.b, files_from(apps, 50, 4, locale="en-US"))

        await apps.while_held(refused_then_files(apps, 40, 3), meanwhile)
        told_no_room(apps.shown()[before:], 2)
        stored = await runtime_of(apps.a).cases.get(case.id)
        assert len(stored.case.evidence) == 30
        assert stored.intake == {}
        assert len(await apps.store.list(f"evidence/{case.id}/")) == 30
