"""A pass-through between a Playground instance and the bot that sets the activity locale.

Why: Agents Playground 0.2.28 hard-codes `locale: "en-US"` (and the clientInfo entity's locale) in every
activity it generates, whatever the browser's or the server's locale. A Danish Teams client sends
`da-DK`. To test what a Danish employee sees, the Playground posts to this proxy, which rewrites those
two fields to the instance's configured locale and forwards the request unchanged otherwise (headers,
status and body of the bot's answer, including invoke responses). The bot's replies go straight to the
Playground's connector (`serviceUrl`), not through here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.e2e.harness.net import free_port

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def relocalise(activity: Any, locale: str) -> Any:
    """Set `locale` and every clientInfo entity's `locale` on an activity dict; other JSON as is."""
    if not isinstance(activity, dict) or "type" not in activity:
        return activity
    activity["locale"] = locale
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "clientInfo":
            entity["locale"] = locale
            entity["country"] = locale.rsplit("-", 1)[-1]
    return activity


@dataclass
class LocaleProxy:
    target_url: str
    locale: str
    port: int = 0
    forwarded: int = 0
    _runner: web.AppRunner | None = None
    _http: aiohttp.ClientSession | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/messages"

    async def start(self) -> LocaleProxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/messages", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._http is not None
        body = await request.read()
        if body and request.content_type == "application/json":
            body = json.dumps(relocalise(json.loads(body), self.locale)).encode("utf-8")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self._http.request(request.method, self.target_url, data=body, headers=headers) as resp:
            payload = await resp.read()
            self.forwarded += 1
            out_headers = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=resp.status, body=payload, headers=out_headers)
