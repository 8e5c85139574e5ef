"""The connector clients' aiohttp sender does what msrest's requests step did: the bearer header,
msrest's retry policy as urllib3 applies it, the timeout, and msrest's errors. Against a local
HTTP server that records what arrives and answers as it is told."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams.connector_http import AiohttpConnectorSender, use_aiohttp
from bot.teams.msrest_patch import speed_up_msrest
from tests.fakes.connector import FakeConnector


@dataclass
class Connector:
    """Answers each request with the next scripted (status, headers, body), then 200 with an id."""

    script: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, request.path, dict(request.headers), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.script:
            status, headers, body = self.script.pop(0)
            return web.Response(status=status, headers=headers, text=body, content_type="application/json")
        return web.json_response({"id": f"1:{len(self.seen)}"})


@contextlib.asynccontextmanager
async def connector() -> AsyncIterator[Connector]:
    fake = Connector()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.url = f"http://127.0.0.1:{port}/"
    try:
        yield fake
    finally:
        await runner.cleanup()


class TokenCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """botbuilder's credentials with the token fetch answered here (no identity provider)."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "token-1"


@contextlib.asynccontextmanager
async def client(url: str, credentials: MicrosoftAppCredentials) -> AsyncIterator[ConnectorClient]:
    speed_up_msrest()
    async with aiohttp.ClientSession() as session:
        made = use_aiohttp(ConnectorClient(credentials, base_url=url), lambda: session)
        assert isinstance(made.config.pipeline._sender, AiohttpConnectorSender)
        yield made


def message(text: str = "hej") -> Activity:
    return Activity(type="message", text=text)


async def test_a_reply_carries_the_bearer_token_and_the_activity() -> None:
    async with connector() as fake, client(fake.url, TokenCredentials("app-id", "secret")) as api:
        response = await api.conversations.reply_to_activity("a:1", "m-1", message("æøå"))
    assert response.id == "1:1"
    method, path, headers, body = fake.seen[0]
    assert (method, path) == ("POST", "/v3/conversations/a:1/activities/m-1")
    assert headers["Authorization"] == "Bearer token-1"
    assert headers["Content-Type"].startswith("application/json")
    assert b'"text": "\\u00e6\\u00f8\\u00e5"' in body and b'"type": "message"' in body


async def test_without_an_app_id_no_authorization_header_is_sent() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        await api.conversations.send_to_conversation("a:1", message())
    assert "Authorization" not in fake.seen[0][2]


async def test_a_put_is_retried_on_503_and_a_post_is_not() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        fake.script = [(503, {}, "{}"), (503, {}, "{}")]
        updated = await api.conversations.update_activity("a:1", "1:9", message())
        assert updated.id == "1:3" and [s[0] for s in fake.seen] == ["PUT"] * 3
        fake.script = [(503, {}, "{}")]
        with pytest.raises(HttpOperationError) as failed:
            await api.conversations.send_to_conversation("a:1", message())
        assert failed.value.response.status_code == 503 and len(fake.seen) == 4


async def test_a_429_with_retry_after_is_waited_for_on_a_put() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        fake.script = [(429, {"Retry-After": "0"}, "{}")]
        await api.conversations.update_activity("a:1", "1:9", message())
        assert len(fake.seen) == 2
        fake.script = [(429, {}, "{}")]  # without Retry-After: not in msrest's retry list
        with pytest.raises(HttpOperationError) as throttled:
            await api.conversations.update_activity("a:1", "1:9", message())
        assert throttled.value.response.status_code == 429
        assert throttled.value.response.headers.get("retry-after") is None and len(fake.seen) == 3


async def test_no_retries_when_the_policy_says_none() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        api.config.retry_policy.retries = 0  # what the proactive sender sets
        fake.script = [(503, {"Retry-After": "0"}, "{}")]
        with pytest.raises(HttpOperationError):
            await api.conversations.update_activity("a:1", "1:9", message())
        assert len(fake.seen) == 1


