"""Connector and token clients kept per service URL instead of built for every message.

botbuilder 4.17 builds a new ConnectorClient (with its own aiohttp session, so a new TCP and TLS
connection) and a new UserTokenClient for every incoming activity and every proactive message.
That costs CPU on each turn and a handshake on each reply. This wrapper around botbuilder's
authentication keeps them, keyed by what they are built from: the bot's identity, the service URL
and the audience. A conversation whose service URL changes simply gets a client for the new URL.

Two caches, not one: the proactive sender tunes its clients (no msrest retries behind the rate
limiter's back, a shorter timeout), and replies within a turn keep botbuilder's defaults.

The clients send over one kept-alive aiohttp session instead of msrest's `requests` in a worker
thread (connector_http.py), when their credentials are botbuilder's own (a bearer header).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient

from bot.teams.connector_http import use_aiohttp
from bot.teams.connector_spans import traced

MAX_CLIENTS = 64  # service URLs are per region: a handful in practice; the bound is for safety


class _Bounded:
    """An LRU map of clients; the least recently used is dropped (and closed) past the bound."""

    def __init__(self, bound: int = MAX_CLIENTS) -> None:
        self._items: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._bound = bound

    async def get(self, key: tuple[str, ...], build: Callable[[], Awaitable[Any]]) -> Any:
        client = self._items.get(key)
        if client is None:
            client = await build()
            self._items[key] = client
            while len(self._items) > self._bound:
                _key, old = self._items.popitem(last=False)
                await _close(old)
        else:
            self._items.move_to_end(key)
        return client

    def __len__(self) -> int:
        return len(self._items)

    async def close(self) -> None:
        while self._items:
            _key, client = self._items.popitem()
            await _close(client)


async def _close(client: Any) -> None:
    """Close a dropped client's HTTP pipeline as msrest does when a client leaves `async with`:
    its sender's own session (requests, for clients not on the shared aiohttp session; the shared
    one is closed by `ReusingAuthentication.close`). botbuilder's clients have no `close`: a
    ConnectorClient is msrest's SDKClientAsync, and a UserTokenClient wraps one in `_client`."""
    for target in (client, getattr(client, "_client", None)):
        leave = getattr(target, "__aexit__", None)
        if leave is not None:
            await leave(None, None, None)
            return
        close = getattr(target, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result
            return


def _identity_key(claims_identity: ClaimsIdentity | None) -> str:
    claims = getattr(claims_identity, "claims", None) or {}
    return "|".join(str(claims.get(name, "")) for name in ("aud", "appid", "azp", "ver"))


class _ReusingConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(
        self,
        inner: ConnectorFactory,
        clients: _Bounded,
        identity: str,
        http: Callable[[], aiohttp.ClientSession],
        spans: bool = False,
    ) -> None:
        self._inner = inner
        self._clients = clients
        self._identity = identity
        self._http = http
        self._spans = spans  # replies get a dependency span per call (the sender spans its own)

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._identity, service_url, audience or "")

        async def build() -> ConnectorClient:
            client = await self._inner.create(service_url, audience)
            if isinstance(client.config.credentials, AppCredentials):  # signs with a header only
                use_aiohttp(client, self._http)
            return traced(client) if self._spans else client

        client: ConnectorClient = await self._clients.get(key, build)
        return client


class ReusingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, unchanged, except that the clients it builds are kept."""

    def __init__(self, inner: BotFrameworkAuthentication, bound: int = MAX_CLIENTS) -> None:
        self._inner = inner
        self.reply_clients = _Bounded(bound)
        self.proactive_clients = _Bounded(bound)
        self.token_clients = _Bounded(bound)
        self._session: aiohttp.ClientSession | None = None

    def http(self) -> aiohttp.ClientSession:
        """The connector clients' session, opened on first use (inside the running loop)."""
        if self._session is None or self._session.closed:
            # No cookies kept: the Bot Connector is a token-authenticated API. Idle connections are
            # kept a minute (aiohttp's default is 15 s): a new TLS handshake per quiet spell costs more.
            self._session = aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(), connector=aiohttp.TCPConnector(keepalive_timeout=60)
            )
        return self._session

    async def authenticate_request(self, activity: Any, auth_header: str) -> AuthenticateRequestResult:
        result: AuthenticateRequestResult = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            identity = _identity_key(result.claims_identity)
            result.connector_factory = _ReusingConnectorFactory(
                result.connector_factory, self.reply_clients, identity, self.http, spans=True
            )
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        inner = self._inner.create_connector_factory(claims_identity)
        return _ReusingConnectorFactory(inner, self.proactive_clients, _identity_key(claims_identity), self.http)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = (_identity_key(claims_identity),)
        client: UserTokenClient = await self.token_clients.get(
            key, lambda: self._inner.create_user_token_client(claims_identity)
        )
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        audience: str = self._inner.get_originating_audience()
        return audience

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        for clients in (self.reply_clients, self.proactive_clients, self.token_clients):
            await clients.close()
        if self._session is not None:
            await self._session.close()
