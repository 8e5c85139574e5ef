"""A slow file host must not hold the turn past Teams' 15 s, and Teams' re-send is taken once.

The fake host answers /slow/headers only after `slow_seconds`; the turn budget is 300 ms here
(5 s in production). The turn answers "receiving" at once, the file is stored in the background
and the answer comes as a proactive message. Teams re-sends an activity whose turn ran long: the
same activity id, even on the other instance, is recognised and not processed again.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.storage.local import LocalStore
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
from tests.hostile.conftest import (
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


async def test_a_slow_download_answers_at_once_and_posts_the_result_later(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost(slow_seconds=2.0) as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="300")
        async with running(settings, store) as a, running(settings, store) as b:
            url = connector.service_url
            await start_report(a, connector)
            slow = activity(url, attachments=[file_attachment(files.url("/slow/headers"), "langsom.png")])
            started = time.monotonic()
            assert await post(a, slow) in (200, 201)
            took = time.monotonic() - started
            assert took < 1.5, f"the turn waited {took:.1f} s for the download"
            assert "Jeg henter 1 fil(er) nu" in shown(connector)[-1]

            # Teams re-sends the same activity (its turn looked slow), this time to instance B.
            assert await post(b, slow) in (200, 201)
            assert await post(a, slow) in (200, 201)
            # Sending the report while the file is still coming is refused, kindly.
            assert await post(b, activity(url, text="færdig")) in (200, 201)
            assert await post(b, activity(url, value={"verb": "review_submit"})) in (200, 201)
            assert "Jeg er ved at hente filer" in shown(connector)[-1]

            await settle(a, b)
            answers = shown(connector)
            assert sum("Modtaget: langsom.png" in t for t in answers) == 1, answers
            assert [s.path for s in files.seen].count("/slow/headers") == 1  # downloaded once
            draft = await draft_of(store)
            assert draft is not None and [e["original_name"] for e in draft["evidence"]] == ["langsom.png"]
            assert draft["pending"] == {}

            before = len(shown(connector))
            assert await post(a, activity(url, value={"verb": "review_submit"})) in (200, 201)
            # The receipt, not necessarily last: the reporter's case card may be posted after it.
            assert any("1 fil(er)" in text for text in shown(connector)[before:])
    await store.close()


async def test_a_fast_download_is_answered_in_the_turn(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""), EVIDENCE_TURN_BUDGET_MS="3000")
        async with running(settings, store) as app:
            url = connector.service_url
            await start_report(app, connector)
            before = len(shown(connector))
            await post(app, activity(url, attachments=[file_attachment(files.url("/files/shot.png"), "shot.png")]))
            answers = shown(connector)[before:]
            assert len(answers) == 1 and "Modtaget: shot.png" in answers[0]  # no "receiving" first
            assert [m.reply_to_id for m in connector.messages()][-1] is not None  # a reply in the turn
    await store.close()


async def test_a_burst_of_messages_is_taken_and_the_claims_do_not_pile_up(tmp_path: Path) -> None:
    """Messages with files at once: every one answered (the claims are create-only, one each, so
    they never contend), and the claims are deleted after an hour by the scheduler. Six at once:
    more would meet Teams' 7-a-second limit on the replies, which is another story."""
    store = LocalStore(tmp_path / "data")
    clock = FakeClock()
    async with FakeConnector() as connector, FakeFileHost() as files:
        settings = settings_for(tmp_path, files.url(""))
        async with running(settings, store, clock=clock) as app:
            url = connector.service_url
            shot = [file_attachment(files.url("/files/shot.png"), "shot.png")]
            statuses = await asyncio.gather(*(post(app, activity(url, attachments=shot)) for _ in range(6)))
            assert set(statuses) <= {200, 201}
            assert not any("gik galt" in t for t in shown(connector))
            assert len(await store.list("seen/")) == 6
            clock.advance(minutes=59)
            await runtime_of(app).scheduler.tick()
            assert len(await store.list("seen/")) == 6  # a re-send within the hour is still caught
            clock.advance(minutes=2)
            await runtime_of(app).scheduler.tick()
            assert await store.list("seen/") == []
    await store.close()
