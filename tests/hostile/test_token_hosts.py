"""The bot's token goes only to the Bot Framework's attachment hosts, and a failed token fetch is
a clear refusal in the user's language, not a crashed turn.

Two fake hosts: one plays the Bot Framework's attachment service (the only token host), the other
an allow-listed host such as SharePoint. Both are allowed download hosts.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import TOKEN, FakeFileHost, token_origins
from tests.hostile.conftest import (
    activity,
    draft_of,
    inline_image,
    post,
    running,
    settings_for,
    shown,
    start_report,
)


async def token() -> str:
    return TOKEN


async def test_the_token_goes_to_the_bot_framework_host_and_nowhere_else(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as bot_host, FakeFileHost() as sharepoint:
        settings = settings_for(tmp_path, bot_host.url(""), sharepoint.url(""))
        hosts = token_origins(bot_host.url(""))
        async with running(settings, store, bot_token=token, bot_token_hosts=hosts) as app:
            url = connector.service_url
            await start_report(app, connector)
            # An inline image whose contentUrl points at another allowed host: no token for it.
            await post(app, activity(url, attachments=[inline_image(sharepoint.url("/files/shot.png"))]))
            assert "Modtaget" in shown(connector)[-1]
            assert [s.authorization for s in sharepoint.seen] == [None]
            # The Bot Framework's own host gets it (and needs it: the fake answers 401 without).
            await post(app, activity(url, attachments=[inline_image(bot_host.url("/auth/inline.png"))]))
            assert "allerede sendt" in shown(connector)[-1]  # the same PNG: stored once
            assert [s.authorization for s in bot_host.seen] == [f"Bearer {TOKEN}"]
            # A redirect from the token host to another host: the token stays behind.
            bot_host.redirect_target = sharepoint.url("/files/photo.jpg")
            await post(app, activity(url, attachments=[inline_image(bot_host.url("/redirect/to-target"))]))
            assert "Modtaget" in shown(connector)[-1]
            assert sharepoint.seen[-1].authorization is None
    await store.close()


async def test_a_failed_token_fetch_is_a_clear_refusal_and_the_chat_goes_on(tmp_path: Path) -> None:
    async def broken() -> str:
        raise ConnectionError("login endpoint unreachable")

    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as bot_host:
        settings = settings_for(tmp_path, bot_host.url(""))
        hosts = token_origins(bot_host.url(""))
        async with running(settings, store, bot_token=broken, bot_token_hosts=hosts) as app:
            url = connector.service_url
            await start_report(app, connector)
            status = await post(
                app, activity(url, attachments=[inline_image(bot_host.url("/auth/inline.png"))], locale="en-US")
            )
            assert status in (200, 201)
            answer = shown(connector)[-1]
            assert "I couldn't get access to the picture just now" in answer
            assert "went wrong" not in answer
            assert bot_host.seen == []  # no request without the token it needs
            draft = await draft_of(store)
            assert draft is not None and draft["evidence"] == [] and draft["pending"] == {}
            await post(app, activity(url, text="done", locale="en-US"))
            assert "Review your report" in shown(connector)[-1]
    await store.close()
