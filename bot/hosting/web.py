"""aiohttp routes: the Bot Framework endpoint and the health and readiness probes.

The messages route refuses what it can before botbuilder sees it: a body that is not JSON, and
(with an app id configured) an activity from any tenant other than ours. botbuilder's CloudAdapter
then validates the Bot Framework JWT; a refused request never reaches the bot, so nothing is stored.

Without an app id nothing authenticates a request, so the route also refuses what a web page in
the user's browser could send: any Content-Type but `application/json` (a page may post
`text/plain` or a form without asking the server first, never JSON), and any Host header that
is not a loopback name (a DNS-rebinding page would name its own host). See docs/security.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web
from aiohttp.helpers import parse_mimetype

from bot.errors import NotFound
from bot.hosting.inbound import activity_problem
from bot.hosting.logs import fields
from bot.hosting.settings import is_loopback_host
from bot.intake.evidence_links import EvidenceLinks
from bot.storage import names
from bot.storage.store import EvidenceMeta, Store

log = logging.getLogger(__name__)

Processor = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


def activity_tenant(body: dict[str, Any]) -> str:
    """The tenant an activity claims to come from (Teams puts it in channelData and conversation)."""
    channel_data = body.get("channelData") or {}
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
        return str(tenant["id"])
    conversation = body.get("conversation") or {}
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return str(conversation["tenantId"])
    return ""


def is_json_content_type(header: str) -> bool:
    """Exactly `application/json`, optionally with `charset=utf-8`: no other type, no other parameter."""
    mime = parse_mimetype(header)
    if (mime.type, mime.subtype, mime.suffix) != ("application", "json", ""):
        return False
    params = {key.lower(): value.lower() for key, value in mime.parameters.items()}
    return set(params) <= {"charset"} and params.get("charset", "utf-8") in ("utf-8", "utf8")


def host_name(host_header: str) -> str:
    """The name in a Host header, without the port: `[::1]:3978` -> `::1`, `localhost:80` -> `localhost`."""
    host = host_header.strip()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else ""
    return host.split(":", 1)[0] if host.count(":") == 1 else host


def messages_handler(
    process: Processor, required_tenant: str, *, local_mode: bool = False
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def messages(request: web.Request) -> web.StreamResponse:
        if not is_json_content_type(request.headers.get("Content-Type", "")):
            return web.json_response({"error": "expected application/json"}, status=415)
        if local_mode and not is_loopback_host(host_name(request.headers.get("Host", ""))):
            log.warning("refused a request to a non-loopback host in local mode", extra=fields())
            return web.json_response({"error": "local mode answers loopback hosts only"}, status=403)
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return web.json_response({"error": "malformed JSON"}, status=400)
        problem = activity_problem(body)
        if problem is not None:
            log.info("refused a malformed activity", extra=fields(problem=problem))
            return web.json_response({"error": "not an activity"}, status=400)
        if required_tenant and activity_tenant(body).lower() != required_tenant.lower():
            log.warning("refused activity from another tenant", extra=fields(activity_type=body.get("type")))
            return web.json_response({"error": "tenant not allowed"}, status=403)
        try:
            response = await process(request)
        except web.HTTPException as exc:
            if exc.status in (401, 403):
                log.warning("refused unauthenticated activity", extra=fields(status=exc.status))
            return web.json_response({"error": exc.reason}, status=exc.status)
        return response if response is not None else web.Response(status=201)

    return messages


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers. Restarting it is the only cure when this fails."""
    return web.json_response({"status": "ok"})


Check = Callable[[], Awaitable[bool]]


