"""A fake Bot Connector (the Teams side of proactive messaging) on 127.0.0.1.

It speaks the REST routes botbuilder's ConnectorClient calls and enforces Teams' throttling: per
conversation thread 7/1 s, 8/2 s, 60/30 s, 1800/h and 50 requests a second for the app, answering
429 with a Retry-After of whole seconds until the window frees. Only accepted requests count. It
records every accepted activity so tests assert on what a channel would show, and it can be told
to fail (503/412/...), to say the bot was removed (403), that a conversation is unknown (404),
or to drop the connection before or after it has accepted an activity (a crash mid-send).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import math
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
APP_WINDOWS: tuple[tuple[int, float], ...] = ((50, 1.0),)

_PREFIX = r"/{_prefix:(?:[^/]*/)*}v3"


@dataclass
class Recorded:
    """One accepted activity, as the channel would show it."""

    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    at: float
    reply_to_id: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Throttled:
    conversation_id: str
    at: float
    retry_after: int


@dataclass
class Request:
    """Every request the fake saw, with how it answered (status 0 = connection dropped)."""

    method: str
    conversation_id: str
    status: int
    at: float
    raw_path: str = ""  # as it came on the request line, percent-encoding and all


@dataclass
class _Fault:
    status: int  # 0 = drop the connection
    conversation_id: str | None
    after_accept: bool = False
    retry_after: int | None = None


class _Windows:
    def __init__(self, spec: tuple[tuple[int, float], ...]) -> None:
        self._spec = spec
        self._stamps: deque[float] = deque(maxlen=max(n for n, _ in spec))

    def retry_after(self, now: float) -> float:
        """Seconds until one more request fits (0 = it fits now)."""
        wait = 0.0
        for limit, seconds in self._spec:
            if len(self._stamps) >= limit:
                wait = max(wait, self._stamps[-limit] + seconds - now)
        return wait

    def record(self, now: float) -> None:
        self._stamps.append(now)


class FakeConnector:
    """Start with `async with FakeConnector() as fake:`; `fake.service_url` goes into references."""

    def __init__(
        self,
        *,
        conversation_windows: tuple[tuple[int, float], ...] = CONVERSATION_WINDOWS,
        app_windows: tuple[tuple[int, float], ...] = APP_WINDOWS,
        prefix: str = "/_connector",
    ) -> None:
        self._conversation_windows = conversation_windows
        self._app_windows = app_windows
        self._prefix = prefix.rstrip("/")
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)
        self._faults: list[_Fault] = []
        self._reset_limits()
        self.activities: list[Recorded] = []
        self.throttled: list[Throttled] = []
        self.created: list[dict[str, Any]] = []
        self.opened: dict[str, str] = {}  # member id -> the 1:1 conversation created with them
        self.log: list[Request] = []
        self.removed: set[str] = set()
        self.unknown: set[str] = set()
        self.blocked_users: set[str] = set()
        self.auth_headers: list[str | None] = []

    # --- lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> FakeConnector:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._log_request])
        app.router.add_post(_PREFIX + "/conversations", self._create_conversation)
        app.router.add_post(_PREFIX + "/conversations/{cid}/activities", self._send)
        app.router.add_post(_PREFIX + "/conversations/{cid}/activities/{reply_to}", self._send)
        app.router.add_put(_PREFIX + "/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get(_PREFIX + "/conversations/{cid}/members/{mid}", self._member)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))  # the same port again after a restart
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> None:
        """A connector restart: same URL, throttle state forgotten, records kept."""
        await self.stop()
        self._reset_limits()
        await self.start()

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self._port}{self._prefix}/"

    # --- steering --------------------------------------------------------------------------
    def fail_next(
        self,
        count: int,
        status: int = 503,
        *,
        conversation_id: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `count` requests (for one conversation, or any) get `status`, unthrottled."""
        self._faults += [_Fault(status, conversation_id, retry_after=retry_after) for _ in range(count)]

    def drop_next(self, count: int, *, after_accept: bool, conversation_id: str | None = None) -> None:
        """Reset the connection on the next requests; `after_accept` records the activity first."""
        self._faults += [_Fault(0, conversation_id, after_accept=after_accept) for _ in range(count)]

    def remove_bot(self, conversation_id: str) -> None:
        """The bot was removed from this conversation: every later request gets 403."""
        self.removed.add(conversation_id)

    def forget(self, conversation_id: str) -> None:
        """The conversation no longer exists: 404."""
        self.unknown.add(conversation_id)

    # --- records ---------------------------------------------------------------------------
    def messages(self, conversation_id: str | None = None) -> list[Recorded]:
        return [r for r in self.activities if conversation_id in (None, r.conversation_id)]

    def find(self, activity_id: str) -> Recorded:
        return next(r for r in self.activities if r.activity_id == activity_id)

    @property
    def requests(self) -> int:
        return len(self.log)

    def statuses(self, conversation_id: str | None = None) -> list[int]:
        return [r.status for r in self.log if conversation_id in (None, r.conversation_id)]

    # --- handlers --------------------------------------------------------------------------
    @web.middleware
    async def _log_request(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        entry = Request(request.method, request.match_info.get("cid", ""), 0, time.monotonic(), request.raw_path)
        self.log.append(entry)
        response = await handler(request)
        entry.status = response.status
        return response

    async def _create_conversation(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        members = body.get("members") or []
        if len(members) != 1 or body.get("isGroup"):
            return _error(400, "BadArgument", "a 1:1 conversation needs exactly one member")
        member_id = members[0].get("id", "")
        if member_id in self.blocked_users:
            return _error(403, "Forbidden", "the bot is not installed for this user")
        faulted = await self._fault(request, "")
        if faulted is not None:
            return faulted
        throttled = self._throttle(None, time.monotonic())
        if throttled is not None:
            return throttled
        self.created.append(body)
        # Teams answers the same 1:1 conversation for the same user and bot.
        # botbuilder-python spells it "tenantID"; the service reads JSON case-insensitively.
        tenant = next((v for k, v in body.items() if k.lower() == "tenantid"), None)
        digest = hashlib.sha256(f"{member_id}|{tenant}".encode()).hexdigest()[:24]
        self.opened[member_id] = f"a:1{digest}"
        return web.json_response({"id": f"a:1{digest}", "serviceUrl": self.service_url}, status=201)

    async def _send(self, request: web.Request) -> web.StreamResponse:
        cid = request.match_info["cid"]
        activity = await request.json()
        self.auth_headers.append(request.headers.get("Authorization"))
        refused = self._refuse(cid) or await self._fault(request, cid)
        if refused is not None:
            return refused
        now = time.monotonic()
        throttled = self._throttle(cid, now)
        if throttled is not None:
            return throttled
        record = Recorded(cid, f"1:{next(self._ids)}", copy.deepcopy(activity), now, request.match_info.get("reply_to"))
        self.activities.append(record)
        dropped = await self._fault(request, cid, after_accept=True)
        if dropped is not None:
            return dropped
        return web.json_response({"id": record.activity_id}, status=201)

    async def _member(self, request: web.Request) -> web.StreamResponse:
        """One member of a conversation, as botbuilder asks when someone is added to a chat
        (TeamsInfo.get_member): Teams answers with the account; the fake knows only its ids."""
        refused = self._refuse(request.match_info["cid"])
        if refused is not None:
            return refused
        member = request.match_info["mid"]
        return web.json_response({"id": member, "aadObjectId": member.removeprefix("29:")}, status=200)

    async def _update(self, request: web.Request) -> web.StreamResponse:
        cid, aid = request.match_info["cid"], request.match_info["aid"]
        activity = await request.json()
        refused = self._refuse(cid) or await self._fault(request, cid)
        if refused is not None:
            return refused
        target = next((r for r in self.activities if r.activity_id == aid and r.conversation_id == cid), None)
        if target is None:
            return _error(404, "ActivityNotFound", "no such activity")
        throttled = self._throttle(cid, time.monotonic())
        if throttled is not None:
            return throttled
        target.updates.append(copy.deepcopy(activity))
        return web.json_response({"id": aid}, status=200)

    def _refuse(self, cid: str) -> web.Response | None:
        if cid in self.removed:
            return _error(403, "BotNotInConversationRoster", "The bot is not in the conversation roster.")
        if cid in self.unknown:
            return _error(404, "ConversationNotFound", "Conversation not found.")
        return None

    async def _fault(self, request: web.Request, cid: str, *, after_accept: bool = False) -> web.Response | None:
        for i, fault in enumerate(self._faults):
            if fault.after_accept != after_accept or fault.conversation_id not in (None, cid):
                continue
            del self._faults[i]
            if fault.status == 0:
                transport = request.transport
                if transport is not None:
                    transport.abort()
                raise asyncio.CancelledError  # the handler dies with its connection
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
            return _error(fault.status, "ServiceError", "injected failure", headers)
        return None

    def _throttle(self, cid: str | None, now: float) -> web.Response | None:
        """Count an accepted request, or answer 429 with the whole seconds until it would fit."""
        conversation = None
        if cid is not None:
            conversation = self._per_conversation.setdefault(cid, _Windows(self._conversation_windows))
        wait = self._app.retry_after(now)
        if conversation is not None:
            wait = max(wait, conversation.retry_after(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.throttled.append(Throttled(cid or "", now, retry_after))
            return _error(429, "TooManyRequests", "throttled", {"Retry-After": str(retry_after)})
        self._app.record(now)
        if conversation is not None:
            conversation.record(now)
        return None

    def _reset_limits(self) -> None:
        self._app = _Windows(self._app_windows)
        self._per_conversation: dict[str, _Windows] = {}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)