async def test_a_refused_connection_is_retried_then_raised_as_msrest_does() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    async with client(f"http://127.0.0.1:{port}/", MicrosoftAppCredentials.empty()) as api:
        api.config.retry_policy.policy.backoff_factor = 0.01
        with pytest.raises(ClientRequestError):
            await api.conversations.send_to_conversation("a:1", message())


async def test_the_timeout_is_the_clients_and_a_timeout_is_a_request_error() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        api.config.connection.timeout = 0.2
        api.config.retry_policy.retries = 0
        fake.delay = 2.0
        with pytest.raises(ClientRequestError):
            await api.conversations.send_to_conversation("a:1", message())


async def test_an_empty_answer_is_no_error() -> None:
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        fake.script = [(200, {}, "")]
        await api.conversations.delete_activity("a:1", "1:9")
    assert fake.seen[0][0] == "DELETE"


async def test_an_activity_is_not_sent_on_to_wherever_a_redirect_points() -> None:
    """On purpose unlike requests, which follows a 307/308 with the same POST body."""
    async with connector() as fake, client(fake.url, MicrosoftAppCredentials.empty()) as api:
        fake.script = [(307, {"Location": f"{fake.url}elsewhere"}, "{}")]
        with pytest.raises(HttpOperationError) as redirected:
            await api.conversations.send_to_conversation("a:1", message())
    assert redirected.value.response.status_code == 307 and len(fake.seen) == 1


# -- against the fake Bot Connector (tests/fakes/connector.py): what botbuilder's own client sends ---

# A Teams channel thread: ':' '@' ';' '=' all in one id. msrest percent-encodes every path part
# (`Serializer.url`, quote with nothing safe) and requests sends the URL as it is.
CHANNEL_THREAD = "19:abc-def@thread.tacv2;messageid=1700000000000"
ENCODED_THREAD = "19%3Aabc-def%40thread.tacv2%3Bmessageid%3D1700000000000"


async def test_conversation_and_activity_ids_go_out_percent_encoded_as_msrest_made_them() -> None:
    """aiohttp would re-quote the URL and put ':' '@' ';' '=' back raw (`/19:abc@...;messageid=1`):
    not the request botbuilder's ConnectorClient makes, and ';' starts a path parameter for some
    servers and proxies."""
    async with FakeConnector() as fake, client(fake.service_url, MicrosoftAppCredentials.empty()) as api:
        sent = await api.conversations.send_to_conversation(CHANNEL_THREAD, message())
        await api.conversations.reply_to_activity(CHANNEL_THREAD, sent.id, message("svar"))
        await api.conversations.update_activity(CHANNEL_THREAD, sent.id, message("rettet"))
    prefix = f"/_connector/v3/conversations/{ENCODED_THREAD}/activities"
    assert [(r.method, r.raw_path) for r in fake.log] == [
        ("POST", prefix),
        ("POST", f"{prefix}/1%3A1"),  # the reply goes to the activity it answers
        ("PUT", f"{prefix}/1%3A1"),
    ]
    assert {r.conversation_id for r in fake.log} == {CHANNEL_THREAD}  # and the service reads the same id
    assert fake.find("1:1").updates[0]["text"] == "rettet" and fake.find("1:2").reply_to_id == "1:1"


async def test_a_retry_after_on_any_retried_status_is_waited_for_as_urllib3_does() -> None:
    """urllib3 sleeps a Retry-After on every status it retries (a 502 from a gateway too), not only
    on 413/429/503; the back-off is only for answers without one (or with 0)."""
    async with FakeConnector() as fake, client(fake.service_url, MicrosoftAppCredentials.empty()) as api:
        sent = await api.conversations.send_to_conversation("a:1", message())
        fake.fail_next(1, 502, retry_after=1)
        await api.conversations.update_activity("a:1", sent.id, message("rettet"))
    first, second = fake.log[1], fake.log[2]
    assert (first.status, second.status) == (502, 200)
    assert second.at - first.at >= 0.95  # waited the second it was told, not the first retry's 0 s
