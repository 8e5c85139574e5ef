"""Two app instances (two create_app applications, over HTTP) on one store behave like one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from tests.bot.chat import said
from tests.bot.test_report_dialog import GOOD_FORM
from tests.conftest import running_app
from tests.fakes.connector import FakeConnector

USER = "00000000-0000-0000-0000-0000000000e7"


def activity(
    service_url: str, n: int, *, text: str | None = None, value: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": f"act-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "locale": "da-DK",
        "from": {"id": "29:user", "aadObjectId": USER, "name": "Medarbejder"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": "a:personal-chat", "conversationType": "personal", "tenantId": "t"},
    }
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


async def test_a_dialog_started_on_instance_a_continues_on_instance_b(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    async with (
        FakeConnector() as connector,
        running_app(settings, store=store) as a,
        running_app(settings, store=store) as b,
    ):
        url = connector.service_url
        assert (await a.post("/api/messages", json=activity(url, 1, text="rapportér"))).status in (200, 201)
        assert (await b.post("/api/messages", json=activity(url, 2, value=GOOD_FORM))).status in (200, 201)
        assert (await a.post("/api/messages", json=activity(url, 3, text="færdig"))).status in (200, 201)
        shown = [said(m.activity) for m in connector.messages("a:personal-chat")]
        assert "Indberet en krænkende handling" in shown[0]  # the report card, from A
        assert "skærmbillede" in shown[1]  # B knew the dialog A started and took the form
        assert "Gennemse din indberetning" in shown[-1] and "Han skrev" in shown[-1]  # back on A: the review
    await store.close()
