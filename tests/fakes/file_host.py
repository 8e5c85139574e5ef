"""A fake of the hosts Teams attachments come from (SharePoint/OneDrive download URLs, the bot
connector's inline-image URLs), on 127.0.0.1, with the hostile and broken answers we must survive.

It records every request it receives, so a test can prove that a refused download never reached
it (or never reached a redirect target). `FakeHostPolicy` lets exactly this host through; the
production policy would refuse it (plain http, loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

from aiohttp import web
from yarl import URL

from bot.errors import EvidenceRejected
from bot.intake.netpolicy import IPAddress

TOKEN = "fake-bot-token"


def _png() -> bytes:
    """A real 1x1 PNG, so 'good' files are honest files, not just a magic number."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(256)) + b"\xff\xd9"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
TEXT = b"Det her er ikke et billede, bare tekst med .png i navnet.\n"
SHAREPOINT_403 = (
    b'{"error":{"code":"accessDenied","message":"The provided token has expired or is invalid (tempauth)."}}'
)

GOOD_FILES: dict[str, tuple[bytes, str]] = {
    "shot.png": (PNG, "image/png"),
    "photo.jpg": (JPEG, "image/jpeg"),
    "doc.pdf": (PDF, "application/pdf"),
    "pic.heic": (HEIC, "image/heic"),
    "notes.png": (TEXT, "image/png"),  # lies: text behind a .png name and header
}


@dataclass(frozen=True)
class Seen:
    path: str
    authorization: str | None
    accept_encoding: str | None = None


class FakeFileHost:
    """`async with FakeFileHost() as host:`; `host.url("/files/shot.png")`."""

    def __init__(self, *, slow_seconds: float = 5.0) -> None:
        self.slow_seconds = slow_seconds
        self.seen: list[Seen] = []
        # /custom/{name}: bytes and headers a test serves as it likes (a Word file, a gzip bomb...)
        self.custom: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.redirect_target = "http://127.0.0.1:9/files/shot.png"  # tests set this
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> FakeFileHost:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_get("/files/{name}", self._file)
        app.router.add_get("/sized/{size}", self._sized)
        app.router.add_get("/oversize/chunked/{size}", self._chunked)
        app.router.add_get("/oversize/declared", self._declared)
        app.router.add_get("/redirect/to-target", self._to_target)
        app.router.add_get("/redirect/same-host", self._same_host)
        app.router.add_get("/redirect/loop/{n}", self._loop)
        app.router.add_get("/expired/403", self._expired_403)
        app.router.add_get("/expired/410", self._expired_410)
        app.router.add_get("/expired/400", self._expired_400)
        app.router.add_get("/error/500", self._error_500)
        app.router.add_get("/slow/headers", self._slow_headers)
        app.router.add_get("/slow/body", self._slow_body)
        app.router.add_get("/auth/inline.png", self._auth)
        app.router.add_get("/custom/{name}", self._custom)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release.set()  # wake slow handlers so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.seen.append(
            Seen(request.path, request.headers.get("Authorization"), request.headers.get("Accept-Encoding"))
        )
        return await handler(request)

    async def _file(self, request: web.Request) -> web.Response:
        found = GOOD_FILES.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="Not Found")
        body, content_type = found
        return web.Response(body=body, content_type=content_type)

    async def _stream(self, request: web.Request, size: int, *, declare: bool) -> web.StreamResponse:
        """PNG-headed `size` bytes in 64 KiB writes; never holds the whole body."""
        resp = web.StreamResponse(headers={"Content-Type": "image/png"})
        if declare:
            resp.content_length = size
        else:
            resp.enable_chunked_encoding()
        await resp.prepare(request)
        zeros = b"\x00" * (64 * 1024)
        sent = 0
        with contextlib.suppress(ConnectionResetError):
            while sent < size:
                n = min(len(zeros), size - sent)
                await resp.write(PNG[:8] + zeros[8:n] if sent == 0 else zeros[:n])
                sent += n
            await resp.write_eof()
        return resp

    async def _sized(self, request: web.Request) -> web.StreamResponse:
        return await self._stream(request, int(request.match_info["size"]), declare=True)

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        # No Content-Length at all: only counting received bytes can stop it.
        return await self._stream(request, int(request.match_info["size"]), declare=False)

    async def _declared(self, request: web.Request) -> web.StreamResponse:
        return await self._stream(request, 100 * 1024 * 1024, declare=True)

    async def _to_target(self, request: web.Request) -> web.Response:
        # Raw header: the target may be deliberately malformed.
        return web.Response(status=302, headers={"Location": self.redirect_target})

    async def _same_host(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/files/shot.png")

    async def _loop(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound("/files/shot.png" if n <= 0 else f"/redirect/loop/{n - 1}")

    async def _expired_403(self, request: web.Request) -> web.Response:
        return web.Response(status=403, body=SHAREPOINT_403, content_type="application/json")

    async def _expired_410(self, request: web.Request) -> web.Response:
        return web.Response(status=410, text="Gone")

    async def _expired_400(self, request: web.Request) -> web.Response:
        return web.Response(status=400, text="The pre-authenticated link has expired.")

    async def _error_500(self, request: web.Request) -> web.Response:
        return web.Response(status=500, text="oops")

    async def _slow_headers(self, request: web.Request) -> web.Response:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        return web.Response(body=PNG, content_type="image/png")

    async def _slow_body(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "image/png"})
        resp.content_length = len(PNG)
        await resp.prepare(request)
        await resp.write(PNG[:20])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        with contextlib.suppress(ConnectionResetError):
            await resp.write(PNG[20:])
        return resp

    async def _custom(self, request: web.Request) -> web.Response:
        found = self.custom.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="Not Found")
        body, headers = found
        return web.Response(body=body, headers=headers)

    async def _auth(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.Response(status=401, text="Unauthorized")
        return web.Response(body=PNG, content_type="image/png")


def token_origins(*origins: str) -> Callable[[URL], bool]:
    """Which URLs play the Bot Framework's attachment hosts (the only ones given the bot's token)."""
    allowed = {URL(o).origin() for o in origins}
    return lambda url: url.origin() in allowed


class FakeHostPolicy:
    """Allows exactly the given origins (http allowed: it is a test), and only loopback
    addresses. Everything else gets the same reason keys the production policy uses."""

    def __init__(self, *origins: str) -> None:
        self._origins = {URL(o).origin() for o in origins}

    def check_url(self, url: URL) -> None:
        if url.scheme not in ("http", "https"):
            raise EvidenceRejected("evidence.not_https", url.scheme)
        if url.origin() not in self._origins:
            raise EvidenceRejected("evidence.host_not_allowed", str(url.origin()))

    def address_allowed(self, address: IPAddress) -> bool:
        return address == ipaddress.ip_address("127.0.0.1")
