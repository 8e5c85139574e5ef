"""App-only tokens for Microsoft Graph, from Entra ID through MSAL (client credentials).

MSAL keeps the token in its in-memory cache until shortly before expiry, so asking for one per
request is cheap. MSAL is blocking (it uses `requests`, and even its constructor fetches the tenant's
OpenID configuration), so every call runs in a worker thread.

MSAL 1.39 refuses `force_refresh` for client credentials. When Graph answers 401 for a token MSAL
still considers valid, `invalidate` removes exactly that token from MSAL's cache, so the next
`token()` goes to Entra; a token already replaced by another request is left alone.

MSAL accepts only https authorities; tests serve the fake Entra over https with a throw-away CA
and pass its file as `verify` (honoured even when REQUESTS_CA_BUNDLE is set, see `_new_session`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping
from typing import Any, Protocol

import msal
import requests

from bot.directory.model import DirectoryUnavailable

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class TokenProvider(Protocol):
    async def token(self) -> str: ...

    async def invalidate(self, token: str) -> None: ...


class MsalTokenProvider:
    """Client-credentials tokens for one app registration in one tenant.

    `client_credential` is the client secret, or MSAL's certificate form
    (`{"private_key": PEM, "thumbprint": hex}` or `{"private_key_pfx_path": path}`).
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_credential: str | Mapping[str, str],
        authority_host: str = "https://login.microsoftonline.com",
        scope: str = GRAPH_SCOPE,
        verify: bool | str = True,
        timeout: float = 10.0,
    ) -> None:
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._client_id = client_id
        self._credential = client_credential
        self._scopes = [scope]
        self._verify = verify
        self._timeout = timeout
        self._app: Any = None
        self._session: requests.Session | None = None
        self._lock = asyncio.Lock()
        self._acquire_lock = asyncio.Lock()

    def __repr__(self) -> str:  # never show the secret
        return f"MsalTokenProvider(authority={self._authority!r}, client_id={self._client_id!r})"

    async def token(self) -> str:
        app = await self._application()
        try:
            async with self._acquire_lock:  # concurrent first calls would each fetch a token
                result: dict[str, Any] = await asyncio.to_thread(app.acquire_token_for_client, self._scopes)
        except Exception as exc:  # MSAL raises requests' and its own errors on transport trouble
            log.warning("token request failed", extra={"fields": {"error_type": type(exc).__name__}})
            raise DirectoryUnavailable("token request failed") from exc
        access_token = result.get("access_token")
        if not isinstance(access_token, str):
            code = str(result.get("error", "unknown"))
            log.warning("token refused", extra={"fields": {"error": code}})
            raise DirectoryUnavailable(f"token refused: {code}")
        return access_token

    async def invalidate(self, token: str) -> None:
        if self._app is None:
            return
        cache = self._app.token_cache
        for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
            if item.get("secret") == token:
                cache.remove_at(item)

    async def aclose(self) -> None:
        """Close MSAL's HTTP connections (at shutdown)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self._app = None

    async def _application(self) -> Any:
        if self._app is not None:
            return self._app
        async with self._lock:
            if self._app is None:
                try:
                    self._app = await asyncio.to_thread(self._build)
                except Exception as exc:  # discovery of the tenant failed: network or a wrong tenant
                    fields = {"error_type": type(exc).__name__}
                    log.warning("token authority unavailable", extra={"fields": fields})
                    raise DirectoryUnavailable("token authority unavailable") from exc
        return self._app

    def _build(self) -> Any:
        return msal.ConfidentialClientApplication(
            self._client_id,
            client_credential=dict(self._credential) if isinstance(self._credential, Mapping) else self._credential,
            authority=self._authority,
            # Known Microsoft hosts skip instance discovery anyway; a sovereign or test host must
            # not call the public discovery endpoint.
            instance_discovery=False,
            http_client=self._new_session(),
            timeout=self._timeout,
        )

    def _new_session(self) -> requests.Session:
        """MSAL's default client, except that a CA file given as `verify` really is used.

        requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's `verify`; only a
        per-request `verify` wins, so it is bound into every request here.
        """
        session = requests.Session()
        session.mount("https://", requests.adapters.HTTPAdapter(max_retries=1))
        session.request = functools.partial(  # type: ignore[method-assign]
            session.request, timeout=self._timeout, verify=self._verify
        )
        if self._session is not None:
            self._session.close()
        self._session = session
        return session
