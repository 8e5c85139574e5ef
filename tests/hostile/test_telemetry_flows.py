"""Telemetry on the end-to-end flows: what operators need is there, and no personal data is.

The whole app over HTTP (create_app, the production door) on Azurite (the blob store the app
builds itself from its connection string), with Graph (HR's group) behind TLS, the Bot Connector
and a file host as local fakes. It runs the main flows: an employee reports with a screenshot and
sends; the leader's card fails to arrive at first (a 429, then 503s) and is retried by the
scheduler; the leader acknowledges and decides on the card; both open "mine sager"; the leader
asks for the evidence pack and downloads it; HR lists cases, sees the MED overview and sends the
MED reminder (a registered channel and a leader's 1:1 chat); a month later the overdue steps
escalate. Every span, span event, link, status, metric point and resource attribute the exporter
would send is then read: the expected operations are there by category and route template, and
not one id, name, text, file name, conversation, URL or token is.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from app import RUNTIME, Overrides, Runtime
from bot.hosting.settings import Settings
from tests.bot.chat import said
from tests.bot.conftest import file_attachment
from tests.bot.test_report_dialog import GOOD_FORM
from tests.conftest import running_app
from tests.fakes.azurite import azurite_async
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import GOOD_FILES, FakeFileHost, FakeHostPolicy
from tests.fakes.graph import TENANT, FakeGraph, running_fake_graph
from tests.hostile.delivery_harness import graph_directory
from tests.hostile.telemetry_capture import Exporters, everything_exported

pytestmark = pytest.mark.azurite

EMPLOYEE = "00000000-0000-0000-0000-00000000e7e1"
LEADER = "00000000-0000-0000-0000-00000000a7a1"
JOB_LEADER = "00000000-0000-0000-0000-00000000a7a2"  # never wrote to the bot: MED opens a 1:1 chat
MEMBER = "00000000-0000-0000-0000-00000000b7b1"
HR = "70000000-0000-4000-8000-0000000007c1"
HR_GROUP = "90000000-0000-4000-8000-0000000007a1"
PEOPLE = {
    EMPLOYEE: "Mette Medarbejder",
    LEADER: "Lene Leder",
    JOB_LEADER: "Jens Jobleder",
    MEMBER: "Mads Medlem",
    HR: "Hanne Personalechef",
}
UNITS = ("Borgerservice", "Jobcenter")
TEAM = "19:team-telemetri@thread.tacv2"
CHANNEL = "19:med-telemetri@thread.tacv2"
SECRET_FACTS = "Hemmelig-Beskrivelse-Z4"
SECRET_OFFENDER = "Profilen-Sandhedsvidne-Z4"
SECRET_NOTE = "Anmodet-hos-platformen-Z4"
SECRET_FILE = "Skaermbillede-af-Mette-Z4.png"
CORRELATION = "c0ffee-correlation-17"
DIRECTORY_CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},{PEOPLE[EMPLOYEE]},{LEADER},{PEOPLE[LEADER]},,,{UNITS[0]},false\n"
    f"{MEMBER},{PEOPLE[MEMBER]},{JOB_LEADER},{PEOPLE[JOB_LEADER]},,,{UNITS[1]},false\n"
)
METRIC_NAMES = (
    "http.requests",
    "cases.opened",
    "notifications.failed",
    "notifications.pending",
    "escalations",
    "med.sends",
    "connector.throttled",
    "evidence.refused",
)


@dataclass
class Flows:
    client: TestClient[Any, Any]
    connector: FakeConnector
    files: FakeFileHost
    clock: FakeClock
    graph: FakeGraph
    n: int = 0

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.client.app[RUNTIME]
        return runtime

    def activity(self, user: str, *, conversation: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        self.n += 1
        return {
            "type": "message",
            "id": f"act-{self.n}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "locale": "da-DK",
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": PEOPLE[user]},
            "recipient": {"id": "28:bot", "name": "Bot"},
            "conversation": conversation
            or {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }

    async def post(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        response = await self.client.post("/api/messages", json=body, headers=headers)
        assert response.status in (200, 201), await response.text()
        answer = await response.json() if response.content_type == "application/json" else None
        await self.runtime.background.drain()
        return answer

    async def say(self, user: str, text: str | None = None, **fields: Any) -> None:
        await self.post(self.activity(user, text=text, **fields))

    async def click(self, user: str, verb: str, data: dict[str, Any], **fields: Any) -> str:
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        answer = await self.post(self.activity(user, type="invoke", name="adaptiveCard/action", value=value, **fields))
        return str(answer)

    async def tick(self) -> None:
        await self.runtime.scheduler.tick()
        await self.runtime.background.drain()

    def said_to(self, user: str) -> str:
        chats = {f"a:chat-{user}", self.connector.opened.get(user, "-")}
        return "\n".join(said(m.activity) for m in self.connector.messages() if m.conversation_id in chats)


@asynccontextmanager
async def flows(tmp_path: Path) -> AsyncIterator[Flows]:
    graph = FakeGraph()
    graph.groups[HR_GROUP] = [HR]
    clock = FakeClock(datetime(2026, 11, 25, 9, tzinfo=UTC))  # a Wednesday in the MED period 2026-H2

    async def no_wait(_seconds: float) -> None:
        """Back-off and Retry-After without the wait."""

    async with (
        azurite_async() as connection,
        running_fake_graph(tmp_path, graph) as fake,
        graph_directory(fake, clock, tmp_path, csv=DIRECTORY_CSV) as directory,
        FakeFileHost() as files,
        FakeConnector() as connector,
    ):
        settings = Settings.from_env(
            {"DATA_DIR": str(tmp_path / "data"), "STORAGE_CONNECTION_STRING": connection, "HR_GROUP_ID": HR_GROUP}
        )
        overrides = Overrides(
            directory=directory,
            address_policy=FakeHostPolicy(files.url("/")),
            clock=clock,
            sleep=no_wait,
            run_scheduler=False,
        )
        async with running_app(settings, overrides=overrides) as client:
            yield Flows(client, connector, files, clock, graph)


async def run_the_flows(app: Flows) -> dict[str, str]:
    """Every main flow once; returns what must never be exported, found along the way."""
    found: dict[str, str] = {}
    await app.say(HR, "hjælp")
    await app.say(LEADER, "hjælp")  # the leader's chat is known: the case card goes there
    channel = {"id": CHANNEL, "conversationType": "channel", "isGroup": True, "tenantId": TENANT}
    channel_data = {"team": {"id": TEAM, "name": "Borgerservice MED"}, "channel": {"id": CHANNEL}}
    registered = await app.click(
        LEADER,
        "med_register",
        {"unit": UNITS[0], "committee": "LMU"},
        conversation=channel,
        channelData={**channel_data, "tenant": {"id": TENANT}},
    )
    assert "Borgerservice" in registered

    # The employee reports, with one screenshot and one from a host that is not allowed.
    form = dict(GOOD_FORM, description=f"{SECRET_FACTS} skrev at han ved hvor jeg bor", offender=SECRET_OFFENDER)
    app.files.custom[SECRET_FILE] = (GOOD_FILES["shot.png"][0], {"Content-Type": "image/png"})
    refused = {
        "contentType": "image/png",
        "contentUrl": f"https://files.example.net/{SECRET_FILE}",
        "name": SECRET_FILE,
    }
    await app.say(EMPLOYEE, "rapportér")
    await app.say(EMPLOYEE, value=form)
    await app.say(EMPLOYEE, attachments=[file_attachment(app.files.url(f"/custom/{SECRET_FILE}"), SECRET_FILE)])
    await app.say(EMPLOYEE, attachments=[refused])
    await app.say(EMPLOYEE, "færdig")
    # The leader's card meets a 429 and then 503s until the sender gives up; the scheduler retries.
    leader_chat = f"a:chat-{LEADER}"
    app.connector.fail_next(1, 429, conversation_id=leader_chat, retry_after=1)
    app.connector.fail_next(4, 503, conversation_id=leader_chat)
    await app.post(
        app.activity(EMPLOYEE, value={"verb": "review_submit"}), headers={"x-ms-correlation-id": CORRELATION}
    )
    [case] = await app.runtime.cases.reported_by(EMPLOYEE)
    found.update(case_id=case.id, case_number=case.number)
    assert "Ny sag til dig" not in app.said_to(LEADER)
    app.clock.advance(minutes=2)
    await app.tick()
    assert "Ny sag til dig" in app.said_to(LEADER)

    # The leader works the card; both look at their cases; the leader downloads the pack.
    assert "Gemt" in await app.click(LEADER, "decide", {"case_id": case.id, "action": "acknowledge"})
    note = {"case_id": case.id, "action": "removal_requested", "removal_note": SECRET_NOTE}
    assert "Gemt" in await app.click(LEADER, "decide", note)
    await app.say(EMPLOYEE, "mine sager")
    await app.say(LEADER, "mine sager")
    await app.click(LEADER, "evidence_pack", {"case_id": case.id})
    links = re.findall(r"https?://[^\s)\]\"]+/pack/[^\s)\]\"]+", app.said_to(LEADER))
    assert links, "the pack's links were posted to the leader"
    found["pack_link"] = links[0]
    path = links[0][links[0].index("/pack/") :]
    download = await app.client.get(path)
    assert download.status == 200
    await download.read()

    # HR: cases, the MED overview, and the MED reminder now (a channel and a 1:1 chat).
    await app.say(HR, "sager")
    await app.say(HR, "MED-overblik")
    await app.say(HR, "send MED-påmindelse")
    assert app.connector.messages(CHANNEL), "the MED channel got its reminder"
    assert JOB_LEADER in app.connector.opened, "the unit without a channel got it in its leader's chat"

    # A month later the undecided steps are overdue and escalate.
    app.clock.advance(days=30)
    await app.tick()
    for probe in ("/healthz", "/readyz"):
        await (await app.client.get(probe)).read()
    return found


async def test_the_flows_leave_what_operators_need_and_no_personal_data(tmp_path: Path, exporters: Exporters) -> None:
    before = {name: exporters.total(name) for name in METRIC_NAMES}
    async with flows(tmp_path) as app:
        found = await run_the_flows(app)
        await asyncio.sleep(0)
        service_url = app.connector.service_url
        file_host = app.files.url("/")
        tokens = list(app.graph.issued)
        conversations = {r.conversation_id for r in app.connector.activities}

    spans = exporters.finished()
    names = {s.name for s in spans}
    # Incoming requests, named by route template, with the correlation id.
    assert {"POST /api/messages", "GET /pack/{case_id}/{sha256}", "GET /readyz", "GET /healthz"} <= names
    correlated = [s for s in spans if (s.attributes or {}).get("correlation_id") == CORRELATION]
    assert [s.name for s in correlated] == ["POST /api/messages"]
    # Dependencies, by category: replies in a turn, proactive sends, Graph, the store, the file host.
    categories = {str((s.attributes or {}).get("peer.category")) for s in spans}
    assert {"bot-connector", "graph", "blob", "evidence-local"} <= categories, categories
    assert {"bot-connector reply_to_activity", "bot-connector send", "graph GET", "evidence-local GET"} <= names
    assert {"blob GET", "blob PUT"} <= names
    # The server span is the parent of what the turn called.
    turn = correlated[0]
    children = [s for s in spans if s.parent is not None and s.parent.span_id == turn.context.span_id]
    assert any(s.name.startswith("blob ") for s in children)

    # The metrics operators alert on, each moved by the flows.
    grew = {name: exporters.total(name) - before[name] for name in METRIC_NAMES if name != "notifications.pending"}
    assert all(value > 0 for value in grew.values()), grew
    assert exporters.total("cases.opened") - before["cases.opened"] == 1
    assert exporters.total("notifications.failed", kind="case_assigned") >= 1
    assert {tuple(attrs) for attrs, _ in exporters.points()["evidence.refused"]} == {("reason",)}
    assert {attrs.get("kind") for attrs, _ in exporters.points()["escalations"]} >= {"escalation"}
    assert exporters.points()["notifications.pending"], "the scheduler's tick reports what is pending"

    # And nothing personal, anywhere.
    exported = everything_exported(exporters)
    forbidden = [
        *PEOPLE,
        *PEOPLE.values(),
        *UNITS,
        TEAM,
        CHANNEL,
        SECRET_FACTS,
        SECRET_OFFENDER,
        SECRET_NOTE,
        SECRET_FILE,
        "Sandhedsvidne",
        "hvor jeg bor",
        *found.values(),
        service_url,
        file_host,
        "files.example.net",
        "devstoreaccount1",
        *tokens,
        *conversations,
    ]
    leaks = [(word, line) for line in exported for word in forbidden if word and word.lower() in line.lower()]
    assert not leaks, leaks[:20]