def readyz_handler(
    checks: Callable[[web.Request], dict[str, Check]], timeout: float = 5.0
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Readiness: the store answers and the scheduler loop is alive. App Service's health check
    uses this one, so an instance that cannot reach its store gets no traffic."""

    async def readyz(request: web.Request) -> web.Response:
        results: dict[str, str] = {}
        for name, check in checks(request).items():
            try:
                async with asyncio.timeout(timeout):
                    ok = await check()
            except Exception as error:  # any failure is "not ready"; the type alone is logged
                log.warning("readiness check failed", extra=fields(check=name, error=type(error).__name__))
                ok = False
            results[name] = "ok" if ok else "failing"
        ready = all(value == "ok" for value in results.values())
        return web.json_response({"status": "ok" if ready else "failing", **results}, status=200 if ready else 503)

    return readyz


Opened = Callable[[web.Request, str, str, str], Awaitable[None]]  # (request, case id, sha256, viewer)


def evidence_handler(
    links: EvidenceLinks, store_of: Callable[[web.Request], Store], opened: Opened | None = None
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Open one evidence file from a signed, expiring link. Anything else is a 404.

    A link signed for a viewer (`to`) is an access-log line on the case before the file is served
    (`opened`); if that line cannot be written, the file is not served."""

    async def evidence(request: web.Request) -> web.StreamResponse:
        case_id = request.match_info["case_id"]
        sha = request.match_info["sha256"]
        q = request.query
        viewer = q.get("to", "")
        if not links.verify(case_id, sha, q.get("exp", ""), q.get("sig", ""), viewer):
            log.warning("evidence link refused", extra=fields())
            raise web.HTTPNotFound()
        store = store_of(request)
        name = names.evidence(case_id, sha)
        meta = await store.get_evidence_meta(name)
        if meta is None:
            raise web.HTTPNotFound()
        if viewer and opened is not None:
            await opened(request, case_id, sha, viewer)
        sas = await store.evidence_read_url(name, 5)
        if sas is not None:  # Azure Blob: a read-only SAS for five minutes, minted now
            raise web.HTTPFound(sas, headers={"Cache-Control": "no-store"})
        response = web.StreamResponse(
            headers={
                "Content-Type": meta.content_type,
                "Content-Length": str(meta.size),
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(meta.original_name)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            }
        )
        await response.prepare(request)
        async for chunk in store.read_evidence(name):
            await response.write(chunk)
        await response.write_eof()
        return response

    return evidence


class PackOpener(Protocol):
    """The service side of a pack download: the audit line, then the stored file."""

    async def opened(self, case_id: str, sha256: str, issued_to: str) -> EvidenceMeta: ...

    def read(self, case_id: str, sha256: str) -> AsyncGenerator[bytes, None]: ...


def pack_handler(
    links: EvidenceLinks, packs_of: Callable[[web.Request], PackOpener]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Download one evidence pack file from a signed, expiring link issued to one person.

    Streamed through the bot (never a SAS redirect), so the download is an audit line and the file
    arrives under its own name (`Bevismappe-KH-2026-0001.pdf`). Anything else is a 404."""
    return signed_download(links.verify_pack, packs_of, "evidence pack")


def export_handler(
    links: EvidenceLinks, exports_of: Callable[[web.Request], PackOpener]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Download a person's data export (GDPR art. 15) from HR's signed, expiring link."""
    return signed_download(links.verify_export, exports_of, "person export")


def signed_download(
    verify: Callable[[str, str, str, str, str], bool], opener_of: Callable[[web.Request], PackOpener], what: str
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def download(request: web.Request) -> web.StreamResponse:
        case_id = request.match_info["case_id"]
        sha = request.match_info["sha256"]
        q = request.query
        if not verify(case_id, sha, q.get("to", ""), q.get("exp", ""), q.get("sig", "")):
            log.warning("download link refused", extra=fields(what=what))
            raise web.HTTPNotFound()
        packs = opener_of(request)
        try:
            meta = await packs.opened(case_id, sha, q["to"])
        except NotFound:
            raise web.HTTPNotFound() from None
        response = web.StreamResponse(
            headers={
                "Content-Type": meta.content_type,
                "Content-Length": str(meta.size),
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(meta.original_name)}",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            }
        )
        await response.prepare(request)
        # aclosing: a client that leaves mid-download cancels this task; the file is closed at once.
        async with aclosing(packs.read(case_id, sha)) as chunks:
            async for chunk in chunks:
                await response.write(chunk)
        await response.write_eof()
        return response

    return download
