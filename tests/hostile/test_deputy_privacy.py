"""A deputy cannot read or act on a case while the leader is present: the running app over HTTP.

The app is built through its one door (`create_app`) on a real local store, the leader directory
file, a fake Bot Connector and a hand clock. The employee reports a case; the deputy (named in the
directory, so a plausible insider) then tries every door into it with the real case id: the card
refresh Teams sends, opening it from a list, the history, the evidence list, acknowledging it and
deciding a step. Every answer is searched for the case's content, nothing is posted to the deputy,
and the stored case and its audit trail are unchanged. Once the acknowledgement deadline passes,
the same deputy is let in: the refusals were about the leader being present, not a broken door.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import RUNTIME, Overrides, Runtime, create_app
from bot.directory import FileDirectory
from bot.settings import Settings
from bot.storage.local import LocalStore
from tests.bot.chat import all_text, said
from tests.bot.conftest import DEPUTY, DIRECTORY_CSV, EMPLOYEE, HR, LEADER
from tests.bot.test_report_dialog import GOOD_FORM
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector

TENANT = "tenant"
UNTHROTTLED: tuple[tuple[int, float], ...] = ((1_000_000, 1.0),)


class App:
    def __init__(self, client: TestClient, connector: FakeConnector, store: LocalStore, clock: FakeClock) -> None:
        self.client, self.connector, self.store, self.clock = client, connector, store, clock
        self.ids = itertools.count(1)

    @property
    def runtime(self) -> Runtime:
        return self.client.app[RUNTIME]

    def activity(self, user: str, display_name: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": "message",
            "id": f"act-{next(self.ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "locale": "da-DK",
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": display_name},
            "recipient": {"id": "28:bot", "name": "Bot"},
            "conversation": {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(self, body: dict[str, Any]) -> tuple[int, Any]:
        response = await self.client.post("/api/messages", json=body)
        answer = await response.json() if response.content_type == "application/json" else None
        await self.runtime.background.drain()
        return response.status, answer

    async def click(self, user: str, name: str, verb: str, data: dict[str, Any]) -> tuple[int, str]:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        status, answer = await self.post(
            self.activity(user, name, type="invoke", name="adaptiveCard/action", value=value)
        )
        return status, all_text(answer["value"]) if isinstance(answer, dict) else ""

    def sent_to(self, user: str) -> list[dict[str, Any]]:
        """What reached this person: in their chat, or in a chat the bot opened with them."""
        opened = any(user in str(body) for body in self.connector.created)
        return [
            m.activity
            for m in self.connector.messages()
            if m.conversation_id == f"a:chat-{user}" or (opened and user in str(m.activity))
        ]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    (tmp_path / "leaders.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "HR_AAD_OBJECT_IDS": HR})
    store = LocalStore(tmp_path / "data")
    clock = FakeClock()  # Tuesday 22:55 in Copenhagen: the acknowledgement is due Wednesday 10:00
    async with FakeConnector(conversation_windows=UNTHROTTLED, app_windows=UNTHROTTLED) as connector:
        overrides = Overrides(
            store=store,
            directory=await FileDirectory.open(tmp_path / "leaders.csv"),
            clock=clock,
            sleep=_no_wait,
            run_scheduler=False,
        )
        client = TestClient(TestServer(create_app(settings, overrides=overrides), host="127.0.0.1"))
        await client.start_server()
        try:
            yield App(client, connector, store, clock)
        finally:
            await client.close()
    await store.close()


async def _no_wait(_seconds: float) -> None:
    """The sender's back-off, without the wait."""


async def report(app: App) -> str:
    for fields in (
        {"text": "rapportér"},
        {"value": GOOD_FORM},
        {"text": "færdig"},
        {"value": {"verb": "review_submit"}},
    ):
        status, _ = await app.post(app.activity(EMPLOYEE, "Mette Medarbejder", **fields))
        assert status in (200, 201)
    [case] = await app.runtime.cases.reported_by(EMPLOYEE)
    return case.id


async def test_a_deputy_cannot_read_or_act_on_a_case_while_the_leader_is_present(app: App) -> None:
    case_id = await report(app)
    secrets = ["Han skrev", "Sandhedsvidne", "facebook.com/p/1", "KH-2026-0001", "Mette"]
    leader_cards = [a for a in app.sent_to(LEADER) if "Ny sag til dig" in said(a)]
    assert len(leader_cards) == 1
    assert DEPUTY not in str(leader_cards[0]["attachments"][0]["content"]["refresh"]["userIds"])
    before = (await app.runtime.cases.get(case_id)).case
    audit_before = await app.store.read_audit(case_id)

    attempts = [
        ("refresh_case", {"case_id": case_id}),
        ("open_case", {"case_id": case_id}),
        ("hr_open_case", {"case_id": case_id}),
        ("history", {"case_id": case_id}),
        ("evidence_list", {"case_id": case_id}),
        ("evidence_pack", {"case_id": case_id}),
        ("decide", {"case_id": case_id, "action": "acknowledge"}),
        ("decide", {"case_id": case_id, "action": "removal_removed"}),
        ("decide", {"case_id": case_id, "action": "citizen_contacted", "citizen_note": "Ringet"}),
        ("decide", {"case_id": case_id, "action": "close"}),
    ]
    for verb, data in attempts:
        status, shown = await app.click(DEPUTY, "Dorte Stedfortræder", verb, data)
        assert status == 200, verb
        assert "Ingen adgang" in shown, verb
        assert not [s for s in secrets if s in shown], verb
    status, _ = await app.post(app.activity(DEPUTY, "Dorte Stedfortræder", text="mine sager"))
    assert status in (200, 201)
    told = "\n".join(said(a) for a in app.sent_to(DEPUTY))
    assert not [s for s in secrets if s in told]  # nothing about the case ever reached the deputy
    assert (await app.runtime.cases.get(case_id)).case == before
    assert await app.store.read_audit(case_id) == audit_before
    assert await app.store.list(f"packs/{case_id}/") == []  # no evidence pack was built for the deputy

    # The same doors open once the leader has not acknowledged in time.
    app.clock.advance(hours=11, minutes=6)  # Wednesday 10:01
    assert app.clock.now() - before.created_at > timedelta(hours=11)
    await app.runtime.scheduler.tick()
    assert any("inddraget som stedfortræder" in said(a) for a in app.sent_to(DEPUTY))
    status, shown = await app.click(DEPUTY, "Dorte Stedfortræder", "refresh_case", {"case_id": case_id})
    assert status == 200 and "Han skrev" in shown
