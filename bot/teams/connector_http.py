"""The Bot Connector's HTTP on aiohttp, in place of msrest's `requests` run in a worker thread.

botbuilder's ConnectorClient sends every reply and proactive message through msrest's default
async pipeline, which runs a blocking `requests` call in the default executor: a thread hop and
requests' per-call environment merging for each message, measured at about 2 ms of CPU per
message against 0.5 ms for the same POST on aiohttp (benchmarks/bench_turn_cpu.py, issue 16).
This sender takes the pipeline's last step: the policies msrest puts before it (user agent, the
credentials, the JSON reader, the HTTP logger) stay as they are, over one kept-alive aiohttp
session for all connector clients.

What the requests step did, it still does:
- The URL is sent as msrest built it: every path part percent-encoded (a Teams conversation id's
  ':' '@' ';' '=', an activity id's ':'), not re-quoted by aiohttp.
- Credentials: botbuilder's AppCredentials sign a `requests.Session` (the Authorization header,
  or none when authentication is off); that session is kept here only to carry the header. Like
  msrest, nothing refreshes a token on a 401: it comes back as an error (botbuilder's credentials
  take each request's token from MSAL's cache, which renews it before it expires).
- Retries: msrest's policy as urllib3 2 applies it (connect errors for every method; status codes
  in the policy's list, and a 413/429/503 with Retry-After, only for urllib3's idempotent methods,
  never POST; the first retry at once, then backoff_factor * 2^(n-1); a Retry-After other than 0
  is waited for instead, whatever the status). The proactive sender sets the retries to 0 and
  paces and retries itself (bot/teams/sender.py, ratelimit.py), as before.
- Timeout: the client's `config.connection.timeout` (the sender shortens it for its clients).
- Failures arrive as msrest's ClientRequestError, as the requests step raised them; HTTP
  statuses come back as responses for msrest to turn into HttpOperationError.

Where it differs, on purpose:
- When the retries for a status are spent, the last answer comes back (HttpOperationError with
  its status); urllib3 raised a RetryError, which msrest turned into a ClientRequestError with no
  status. The sender tells a throttle, a server error and a removed bot apart by the status.
- A Retry-After is waited for at most 300 s (`ratelimit.MAX_RETRY_AFTER`; urllib3's cap is 6 hours):
  a turn that waits longer has long been re-sent by Teams.
- The timeout bounds the whole request; requests' bounded the connect and each read.
- Redirects are followed for GET and HEAD only. requests (with msrest's patch, which refuses
  301/302 for other methods) also followed 303/307/308 on a POST or PUT; the Bot Connector does
  not redirect them, and an activity is not re-sent to wherever a redirect points.
- The session does not read proxy settings from the environment (App Service has none to set).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import requests
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response, SansIOHTTPPolicy
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.async_requests import AsyncRequestsCredentialsPolicy
from msrest.pipeline.requests import RequestsContext
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http import ClientRequest
from msrest.universal_http.async_abc import AsyncClientResponse
from urllib3.util.retry import Retry
from yarl import URL

from bot.teams.ratelimit import parse_retry_after

_REQUESTS_DEFAULTS = dict(requests.utils.default_headers())
_RETRY_AFTER_STATUSES = Retry.RETRY_AFTER_STATUS_CODES


class Answer:
    """What msrest hands on as `HttpOperationError.response`: the parts of a `requests.Response`
    that callers read (they got one from the requests step)."""

    def __init__(self, response: aiohttp.ClientResponse, body: bytes) -> None:
        self.status_code = self.status = response.status
        self.reason = response.reason
        self.headers = response.headers.copy()  # a CIMultiDict: case-insensitive like requests'
        self.url = str(response.url)
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class LoadedResponse(AsyncClientResponse):
    """A connector response read in full (they are small JSON), for msrest's readers."""

    def __init__(self, request: ClientRequest, response: aiohttp.ClientResponse, body: bytes) -> None:
        answer = Answer(response, body)
        super().__init__(request, answer)
        self.status_code = answer.status_code
        self.headers = answer.headers
        self.reason = answer.reason
        self._body = body

    def body(self) -> bytes:
        return self._body

    def stream_download(self, chunk_size: int | None = None, callback: Callable[..., Any] | None = None) -> Any:
        async def chunks() -> AsyncIterator[bytes]:
            size = chunk_size or 4096
            for start in range(0, len(self._body), size):
                chunk = self._body[start : start + size]
                if callback is not None:
                    callback(chunk, self.internal_response)
                yield chunk

        return chunks()


