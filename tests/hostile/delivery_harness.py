"""Harness for the delivery tests: the running app over HTTP, as an unlucky user meets it.

Activities are posted to /api/messages; replies and proactive messages are caught by the fake
connector; HR's group lives in the fake Graph.

Built through `create_app` (the production door) with fakes of the real boundaries only: the
Bot Framework connector, Microsoft Graph and Entra (https), a file host, a hand clock.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from app import RUNTIME, Overrides, Runtime
from bot.directory import ChainedDirectory, Directory, FileDirectory, GraphDirectory, MsalTokenProvider
from bot.hosting.settings import Settings
from bot.storage.store import Store
from tests.app_client import AppClient
from tests.bot.chat import said
from tests.bot.test_report_dialog import GOOD_FORM
from tests.conftest import running_app
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.graph import CLIENT_ID, CLIENT_SECRET, TENANT, FakeGraph, RunningFake

EMPLOYEE = "00000000-0000-0000-0000-00000000e001"
LEADER = "00000000-0000-0000-0000-00000000a001"
NEWCOMER = "00000000-0000-0000-0000-00000000e002"  # in no directory: nobody knows their leader
HR_GROUP = "90000000-0000-4000-8000-0000000000a1"
HR_PEOPLE = [f"70000000-0000-4000-8000-00000000000{i}" for i in range(3)]

DIRECTORY_CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},Mette Medarbejder,{LEADER},Lene Leder,,,Borgerservice,false\n"
)


async def _no_wait(_seconds: float) -> None:
    """Back-off and Retry-After without the wait; what was asked is recorded by the fakes."""


@dataclass
class Waits:
    """An injected sleep that records every wait and moves the hand clock by it."""

    clock: FakeClock
    asked: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.clock.advance(seconds=seconds)


@dataclass
class HostileApp:
    client: AppClient
    connector: FakeConnector
    clock: FakeClock
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def runtime(self) -> Runtime:
        return self.client.app[RUNTIME]

    async def say(
        self,
        user: str,
        text: str | None = None,
        *,
        value: dict[str, Any] | None = None,
        locale: str = "da-DK",
        name: str = "Medarbejder",
    ) -> int:
        """One message from `user` in their personal chat; returns the HTTP status."""
        body: dict[str, Any] = {
            "type": "message",
            "id": f"act-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "locale": locale,
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": name},
            "recipient": {"id": "28:bot", "name": "Bot"},
            "conversation": {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": TENANT},
        }
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        response = await self.client.post("/api/messages", json=body)
        return response.status

    async def click(self, user: str, data: dict[str, Any], *, verb: str = "decide") -> tuple[int, Any]:
        """An Action.Execute click on a case card (the `adaptiveCard/action` invoke): status, body."""
        body = {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "id": f"act-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "locale": "da-DK",
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": "Leder"},
            "recipient": {"id": "28:bot", "name": "Bot"},
            "conversation": {"id": f"a:chat-{user}", "conversationType": "personal", "tenantId": TENANT},
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        }
        response = await self.client.post("/api/messages", json=body)
        answer = await response.json() if response.content_type == "application/json" else None
        await self.settle()
        return response.status, answer

    async def report(
        self, user: str, *, locale: str = "da-DK", leader: str | None = None, before_submit: Any = None
    ) -> str:
        """A whole report over HTTP; `leader` is the review's choice ("unknown" = send it to HR)."""
        for text in ("rapportér", None, "færdig"):
            value = GOOD_FORM if text is None else None
            assert await self.say(user, text, value=value, locale=locale) in (200, 201)
        if before_submit is not None:
            before_submit()
        submit = {"verb": "review_submit", **({"leader": leader} if leader else {})}
        assert await self.say(user, value=submit, locale=locale) in (200, 201)
        await self.settle()
        [case] = await self.runtime.cases.reported_by(user)
        return case.id

    async def settle(self) -> None:
        """Let the background work of the last turns finish (deliveries after a submit or a click)."""
        await self.runtime.background.drain()

    async def tick(self) -> bool:
        ticked = await self.runtime.scheduler.tick()
        await self.settle()
        return ticked

    def said_to(self, user: str) -> list[str]:
        """Everything the bot posted into the user's personal chat (theirs, or one it opened)."""
        chats = {f"a:chat-{user}", self.connector.opened.get(user, "-")}
        return [said(m.activity) for m in self.connector.messages() if m.conversation_id in chats]


@asynccontextmanager
async def graph_directory(
    fake: RunningFake, clock: FakeClock, data: Path, sleep: Any = _no_wait, csv: str = DIRECTORY_CSV
) -> AsyncIterator[Directory]:
    """Graph (HR's group, TTL on the hand clock) chained before the leader file, as production chains them."""
    tokens = MsalTokenProvider(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_credential=CLIENT_SECRET,
        authority_host=fake.base_url,
        verify=str(fake.ca_file),
    )
    (data / "leaders.csv").write_text(csv, encoding="utf-8")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=fake.client_ssl())) as session:
        graph = GraphDirectory(
            session,
            tokens,
            base_url=fake.base_url,
            sleep=sleep,
            timeout=0.5,
            max_attempts=2,
            clock=lambda: clock.now().timestamp(),
        )
        yield ChainedDirectory([graph, await FileDirectory.open(data / "leaders.csv")])
    await tokens.aclose()


@asynccontextmanager
async def hostile_app(
    settings: Settings,
    store: Store,
    connector: FakeConnector,
    clock: FakeClock,
    directory: Directory,
    *,
    sleep: Any = _no_wait,
    limiter: Any = None,
) -> AsyncIterator[HostileApp]:
    overrides = Overrides(
        store=store, directory=directory, clock=clock, sleep=sleep, limiter=limiter, run_scheduler=False
    )
    async with running_app(settings, overrides=overrides) as client:
        yield HostileApp(client, connector, clock)


def fake_graph_with_hr(members: list[str]) -> FakeGraph:
    graph = FakeGraph(page_size=2)
    graph.groups[HR_GROUP] = list(members)
    return graph


async def file_directory(folder: Path) -> Directory:
    """The leader file only (no Graph): EMPLOYEE's leader is LEADER."""
    (folder / "leaders.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
    return await FileDirectory.open(folder / "leaders.csv")
