"""The running app over HTTP, as an attacker or an unlucky user reaches it.

`hostile_app` builds the app through its one door (`create_app`) on a real local store, a leader
directory file, a fake Bot Connector, a fake file host and a hand clock, and serves it on
127.0.0.1. `Bot.post` sends an activity as Teams would (JSON over HTTP) and returns what the
conversation was shown: the connector's records for in-turn replies, and the invoke answer.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from app import RUNTIME, Overrides, Runtime, create_app
from bot.directory import FileDirectory
from bot.guideline.model import Case
from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from tests.app_client import AppClient
from tests.bot.chat import said
from tests.bot.conftest import DIRECTORY_CSV, EMPLOYEE, HR, file_attachment
from tests.bot.test_report_dialog import GOOD_FORM
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost, FakeHostPolicy

# The fake connector's Teams throttling is tested elsewhere; here many turns go to one chat quickly.
UNTHROTTLED: tuple[tuple[int, float], ...] = ((1_000_000, 1.0),)
TENANT = "tenant"


@dataclass
class Said:
    """What one request did: its HTTP status, the invoke answer (if any) and what was posted."""

    status: int
    body: Any
    posted: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "\n".join(said(a) for a in self.posted)


@dataclass
class Bot:
    client: AppClient
    connector: FakeConnector
    files: FakeFileHost
    store: LocalStore
    clock: FakeClock
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def runtime(self) -> Runtime:
        return self.client.app[RUNTIME]

    def activity(
        self,
        user: str = EMPLOYEE,
        *,
        text: str | None = None,
        value: Any = None,
        attachments: list[dict[str, Any]] | None = None,
        kind: str = "message",
        name: str = "Mette Medarbejder",
        conversation: dict[str, Any] | None = None,
        channel_data: dict[str, Any] | None = None,
        locale: str = "da-DK",
    ) -> dict[str, Any]:
        """A Teams activity as JSON; by default a message in the user's personal chat."""
        body: dict[str, Any] = {
            "type": kind,
            "id": f"act-{next(self.ids)}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "locale": locale,
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": name},
            "recipient": {"id": "28:bot", "name": "Bot"},
            "conversation": conversation
            or {"id": personal_chat(user), "conversationType": "personal", "tenantId": TENANT},
            "channelData": channel_data or {"tenant": {"id": TENANT}},
        }
        if text is not None:
            body["text"] = text
        if value is not None:
            body["value"] = value
        if attachments is not None:
            body["attachments"] = attachments
        return body

    async def post(self, body: Any, *, raw: bool = False, headers: dict[str, str] | None = None) -> Said:
        """POST one activity; `raw` sends `body` as given bytes/str instead of JSON."""
        before = len(self.connector.activities)
        response: ClientResponse
        if raw:
            response = await self.client.post(
                "/api/messages", data=body, headers={"Content-Type": "application/json", **(headers or {})}
            )
        else:
            response = await self.client.post("/api/messages", json=body, headers=headers)
        content = await response.read()
        answer: Any = None
        if content and response.content_type == "application/json":
            answer = await response.json()
        await self.runtime.background.drain()
        posted = [r.activity for r in self.connector.activities[before:]]
        return Said(response.status, answer, posted)

    async def say(self, user: str = EMPLOYEE, text: str | None = None, **kw: Any) -> Said:
        return await self.post(self.activity(user, text=text, **kw))

    async def click(self, user: str, verb: str, data: dict[str, Any], **kw: Any) -> Said:
        """An Action.Execute click: the `adaptiveCard/action` invoke."""
        value = {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
        return await self.post(self.activity(user, kind="invoke", value=value, **kw) | {"name": "adaptiveCard/action"})

    async def report(
        self,
        user: str = EMPLOYEE,
        form: dict[str, Any] | None = None,
        name: str = "Mette Medarbejder",
        file_name: str = "shot.png",
    ) -> Case:
        """The whole report flow in the user's personal chat, with one screenshot; returns the case."""
        steps: list[dict[str, Any]] = [
            {"text": "rapportér"},
            {"value": form or GOOD_FORM},
            {"attachments": [file_attachment(self.files.url("/files/shot.png"), file_name)]},
            {"text": "færdig"},
            {"value": {"verb": "review_submit"}},
        ]
        for step in steps:
            answer = await self.post(self.activity(user, name=name, **step))
            assert answer.status in (200, 201), answer
        return (await self.runtime.cases.reported_by(user))[0]  # the newest


def personal_chat(user: str) -> str:
    return f"a:chat-{user}"


def invoke_card(answer: Said) -> dict[str, Any]:
    """The card an invoke answered with."""
    assert answer.status == 200, answer
    return dict(answer.body["value"])


@asynccontextmanager
async def hostile_app(
    tmp_path: Path, env: dict[str, str] | None = None, directory_csv: str = DIRECTORY_CSV
) -> AsyncIterator[Bot]:
    """The app over HTTP on loopback, with every outside boundary faked by a real local server."""
    async with hostile_apps(tmp_path, 1, env, directory_csv) as (bot,):
        yield bot


async def _no_wait(_seconds: float) -> None:
    """The sender's back-off, without the wait."""


@asynccontextmanager
async def hostile_apps(
    tmp_path: Path, count: int, env: dict[str, str] | None = None, directory_csv: str = DIRECTORY_CSV
) -> AsyncIterator[tuple[Bot, ...]]:
    """`count` instances of the app over HTTP sharing one store, clock, connector and file host."""
    (tmp_path / "leaders.csv").write_text(directory_csv, encoding="utf-8")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "HR_AAD_OBJECT_IDS": HR, **(env or {})})
    store = LocalStore(tmp_path / "data")
    clock = FakeClock()
    async with (
        FakeFileHost() as files,
        FakeConnector(conversation_windows=UNTHROTTLED, app_windows=UNTHROTTLED) as connector,
    ):
        clients: list[AppClient] = []
        try:
            for _ in range(count):
                overrides = Overrides(
                    store=store,
                    directory=await FileDirectory.open(tmp_path / "leaders.csv"),
                    address_policy=FakeHostPolicy(files.url("/")),
                    clock=clock,
                    sleep=_no_wait,
                    run_scheduler=False,
                )
                client = TestClient(TestServer(create_app(settings, overrides=overrides), host="127.0.0.1"))
                await client.start_server()
                clients.append(client)
            yield tuple(Bot(client, connector, files, store, clock) for client in clients)
        finally:
            for client in clients:
                await client.close()
    await store.close()