class AiohttpConnectorSender(AsyncHTTPSender[Any, Any]):
    """msrest's pipeline sender (the `AsyncHTTPSender` contract) over a shared aiohttp session."""

    def __init__(self, config: Any, session: Callable[[], aiohttp.ClientSession]) -> None:
        self._config = config
        self._session = session
        self._signed = requests.Session()  # never sends: the credentials policy writes its header here

    async def __aenter__(self) -> AiohttpConnectorSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None  # the session belongs to the authentication that built the client

    def build_context(self) -> RequestsContext:
        return RequestsContext(session=self._signed)  # type: ignore[no-untyped-call]

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        http = request.http_request
        signed = request.context.session if request.context is not None else self._signed
        headers = {k: v for k, v in signed.headers.items() if _REQUESTS_DEFAULTS.get(k) != v}
        headers.update(http.headers)
        body = http.data.encode() if isinstance(http.data, str) else http.data
        # msrest has percent-encoded every part of the URL (a Teams id's ':' '@' ';' '='); yarl
        # would re-quote it and send those raw. Sent as it is, as requests sends it.
        url = URL(http.url, encoded=True)
        retry: Retry = self._config.retry_policy.policy
        method = http.method.upper()
        timeout = aiohttp.ClientTimeout(total=float(kwargs.get("timeout") or self._config.connection.timeout))
        failures = 0
        while True:
            try:
                async with self._session().request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    timeout=timeout,
                    allow_redirects=method in ("GET", "HEAD"),
                ) as response:
                    loaded = LoadedResponse(http, response, await response.read())
            except (aiohttp.ClientError, TimeoutError) as error:
                connect = isinstance(error, aiohttp.ClientConnectorError)  # nothing was sent
                if failures >= (retry.total or 0) or not (connect or _idempotent(retry, method)):
                    raise ClientRequestError("Error occurred in request.", error) from error
                failures += 1
                await asyncio.sleep(_backoff(retry, failures))
                continue
            wait = _status_retry(retry, method, loaded, failures)
            if wait is None:
                return Response(request, loaded)
            failures += 1
            await asyncio.sleep(wait)


def _idempotent(retry: Retry, method: str) -> bool:
    allowed = retry.allowed_methods
    return allowed is None or method in allowed


def _backoff(retry: Retry, failures: int) -> float:
    """urllib3 2's back-off: nothing before the first retry, then factor * 2^(n-1), capped."""
    if failures <= 1:
        return 0.0
    return float(min(retry.backoff_max, retry.backoff_factor * 2 ** (failures - 1)))


def _status_retry(retry: Retry, method: str, response: LoadedResponse, failures: int) -> float | None:
    """Seconds to wait before trying again, or None to hand the response over.

    As urllib3's `Retry.is_retry` and `Retry.sleep`: a status in the policy's list, or a 413/429/503
    with Retry-After, is retried; the wait is the Retry-After when the answer has one (whatever its
    status) and it is not 0, else the back-off."""
    if failures >= (retry.total or 0) or not _idempotent(retry, method):
        return None
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("Retry-After")) if retry.respect_retry_after_header else None
    listed = bool(retry.status_forcelist) and status in retry.status_forcelist
    told = retry_after is not None and status in _RETRY_AFTER_STATUSES
    if not listed and not told:
        return None
    return retry_after or _backoff(retry, failures + 1)


def use_aiohttp(client: Any, session: Callable[[], aiohttp.ClientSession]) -> Any:
    """Give a botbuilder ConnectorClient the aiohttp sender, with msrest's own policies before it
    (as `msrest.async_client.ServiceClientAsync._create_default_pipeline` builds them)."""
    config = client.config
    credentials = config.credentials
    policies: list[Any] = [config.user_agent_policy, RawDeserializer(), config.http_logger_policy]
    if credentials:
        if isinstance(credentials, (AsyncHTTPPolicy, SansIOHTTPPolicy)):
            policies.insert(1, credentials)
        else:
            policies.insert(1, AsyncRequestsCredentialsPolicy(credentials))  # type: ignore[no-untyped-call]
    config.pipeline = AsyncPipeline(policies, AiohttpConnectorSender(config, session))
    return client
