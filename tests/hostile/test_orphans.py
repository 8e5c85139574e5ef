"""Nothing orphaned: a draft's files go with the draft, refused files are never fetched, and no
temporary file of a download outlives it (not even after a crash).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TypedDict

from bot.guideline.model import CaseStatus
from bot.repositories.cases import CaseDoc
from bot.storage.local import LocalStore
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
from tests.hostile.conftest import (
    EMPLOYEE,
    GOOD_FORM,
    activity,
    draft_of,
    file_attachment,
    post,
    running,
    runtime_of,
    settings_for,
    settle,
    shown,
    start_report,
)

STRANGER = "00000000-0000-0000-0000-00000000f001"


class Sender(TypedDict):  # who a message is from, as `activity` takes it by name
    user: str
    conversation: str


def shots(files: FakeFileHost, *names: str) -> list[dict[str, object]]:
    return [file_attachment(files.url(f"/files/{n}"), n) for n in names]


async def states_holding(store: LocalStore, text: str) -> list[str]:
    found = []
    for name in await store.list("state/"):
        doc = await store.get(name)
        if doc is not None and text in str(doc.data):
            found.append(name)
    return found


async def test_a_cancelled_draft_takes_its_files_with_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url("")), store) as app,
    ):
        url = connector.service_url
        await start_report(app, connector)
        await post(app, activity(url, attachments=shots(files, "shot.png", "photo.jpg")))
        draft = await draft_of(store)
        assert draft is not None and len(await store.list(f"evidence/{draft['case_id']}/")) == 2
        await post(app, activity(url, text="afbryd"))
        assert "afbrudt" in shown(connector)[-1]
        assert await store.list(f"evidence/{draft['case_id']}/") == []
        assert await draft_of(store) is None
        assert await states_holding(store, GOOD_FORM["description"]) == []
    await store.close()


async def test_a_file_still_downloading_when_the_draft_is_cancelled_is_not_kept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost(slow_seconds=1.0) as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="100")
        async with running(settings, store) as app:
            url = connector.service_url
            await start_report(app, connector)
            draft = await draft_of(store)
            assert draft is not None
            await post(app, activity(url, attachments=[file_attachment(files.url("/slow/headers"), "sen.png")]))
            await post(app, activity(url, text="afbryd"))
            await settle(app)
            assert "indberetningen, den hørte til, er afbrudt" in shown(connector)[-1]
            assert await store.list(f"evidence/{draft['case_id']}/") == []
            assert await draft_of(store) is None
    await store.close()


async def test_an_expired_draft_takes_its_files_and_its_description_with_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    clock = FakeClock()
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url("")), store, clock=clock) as app,
    ):
        url = connector.service_url
        await start_report(app, connector)
        await post(app, activity(url, attachments=shots(files, "shot.png")))
        draft = await draft_of(store)
        assert draft is not None
        assert await states_holding(store, GOOD_FORM["description"]) != []
        clock.advance(hours=73)  # past the 72 h time-to-live
        await runtime_of(app).scheduler.tick()
        assert await store.list(f"evidence/{draft['case_id']}/") == []
        assert await draft_of(store) is None
        assert await states_holding(store, GOOD_FORM["description"]) == []
    await store.close()


async def submitted_case(app: object, connector: FakeConnector, files: FakeFileHost) -> str:
    url = connector.service_url
    await start_report(app, connector)  # type: ignore[arg-type]
    await post(app, activity(url, attachments=shots(files, "shot.png")))  # type: ignore[arg-type]
    await post(app, activity(url, text="færdig"))  # type: ignore[arg-type]
    await post(app, activity(url, value={"verb": "review_submit"}))  # type: ignore[arg-type]
    [case] = await runtime_of(app).cases.reported_by(EMPLOYEE)  # type: ignore[arg-type]
    return case.id


async def test_evidence_for_a_closed_case_or_from_a_stranger_is_refused_before_download(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url("")), store) as app,
    ):
        url = connector.service_url
        case_id = await submitted_case(app, connector, files)
        downloads = len(files.seen)

        # A stranger forges the "add evidence" button with the case id, then sends a file.
        stranger: Sender = {"user": STRANGER, "conversation": "a:stranger-chat"}
        await post(app, activity(url, value={"verb": "add_evidence", "case_id": case_id}, **stranger))
        assert "ikke adgang" in shown(connector, "a:stranger-chat")[-1]
        await post(app, activity(url, attachments=shots(files, "photo.jpg"), **stranger))
        assert len(files.seen) == downloads

        # The reporter opens "add evidence"; the case is closed before the file arrives.
        await asyncio.sleep(2.1)  # a person's pace: the fake connector throttles like Teams (8 per 2 s)
        await post(app, activity(url, value={"verb": "add_evidence", "case_id": case_id}))

        def close(doc: CaseDoc) -> tuple[CaseDoc, None]:
            return replace(doc, case=replace(doc.case, status=CaseStatus.CLOSED)), None

        await runtime_of(app).cases.change(case_id, close)
        await post(app, activity(url, attachments=shots(files, "photo.jpg")))
        assert "Sagen er afsluttet" in shown(connector)[-1]
        assert len(files.seen) == downloads  # refused before any download
        assert len(await store.list(f"evidence/{case_id}/")) == 1
        await post(app, activity(url, text="færdig"))
        await post(app, activity(url, value={"verb": "add_evidence", "case_id": case_id}))
        assert "Sagen er afsluttet" in shown(connector)[-1]  # and "add evidence" no longer opens
    await store.close()


async def test_no_temporary_file_outlives_a_download_and_a_crash_leaves_none_behind(tmp_path: Path) -> None:
    """Downloads stream into the store's own temp folder; a crash's leftovers go at start-up."""
    staging = tmp_path / "data" / ".tmp"
    staging.mkdir(parents=True)
    crashed = staging / "left-by-a-crash"
    crashed.write_bytes(b"\x89PNG half a file")
    hour_ago = time.time() - 3600
    os.utime(crashed, (hour_ago, hour_ago))
    fresh = staging / "another-instance-is-downloading"  # young: may be in use
    fresh.write_bytes(b"\x89PNG")
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_MAX_BYTES="4096")
        async with running(settings, store) as app:
            assert [p.name for p in staging.iterdir()] == [fresh.name]
            url = connector.service_url
            await start_report(app, connector)
            refused = [
                file_attachment(files.url("/files/notes.png"), "tekst.png"),  # text behind a .png name
                file_attachment(files.url("/sized/100000"), "stor.png"),  # over 4 KB
                file_attachment(files.url("/oversize/chunked/100000"), "stor2.png"),  # no length given
                file_attachment(files.url("/error/500"), "fejl.png"),
                file_attachment(files.url("/files/shot.png"), "god.png"),
            ]
            await post(app, activity(url, attachments=refused))
            await settle(app)
            assert shown(connector)[-1].count("ikke gemt") == 4
            assert "Modtaget: god.png" in shown(connector)[-1]
            # The limit said is the configured one (EVIDENCE_MAX_BYTES), not "25 MB" nor "0 MB".
            assert shown(connector)[-1].count("højst 4 KB") == 2
            assert [p.name for p in staging.iterdir()] == [fresh.name]
    await store.close()


async def test_a_draft_that_only_received_files_lately_is_not_expired(tmp_path: Path) -> None:
    """Files leave the dialog state alone, so the draft's age is read from the draft document too."""
    store = LocalStore(tmp_path / "data")
    clock = FakeClock()
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url("")), store, clock=clock) as app,
    ):
        url = connector.service_url
        await start_report(app, connector)
        clock.advance(hours=50)
        await post(app, activity(url, attachments=shots(files, "shot.png")))
        clock.advance(hours=50)  # 100 h after the form, 50 h after the file
        await runtime_of(app).scheduler.tick()
        await post(app, activity(url, text="færdig"))
        assert "Gennemse" in shown(connector)[-1] and "shot.png" in shown(connector)[-1]
    await store.close()
