"""The leader directory from Microsoft Graph: an employee's manager in Entra ID is their leader.

Application permissions needed: User.Read.All (users and managers) and GroupMember.Read.All (HR as a
group). Graph throttles: 429 is retried after its Retry-After, 5xx and network errors with
exponential back-off and jitter, both a bounded number of times; a 401 gets one fresh token. When
Graph still cannot answer, `DirectoryUnavailable` is raised and the chain falls back to the file.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from yarl import URL

from bot.directory.model import (
    NAME_MAX,
    DirectoryEntry,
    DirectoryUnavailable,
    Person,
    Workplace,
    is_object_id,
    workplaces_of,
)
from bot.directory.token import TokenProvider
from bot.hosting.logs import pseudonym
from bot.hosting.telemetry import METRICS

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_PERSON_SELECT = "id,displayName"
_USER_SELECT = "id,displayName,department,officeLocation"


class GraphDirectory:
    """`Directory` over Graph. The aiohttp session is injected (one per app, closed by its owner)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        *,
        base_url: str = "https://graph.microsoft.com",
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_retry_after: float = 30.0,
        timeout: float = 10.0,
        group_cache_seconds: float = 300.0,
        units_cache_seconds: float = 600.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._base = URL(base_url.rstrip("/"))
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._group_ttl = group_cache_seconds
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._group_lock = asyncio.Lock()
        self._units_ttl = units_cache_seconds
        self._workplaces: tuple[float, list[Workplace]] | None = None

    async def lookup(self, employee: str) -> DirectoryEntry | None:
        if not is_object_id(employee):
            return None
        user, leader = await asyncio.gather(
            self._get(self._url("users", employee, select=_USER_SELECT)), self._manager_of(employee)
        )
        if user is None:
            return None
        leader_manager = await self._manager_of(leader.aad_object_id) if leader else None
        unit = user.get("department") or user.get("officeLocation") or None
        return DirectoryEntry(
            employee_id=employee.lower(),
            employee_name=str(user.get("displayName") or "")[:NAME_MAX],
            leader=leader,
            unit=str(unit) if unit else None,
            leader_manager=leader_manager,
        )

    async def units(self) -> list[str]:
        return [w.name for w in await self.workplaces()]

    async def workplaces(self) -> list[Workplace]:
        """Every department named on a user, led by the manager most of its users have.

        One paged read of all users with their managers (`$expand=manager`); kept for
        `units_cache_seconds`, as the registration card and the twice-yearly reminder ask for it."""
        cached = self._workplaces
        if cached is not None and self._clock() - cached[0] <= self._units_ttl:
            return list(cached[1])
        entries: list[DirectoryEntry] = []
        url: URL | None = self._url(
            "users", select=_USER_SELECT, expand=f"manager($select={_PERSON_SELECT})", top="999"
        )
        while url is not None:
            status, body = await self._request(url)
            self._raise_for(status, body)
            assert body is not None
            for user in body.get("value", []):
                entry = _entry_of(user)
                if entry is not None:
                    entries.append(entry)
            url = self._next_link(body.get("@odata.nextLink"))
        places = workplaces_of(entries)
        self._workplaces = (self._clock(), places)
        return list(places)

    async def leaders(self) -> list[Person]:
        return []  # in Teams the card's people picker searches the directory instead

    async def is_leader(self, user_id: str) -> bool:
        """Someone with at least one direct report in Entra ID (one small read: `$top=1`)."""
        if not is_object_id(user_id):
            return False
        body = await self._get(self._url("users", user_id, "directReports", select="id", top="1"))
        return bool(body and body.get("value"))

    async def is_member_of_group(self, user_id: str, group_id: str) -> bool:
        if not (is_object_id(user_id) and is_object_id(group_id)):
            return False
        return user_id.lower() in await self.group_members(group_id)

    async def group_members(self, group_id: str) -> frozenset[str]:
        """The group's users (nested groups expanded), read through Graph's pages and cached for
        `group_cache_seconds`. A failed read is not cached: the next call asks Graph again."""
        if not is_object_id(group_id):
            return frozenset()
        group_id = group_id.lower()
        cached = self._groups.get(group_id)
        if cached is not None and self._clock() - cached[0] <= self._group_ttl:
            return cached[1]
        async with self._group_lock:  # many messages to HR at once must not each page through Graph
            cached = self._groups.get(group_id)
            if cached is None or self._clock() - cached[0] > self._group_ttl:
                cached = (self._clock(), await self._group_members(group_id))
                self._groups[group_id] = cached
        return cached[1]

    async def _manager_of(self, user_id: str) -> Person | None:
        body = await self._get(self._url("users", user_id, "manager", select=_PERSON_SELECT))
        if body is None or not isinstance(body.get("id"), str):
            return None
        return Person(aad_object_id=body["id"].lower(), name=str(body.get("displayName") or "")[:NAME_MAX])

    async def _group_members(self, group_id: str) -> frozenset[str]:
        """Every member, nested groups included, following Graph's paging links."""
        members: set[str] = set()
        url: URL | None = self._url("groups", group_id, "transitiveMembers", select="id", top="999")
        pages = 0
        while url is not None:
            pages += 1
            status, body = await self._request(url)
            if status == 404:
                log.warning("group not found in Graph", extra={"fields": {"group": pseudonym(group_id)}})
                return frozenset()
            self._raise_for(status, body)
            assert body is not None
            members.update(str(m["id"]).lower() for m in body.get("value", []) if _is_user(m))
            url = self._next_link(body.get("@odata.nextLink"))
        log.debug("group members read", extra={"fields": {"group_id": group_id, "pages": pages}})
        return frozenset(members)

    def _next_link(self, link: Any) -> URL | None:
        if not isinstance(link, str):
            return None
        url = URL(link, encoded=True)
        if url.origin() != self._base.origin():  # the bearer token goes to Graph only
            raise DirectoryUnavailable("Graph paging link points elsewhere")
        return url

    def _url(self, *segments: str, **query: str) -> URL:
        url = self._base / "v1.0"
        for segment in segments:
            url = url / segment  # yarl quotes each segment
        return url.with_query({f"${k}": v for k, v in query.items()})

    async def _get(self, url: URL) -> dict[str, Any] | None:
        """GET a Graph resource; None when Graph says it does not exist (404)."""
        status, body = await self._request(url)
        if status == 404:
            return None
        self._raise_for(status, body)
        return body

    @staticmethod
    def _raise_for(status: int, body: dict[str, Any] | None) -> None:
        if status != 200 or body is None:
            code = ""
            if body and isinstance(body.get("error"), dict):
                code = str(body["error"].get("code", ""))
            log.warning("Graph refused", extra={"fields": {"status": status, "code": code}})
            raise DirectoryUnavailable(f"Graph answered {status} {code}".strip())

    async def _request(self, url: URL) -> tuple[int, dict[str, Any] | None]:
        """GET with the retry policy; returns the final status and JSON body."""
        refreshed = False
        attempt = 0
        while True:
            token = await self._tokens.token()
            retry_after: str | None = None
            try:
                # A dependency span per attempt, named "graph" (its URL holds an object id).
                with METRICS.dependency("graph", "GET") as span:
                    async with self._session.get(
                        url, headers={"Authorization": f"Bearer {token}"}, timeout=self._timeout
                    ) as resp:
                        status = resp.status
                        span.set_attribute("http.response.status_code", status)
                        retry_after = resp.headers.get("Retry-After")
                        try:
                            body = await resp.json(content_type=None)
                        except ValueError:  # a gateway's HTML error page, say: the status still counts
                            body = None
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, body = 0, None
                log.info("Graph request failed", extra={"fields": {"error_type": type(exc).__name__}})
            if status == 401 and not refreshed:
                refreshed = True
                await self._tokens.invalidate(token)
                continue
            if status not in RETRY_STATUSES and status != 0:
                return status, body if isinstance(body, dict) else None
            attempt += 1
            if attempt >= self._max_attempts:
                log.warning("Graph retries exhausted", extra={"fields": {"status": status}})
                raise DirectoryUnavailable(f"Graph unavailable after {attempt} attempts (last {status})")
            await self._sleep(self._delay(status, retry_after, attempt))

    def _delay(self, status: int, retry_after: str | None, attempt: int) -> float:
        if status == 429 and retry_after is not None:
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = -1.0  # an HTTP date: Graph sends seconds, so fall back to back-off
            if seconds > self._max_retry_after:
                raise DirectoryUnavailable("Graph asked us to wait longer than we will")
            if seconds >= 0:
                return seconds
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2  # "equal jitter": never zero, never above the cap


def _is_user(member: Any) -> bool:
    """transitiveMembers lists nested groups, devices and service principals too; only users
    can be sent a message or act as HR. An entry without a type is taken as a user."""
    if not isinstance(member, dict) or not isinstance(member.get("id"), str):
        return False
    return bool(member.get("@odata.type", "#microsoft.graph.user") == "#microsoft.graph.user")


def _entry_of(user: Any) -> DirectoryEntry | None:
    """A user from the users listing, as an entry naming their unit and leader (None if unusable)."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return None
    unit = user.get("department") or user.get("officeLocation")
    if not isinstance(unit, str) or not unit.strip():
        return None
    manager = user.get("manager")
    leader = None
    if isinstance(manager, dict) and isinstance(manager.get("id"), str) and is_object_id(manager["id"]):
        leader = Person(manager["id"].lower(), str(manager.get("displayName") or "")[:NAME_MAX])
    return DirectoryEntry(
        employee_id=user["id"].lower(),
        employee_name=str(user.get("displayName") or "")[:NAME_MAX],
        leader=leader,
        unit=unit[:NAME_MAX],
    )
