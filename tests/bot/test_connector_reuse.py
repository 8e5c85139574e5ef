"""Connector clients are kept per service URL, and a reply still follows a URL that changes."""

from __future__ import annotations

from pathlib import Path

import requests
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.auth._user_token_client_impl import _UserTokenClientImpl

from app import RUNTIME
from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from bot.teams.connectors import ReusingAuthentication, _Bounded
from tests.bot.chat import said
from tests.bot.test_two_instances import activity
from tests.conftest import running_app
from tests.fakes.connector import FakeConnector


async def test_replies_reuse_one_client_per_service_url_and_follow_a_changed_url(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    async with FakeConnector() as first, FakeConnector() as second, running_app(settings, store=store) as client:
        auth = client.app[RUNTIME].adapter.bot_framework_authentication
        assert isinstance(auth, ReusingAuthentication)
        for n in range(1, 4):
            assert (await client.post("/api/messages", json=activity(first.service_url, n, text="hjælp"))).status < 300
        assert len(first.messages("a:personal-chat")) == 3
        assert len(auth.reply_clients) == 1  # three turns, one client

        # Teams moved the conversation to another region: the next reply goes to the new URL.
        assert (await client.post("/api/messages", json=activity(second.service_url, 4, text="hjælp"))).status < 300
        moved = second.messages("a:personal-chat")
        assert len(moved) == 1 and "Det kan du skrive til mig" in said(moved[0].activity)
        assert len(first.messages("a:personal-chat")) == 3
        assert len(auth.reply_clients) == 2
    await store.close()


async def test_the_kept_clients_are_bounded() -> None:
    closed: list[int] = []

    class Client:
        def __init__(self, n: int) -> None:
            self.n = n

        async def close(self) -> None:
            closed.append(self.n)

    clients = _Bounded(bound=2)
    for n in range(5):

        async def build(n: int = n) -> Client:
            return Client(n)

        await clients.get((str(n),), build)
    assert len(clients) == 2 and closed == [0, 1, 2]
    await clients.close()
    assert sorted(closed) == [0, 1, 2, 3, 4]


class RecordingAdapter(requests.adapters.HTTPAdapter):
    """requests' transport, noting when its session closes it."""

    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


async def test_a_dropped_client_closes_its_own_http_session() -> None:
    """botbuilder's clients have no `close()`; msrest closes a client's pipeline (and its requests
    session) when it leaves `async with`. A kept client that is dropped, or closed at shutdown,
    has its session closed that way; it used to be left open."""
    connector = ConnectorClient(MicrosoftAppCredentials.empty(), base_url="http://127.0.0.1:9/")
    tokens = _UserTokenClientImpl("app-id", MicrosoftAppCredentials.empty(), "http://127.0.0.1:9/")
    adapters = []
    for made in (connector, tokens._client):
        adapter = RecordingAdapter()
        made.config.pipeline._sender.driver.session.mount("http://", adapter)
        adapters.append(adapter)
    clients = _Bounded(bound=1)

    async def built(client: object) -> object:
        return client

    await clients.get(("connector",), lambda: built(connector))
    await clients.get(("tokens",), lambda: built(tokens))  # past the bound: the connector client goes
    assert [a.closed for a in adapters] == [True, False]
    await clients.close()  # shutdown
    assert [a.closed for a in adapters] == [True, True]
