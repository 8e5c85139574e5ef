"""Two clicks at the same moment on one card, each taken by an instance of its own (or two turns
of one instance): both read the same dialog state, both move it on, and the later write finds the
state moved (its ETag is stale). That is a normal double click, not a fault: the clicker must not
get the generic apology ("noget gik galt"), but a clear answer in their language that nothing was
lost and where to go on from, and the report must go on as if clicked once.

The interleaving is forced at the storage boundary: instance A's state write is held until B's
click has been answered (tests/fakes/held_store.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage import names
from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
from tests.fakes.held_store import HeldStore
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


@pytest.mark.parametrize(
    ("locale", "expected", "apology"),
    [
        ("da-DK", "Du trykkede to gange på samme tid", "gik galt"),
        ("en-US", "You clicked twice at the same moment", "went wrong"),
    ],
)
async def test_a_double_click_on_two_instances_gets_a_clear_answer_and_the_report_goes_on(
    tmp_path: Path, locale: str, expected: str, apology: str
) -> None:
    store = LocalStore(tmp_path / "data")
    hold_state = [False]
    held = HeldStore(store, lambda name, _data: hold_state[0] and name.startswith(f"{names.STATE}/"))
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""))
        async with running(settings, held) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            shot = [file_attachment(files.url("/files/shot.png"), "shot.png")]
            assert await post(a, activity(url, attachments=shot, locale=locale)) in (200, 201)
            before = len(shown(connector))
            hold_state[0] = True
            click = {"verb": "evidence_done"}
            first = asyncio.create_task(post(a, activity(url, value=click, locale=locale)))
            try:
                await asyncio.wait_for(held.holding.wait(), 10)  # A moved the state on, not yet written
                assert await post(b, activity(url, value=click, locale=locale)) in (200, 201)
            finally:
                held.release.set()
            assert await first in (200, 201)
            answers = shown(connector)[before:]
            assert not any(apology in a for a in answers), answers
            [told] = [a for a in answers if expected in a]
            assert "shot.png" not in told  # a short answer; the review card is above it
            assert await post(b, activity(url, value={"verb": "review_submit"}, locale=locale)) in (200, 201)
            [case] = await runtime_of(b).cases.reported_by(EMPLOYEE)
            assert [e.original_name for e in case.evidence] == ["shot.png"]
    await store.close()
