"""Unauthenticated local mode cannot be driven by a web page, and cannot be served to the network.

Without an app id nothing checks who posts an activity. A page open in the developer's browser may
post to 127.0.0.1 without asking first only with a "simple" Content-Type (text/plain, a form):
those, and anything but exactly `application/json`, get 415. A DNS-rebinding page names its own
host in the Host header: 403. And the settings refuse a non-loopback HOST without an app id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.hosting.settings import Settings, SettingsError
from tests.hostile.harness import hostile_app, personal_chat

REFUSED_TYPES = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain; application/json",  # passed the old substring check
    "text/plain; charset=application/json",
    "application/jsonp",
    "application/json-patch+json",
    "application/ld+json",
    "application/json; charset=latin-1",
    "application/json; boundary=x",
    "",
]
# (botbuilder itself looks for the lower-case type, so "Application/JSON" is refused with 415 too.)
ACCEPTED_TYPES = ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"]


@pytest.mark.parametrize("content_type", REFUSED_TYPES)
async def test_anything_but_json_is_refused_with_415_and_changes_nothing(tmp_path: Path, content_type: str) -> None:
    async with hostile_app(tmp_path) as bot:
        body = json.dumps(bot.activity(text="rapportér"))
        response = await bot.client.post("/api/messages", data=body, headers={"Content-Type": content_type})
        assert response.status == 415
        assert bot.connector.activities == []  # the bot never saw it: no reply
        assert await bot.store.list("state/") == [] and await bot.store.list("refs/") == []


@pytest.mark.parametrize("content_type", ACCEPTED_TYPES)
async def test_json_with_or_without_a_charset_is_served(tmp_path: Path, content_type: str) -> None:
    async with hostile_app(tmp_path) as bot:
        body = json.dumps(bot.activity(text="hjælp"))
        response = await bot.client.post("/api/messages", data=body, headers={"Content-Type": content_type})
        assert response.status in (200, 201)
        [shown] = bot.connector.messages(personal_chat(bot.activity()["from"]["aadObjectId"]))
        assert "Det kan du skrive til mig" in str(shown.activity)


@pytest.mark.parametrize("host", ["evil.example", "192.168.1.10:3978", "bot.example:80", "[2001:db8::1]:3978"])
async def test_a_rebinding_page_naming_another_host_is_refused(tmp_path: Path, host: str) -> None:
    async with hostile_app(tmp_path) as bot:
        response = await bot.client.post("/api/messages", json=bot.activity(text="hjælp"), headers={"Host": host})
        assert response.status == 403
        assert bot.connector.activities == []


@pytest.mark.parametrize("host", ["localhost:3978", "127.0.0.1", "[::1]:3978", "LOCALHOST"])
async def test_loopback_host_names_are_served(tmp_path: Path, host: str) -> None:
    async with hostile_app(tmp_path) as bot:
        response = await bot.client.post("/api/messages", json=bot.activity(text="hjælp"), headers={"Host": host})
        assert response.status in (200, 201)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "bot.example", "10.0.0.5"])
def test_local_mode_refuses_to_start_on_a_non_loopback_host(host: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"HOST": host})
    assert str(refused.value).startswith("HOST:") and "MicrosoftAppId" in str(refused.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2", ""])
def test_local_mode_starts_on_loopback(host: str) -> None:
    assert Settings.from_env({"HOST": host}).bind_host in ("127.0.0.1", host)


def test_with_an_app_id_any_host_may_be_served() -> None:
    settings = Settings.from_env(
        {
            "HOST": "0.0.0.0",
            "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
            "MicrosoftAppPassword": "x",
            "MicrosoftAppTenantId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        }
    )
    assert settings.bind_host == "0.0.0.0"


def test_main_names_the_variable_and_exits(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import app

    monkeypatch.setattr(app, "load_settings", lambda env: Settings.from_env({"HOST": "0.0.0.0"}))
    with pytest.raises(SystemExit) as stopped:
        app.main()
    assert stopped.value.code == 2
    assert "HOST" in capsys.readouterr().err
