"""Durable audit (issue 12): the audit line of a decision cannot be lost when the process dies
after the case write.

The line is written into the case document's outbox in the same ETag write as the decision, then
appended to the log. Here the append fails (a store wrapper), as if the process had died right
after the case write; a restarted instance on the same store delivers the line on its first tick,
once, and the history shows it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from bot.hosting.settings import Settings
from bot.presenters.case_cards import CaseCards
from bot.storage.local import LocalStore
from bot.texts import Texts
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.hostile.delivery_harness import EMPLOYEE, LEADER, HostileApp, file_directory, hostile_app


class AppendFails:
    """The real store, except that appending to the audit log fails while `failing` is set (and,
    with `drop_fails`, the case write that would empty the outbox after a successful append)."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        self.failing = True
        self.drop_fails = False
        self.refused = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def append_audit(self, case_id: str, entry: Any) -> None:
        if self.failing:
            self.refused += 1
            raise OSError("the process died here")
        await self._store.append_audit(case_id, entry)

    async def append_audit_lines(self, case_id: str, entries: Any) -> None:
        if self.failing:
            self.refused += 1
            raise OSError("the process died here")
        await self._store.append_audit_lines(case_id, entries)

    async def put(self, name: str, data: Any, **kw: Any) -> str:
        if self.drop_fails and name.startswith("cases/") and "audit" not in data:
            raise OSError("the process died before the outbox was emptied")
        etag: str = await self._store.put(name, data, **kw)
        return etag


@dataclass
class Env:
    store: LocalStore
    settings: Settings
    connector: FakeConnector
    clock: FakeClock
    folder: Path

    @asynccontextmanager
    async def app(self, store: Any = None) -> AsyncIterator[HostileApp]:
        """One app process over HTTP on the shared store (or on a wrapper around it)."""
        directory = await file_directory(self.folder)
        async with hostile_app(self.settings, store or self.store, self.connector, self.clock, directory) as app:
            yield app


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    store = LocalStore(tmp_path / "data")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    async with FakeConnector() as connector:
        yield Env(store, settings, connector, FakeClock(), tmp_path)
    await store.close()


def types(lines: list[dict[str, Any]]) -> list[str]:
    return [str(line.get("type")) for line in lines]


async def test_a_decision_whose_audit_append_fails_is_logged_after_a_restart(env: Env) -> None:
    failing = AppendFails(env.store)
    async with env.app(failing) as first:
        case_id = await first.report(EMPLOYEE)
        status, answer = await first.click(LEADER, {"case_id": case_id, "action": "offer_made", "offered_via": "phone"})
        assert status == 200 and answer["value"]["type"] == "AdaptiveCard"  # the decision stands
    assert failing.refused >= 2  # the new case's line and the decision's line were refused
    assert await env.store.read_audit(case_id) == []  # nothing reached the log
    pending = (await first.runtime.cases.get(case_id)).audit
    assert "CaseOpened" in types(pending) and any(line.get("step") for line in pending)

    async with env.app() as restarted:  # a new process on the same store
        await restarted.tick()
        log = await env.store.read_audit(case_id)
        assert types(log).count("CaseOpened") == 1
        assert len([line for line in log if line.get("step") == "police_offer"]) == 1
        assert (await restarted.runtime.cases.get(case_id)).audit == []
        await restarted.tick()
        assert await env.store.read_audit(case_id) == log  # delivered once


async def test_a_line_appended_before_the_crash_is_not_appended_again(env: Env) -> None:
    failing = AppendFails(env.store)
    failing.failing = False
    failing.drop_fails = True  # the append works, the write that empties the outbox does not
    async with env.app(failing) as first:
        case_id = await first.report(EMPLOYEE)
        await first.click(LEADER, {"case_id": case_id, "action": "offer_made", "offered_via": "phone"})
    assert (await first.runtime.cases.get(case_id)).audit  # still in the outbox
    async with env.app() as restarted:
        await restarted.tick()
        log = await env.store.read_audit(case_id)
        assert types(log).count("CaseOpened") == 1
        assert len({line["id"] for line in log}) == len(log)  # no line twice
        assert (await restarted.runtime.cases.get(case_id)).audit == []


async def test_the_case_history_shows_a_recovered_line_once(env: Env) -> None:
    failing = AppendFails(env.store)
    async with env.app(failing) as first:
        case_id = await first.report(EMPLOYEE)
    async with env.app() as restarted:
        await restarted.tick()
        case = (await restarted.runtime.cases.get(case_id)).case
        painter = cast(CaseCards, restarted.runtime.notifications.cards)  # the app's painter: it has the history
        history = await painter.history(case, Texts("da"))
        assert [h.what for h in history].count("Sagen blev indberettet") == 1
