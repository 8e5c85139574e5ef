"""The running app over HTTP, as an attacker or an unlucky user meets it.

Each test builds one or two real app instances (create_app, the production door) on one local
store, with the fake Bot Connector and fake file hosts as the only other parties. Activities are
posted as Teams would post them; what the user sees is what the fake connector recorded.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app import RUNTIME, Overrides, Runtime, create_app
from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from bot.storage.store import Store
from tests.app_client import AppClient
from tests.bot.chat import said
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import FakeFileHost
from tests.fakes.held_store import HeldStore, Hold
from tests.hostile.telemetry_capture import Exporters, installed

EMPLOYEE = "00000000-0000-0000-0000-0000000000e7"
CONVERSATION = "a:personal-chat-e7"
DIRECTORY_CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},Mette Medarbejder,00000000-0000-0000-0000-00000000a001,Lene Leder,,,Borgerservice,false\n"
)
GOOD_FORM: dict[str, Any] = {
    "verb": "report_form",
    "category": "trussel",
    "description": "Han skrev at han ved hvor jeg bor.",
    "date": "2026-01-24",
    "time": "21:30",
    "platform": "facebook",
    "link": "",
    "offender": "",
    "outside_hours": "true",
    "family": "false",
}
_ids = itertools.count(1)


def settings_for(tmp_path: Path, *origins: str, **extra: str) -> Settings:
    (tmp_path / "leaders.csv").write_text(DIRECTORY_CSV, encoding="utf-8")
    env = {
        "DATA_DIR": str(tmp_path / "data"),
        "LEADER_DIRECTORY_FILE": str(tmp_path / "leaders.csv"),
        "EVIDENCE_DEV_ORIGINS": ",".join(origins),
        **extra,
    }
    return Settings.from_env(env)


@asynccontextmanager
async def running(settings: Settings, store: Store, **overrides: Any) -> AsyncIterator[AppClient]:
    app = create_app(settings, overrides=Overrides(store=store, run_scheduler=False, **overrides))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def activity(
    service_url: str,
    *,
    text: str | None = None,
    value: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    activity_id: str | None = None,
    user: str = EMPLOYEE,
    conversation: str = CONVERSATION,
    locale: str = "da-DK",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": activity_id or f"act-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "locale": locale,
        "from": {"id": f"29:{user}", "aadObjectId": user, "name": "Mette Medarbejder"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "t"},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    if attachments is not None:
        body["attachments"] = attachments
    return body


def file_attachment(url: str, name: str = "skaermbillede.png") -> dict[str, Any]:
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "x", "fileType": name.rsplit(".", 1)[-1]},
    }


def inline_image(url: str) -> dict[str, Any]:
    return {"contentType": "image/png", "contentUrl": url, "name": "image.png"}


async def post(client: AppClient, body: dict[str, Any]) -> int:
    response = await client.post("/api/messages", json=body)
    await response.read()
    return response.status


def shown(connector: FakeConnector, conversation: str = CONVERSATION) -> list[str]:
    """Everything the user has seen in the chat, in order."""
    return [said(m.activity) for m in connector.messages(conversation)]


async def start_report(client: AppClient, connector: FakeConnector) -> None:
    """rapportér, then a valid form: the dialog waits for screenshots."""
    assert await post(client, activity(connector.service_url, text="rapportér")) in (200, 201)
    assert await post(client, activity(connector.service_url, value=GOOD_FORM)) in (200, 201)
    assert "skærmbillede" in shown(connector)[-1]


def runtime_of(client: AppClient) -> Runtime:
    return client.app[RUNTIME]


async def settle(*clients: AppClient) -> None:
    """Let every instance finish its background work (downloads, proactive answers)."""
    for client in clients:
        await runtime_of(client).background.drain()


async def draft_of(store: LocalStore, user: str = EMPLOYEE) -> dict[str, Any] | None:
    doc = await store.get(f"drafts/{user}.json")
    return None if doc is None else doc.data


@dataclass
class Instances:
    """App instances on one local store, with the fake connector and file host. The first one's
    writes go through `held` when a test holds some back (tests/fakes/held_store.py)."""

    clients: list[AppClient]
    store: LocalStore
    held: HeldStore | None
    connector: FakeConnector
    files: FakeFileHost

    @property
    def a(self) -> AppClient:
        return self.clients[0]

    @property
    def b(self) -> AppClient:
        return self.clients[1]

    @property
    def url(self) -> str:
        return self.connector.service_url

    def shown(self) -> list[str]:
        return shown(self.connector)

    async def while_held(self, message: dict[str, Any], meanwhile: Callable[[], Awaitable[None]]) -> None:
        """Post `message` to A and, once A's first held write is waiting, run `meanwhile`; then let
        A go on and check its turn was answered. A failed check in `meanwhile` still lets A go,
        so no turn is left waiting for ever."""
        assert self.held is not None, "instances(..., hold=...) holds A's writes"
        first = asyncio.create_task(post(self.a, message))
        try:
            await asyncio.wait_for(self.held.holding.wait(), 10)
            await meanwhile()
        finally:
            self.held.release.set()
        assert await first in (200, 201)


@asynccontextmanager
async def instances(
    tmp_path: Path, *, count: int = 2, hold: Hold | None = None, **settings: str
) -> AsyncIterator[Instances]:
    """`count` instances of the app on one store (`settings` are extra settings, by name); with
    `hold`, the first instance's writes that `hold` picks wait until the test releases them."""
    store = LocalStore(tmp_path / "data")
    held = HeldStore(store, hold) if hold is not None else None
    async with FakeConnector() as connector, FakeFileHost() as files, AsyncExitStack() as apps:
        config = settings_for(tmp_path, files.url(""), **settings)
        stores: list[Any] = [held or store, *[store] * (count - 1)]  # a HeldStore is a Store in all but name
        clients = [await apps.enter_async_context(running(config, one)) for one in stores]
        yield Instances(clients, store, held, connector, files)
    await store.close()


@pytest.fixture
def exporters() -> Exporters:
    """In-memory OpenTelemetry exporters in place of the distro's (see telemetry_capture)."""
    return installed()
