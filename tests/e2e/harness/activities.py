"""Activities the Playground UI cannot produce: messages with file attachments (and channel @mentions).

Why: the Playground has no real file upload (its "+" is a message extension). It passes a posted
activity on to the bot as given (`POST /_internal/v1/customActivities`), so we fill in what Teams
would: `from` with `aadObjectId`, the conversation from the yml, the bot as recipient, `channelId`
msteams and the instance's own connector as `serviceUrl` (without it the bot's reply goes nowhere).
The file bytes are served by a small aiohttp server on 127.0.0.1, standing in for SharePoint/OneDrive
(`downloadUrl` of a Teams file) or for the inline-image `contentUrl`; it counts downloads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
from aiohttp import web

from tests.e2e.harness.net import free_port
from tests.e2e.harness.procs import PlaygroundServer

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


@dataclass
class FileServer:
    """Serves registered bytes at http://127.0.0.1:<port>/files/<token>/<name>."""

    port: int = 0
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    downloads: dict[str, int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def start(self) -> FileServer:
        app = web.Application()
        app.router.add_get("/files/{token}/{name}", self._serve)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def add(self, name: str, data: bytes, content_type: str) -> str:
        path = f"/files/{uuid.uuid4().hex}/{name}"
        self.files[path] = (data, content_type)
        return f"http://127.0.0.1:{self.port}{path}"

    async def _serve(self, request: web.Request) -> web.Response:
        found = self.files.get(request.path)
        if found is None:
            raise web.HTTPNotFound()
        self.downloads[request.path] = self.downloads.get(request.path, 0) + 1
        data, content_type = found
        return web.Response(body=data, content_type=content_type)

    def download_count(self, url: str) -> int:
        return self.downloads.get(url.split(str(self.port), 1)[-1], 0)


def teams_file(name: str, url: str) -> dict[str, Any]:
    """A file uploaded in personal chat, as Teams delivers it to a bot with `supportsFiles`."""
    return {
        "contentType": FILE_DOWNLOAD_INFO,
        "name": name,
        "contentUrl": url,
        "content": {"downloadUrl": url, "uniqueId": uuid.uuid4().hex, "fileType": name.rsplit(".", 1)[-1]},
    }


def inline_image(name: str, url: str, content_type: str = "image/png") -> dict[str, Any]:
    """An image pasted into the compose box (Teams sends it as `image/*` with a `contentUrl`)."""
    return {"contentType": content_type, "name": name, "contentUrl": url}


def message_from(
    pg: PlaygroundServer,
    text: str = "",
    attachments: list[dict[str, Any]] | None = None,
    *,
    where: Literal["personal", "channel"] = "personal",
    mention_bot: bool = False,
) -> dict[str, Any]:
    """A message activity from the instance's current user, in its personal chat or its team channel."""
    cfg = pg.config
    bot = {"id": cfg.bot_id, "name": cfg.bot_name}
    activity: dict[str, Any] = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "timestamp": datetime.now(UTC).isoformat(),
        "channelId": "msteams",
        "serviceUrl": pg.service_url,
        "from": cfg.current.channel_account(),
        "recipient": bot,
        "locale": cfg.locale,
        "text": text,
        "attachments": attachments or [],
        "entities": [{"type": "clientInfo", "locale": cfg.locale, "timezone": cfg.time_zone}],
    }
    if where == "personal":
        activity["conversation"] = {
            "id": cfg.personal_chat_id,
            "conversationType": "personal",
            "tenantId": cfg.tenant_id,
        }
        activity["channelData"] = {"tenant": {"id": cfg.tenant_id}}
    else:
        activity["conversation"] = {
            "id": cfg.channel_id,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": cfg.tenant_id,
        }
        activity["channelData"] = {
            "tenant": {"id": cfg.tenant_id},
            "team": {"id": cfg.team_id, "name": cfg.team_name, "aadGroupId": cfg.team_aad_group_id},
            "channel": {"id": cfg.channel_id, "name": cfg.channel_name},
        }
    if mention_bot:
        tag = f"<at>{cfg.bot_name}</at>"
        activity["text"] = f"{tag} {text}".strip()
        activity["entities"].append({"type": "mention", "text": tag, "mentioned": bot})
    return activity


async def post_custom_activity(pg: PlaygroundServer, activity: dict[str, Any]) -> None:
    """Hand an activity to the Playground, which forwards it to the bot and shows the bot's replies."""
    url = f"http://127.0.0.1:{pg.port}/_internal/v1/customActivities"
    async with aiohttp.ClientSession() as http, http.post(url, json=activity) as resp:
        body = await resp.text()
        if resp.status >= 300:
            raise AssertionError(f"Playground refused the activity: {resp.status} {body}")


async def send_file(
    pg: PlaygroundServer,
    files: FileServer,
    name: str,
    data: bytes,
    content_type: str = "image/png",
    *,
    text: str = "",
    inline: bool = False,
) -> str:
    """Send one file in the personal chat, as the current user; returns its download URL."""
    url = files.add(name, data, content_type)
    attachment = inline_image(name, url, content_type) if inline else teams_file(name, url)
    await post_custom_activity(pg, message_from(pg, text, [attachment]))
    return url
