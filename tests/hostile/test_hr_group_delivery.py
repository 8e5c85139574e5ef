"""A case always reaches a person, and the bot never claims otherwise (issue 12).

HR is configured only as an Entra group (HR_GROUP_ID). The group is expanded through the fake
Graph (paged, cached, 429-aware) for every HR message. A message that reaches nobody (an empty
group, Graph down or hanging, an unreachable leader with nobody at HR) stays pending and is
retried; after UNDELIVERED_ALERT_MINUTES the reporter is told the truth and an ERROR is logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.graph import FakeGraph, running_fake_graph
from tests.hostile.delivery_harness import (
    EMPLOYEE,
    HR_GROUP,
    HR_PEOPLE,
    LEADER,
    NEWCOMER,
    HostileApp,
    Waits,
    graph_directory,
    hostile_app,
)

# What the bot may say only once HR (or the leader) really has the case.
CLAIMS_HR_KNOWS = ("HR har fået sagen", "HR er orienteret", "HR has the case", "HR has been told")
NOBODY_DA = "endnu ikke nået frem til nogen"
NOBODY_EN = "has not reached anyone yet"


@dataclass
class Env:
    app: HostileApp
    graph: FakeGraph
    store: LocalStore
    waits: Waits


@pytest.fixture
async def env(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Env]:
    members: list[str] = getattr(request, "param", HR_PEOPLE)
    graph = FakeGraph(page_size=2)
    graph.groups[HR_GROUP] = list(members)
    clock = FakeClock()
    waits = Waits(clock)
    store = LocalStore(tmp_path / "data")
    settings = Settings.from_env(
        {"DATA_DIR": str(tmp_path / "data"), "HR_GROUP_ID": HR_GROUP, "UNDELIVERED_ALERT_MINUTES": "60"}
    )
    async with (
        running_fake_graph(tmp_path, graph) as fake,
        graph_directory(fake, clock, tmp_path, sleep=waits) as directory,
        FakeConnector() as connector,
        hostile_app(settings, store, connector, clock, directory) as app,
    ):
        yield Env(app, graph, store, waits)
    await store.close()


def member_pages(graph: FakeGraph) -> list[str | None]:
    return [r.query.get("$skiptoken") for r in graph.graph_requests if r.path.endswith("/transitiveMembers")]


def claims_hr_knows(texts: list[str]) -> bool:
    return any(claim in text for text in texts for claim in CLAIMS_HR_KNOWS)


async def test_a_case_nobody_leads_reaches_every_member_of_hrs_group(env: Env) -> None:
    app = env.app
    case_id = await app.report(NEWCOMER, leader="unknown")

    for hr in HR_PEOPLE:  # three members over two pages of Graph
        assert any("har ingen leder" in t for t in app.said_to(hr)), hr
    assert member_pages(env.graph) == [None, "2"]
    case = (await app.runtime.cases.get(case_id)).case
    assert f"unassigned:{case_id}" in case.reminders_sent
    [notified] = [a for a in await env.store.read_audit(case_id) if a.get("type") == "notified"]
    assert notified["reached"] == 3
    told = app.said_to(NEWCOMER)
    assert any("Jeg sender sagen til HR" in t for t in told)  # the receipt promises only what is done

    await app.report(EMPLOYEE)  # another case inside the cache's lifetime: no new member read
    assert member_pages(env.graph) == [None, "2"]


async def test_hrs_group_is_read_again_after_a_429_with_retry_after(env: Env) -> None:
    app = env.app
    await app.report(NEWCOMER, leader="unknown", before_submit=lambda: env.graph.fail_next(503, times=1000))
    env.graph._faults.clear()
    env.graph.fail_next(429, retry_after="3")  # the tick's first Graph request: HR's group
    pages_before = len(member_pages(env.graph))
    app.clock.advance(minutes=2)
    await app.tick()
    assert all(any("har ingen leder" in t for t in app.said_to(hr)) for hr in HR_PEOPLE)
    assert 3.0 in env.waits.asked  # Graph's Retry-After, honoured
    assert member_pages(env.graph)[pages_before:] == [None, None, "2"]  # the throttled page asked again


@pytest.mark.parametrize("env", [[]], indirect=True)
async def test_an_empty_hr_group_keeps_the_case_pending_then_the_reporter_hears_the_truth(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    app = env.app
    caplog.set_level(logging.INFO)
    case_id = await app.report(NEWCOMER, leader="unknown")
    doc = await app.runtime.cases.get(case_id)
    assert f"unassigned:{case_id}" not in doc.case.reminders_sent  # never "delivered" to nobody
    assert doc.retry[f"unassigned:{case_id}"]["attempts"] == 1
    assert not any(a.get("type") == "notified" for a in await env.store.read_audit(case_id))

    app.clock.advance(minutes=30)
    await app.tick()  # retried, still nobody: not yet time to alarm anyone
    assert not any(NOBODY_DA in t for t in app.said_to(NEWCOMER))
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    app.clock.advance(minutes=31)
    await app.tick()
    assert sum(NOBODY_DA in t for t in app.said_to(NEWCOMER)) == 1
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.getMessage() == "notification undelivered: nobody reached"
    line = json.dumps(getattr(error, "fields", {}), default=str)
    for private in (NEWCOMER, "Medarbejder", "Han skrev", "facebook"):
        assert private not in line  # ids and counts only

    app.clock.advance(hours=2)
    await app.tick()  # still nobody: retried, but the reporter is not told twice
    assert sum(NOBODY_DA in t for t in app.said_to(NEWCOMER)) == 1
    assert not claims_hr_knows(app.said_to(NEWCOMER))

    env.graph.groups[HR_GROUP] = [HR_PEOPLE[0]]  # HR fixes its group; the cache has expired
    app.clock.advance(hours=1)
    await app.tick()
    assert any("har ingen leder" in t for t in app.said_to(HR_PEOPLE[0]))
    assert any("er nu nået frem" in t for t in app.said_to(NEWCOMER))
    assert f"unassigned:{case_id}" in (await app.runtime.cases.get(case_id)).case.reminders_sent


@pytest.mark.parametrize("env", [[]], indirect=True)
async def test_the_truth_is_told_in_english_to_an_english_reporter(env: Env) -> None:
    app = env.app
    await app.report(NEWCOMER, leader="unknown", locale="en-US")
    assert any("I'm sending the case to HR" in t for t in app.said_to(NEWCOMER))
    app.clock.advance(minutes=61)
    await app.tick()
    told = app.said_to(NEWCOMER)
    assert sum(NOBODY_EN in t for t in told) == 1
    assert not claims_hr_knows(told)


@pytest.mark.parametrize("outage", ["503", "hang"])
async def test_graph_down_keeps_hrs_message_pending_until_graph_is_back(env: Env, outage: str) -> None:
    app = env.app

    def graph_goes_down() -> None:
        if outage == "503":
            env.graph.fail_next(503, times=1000)
        else:
            env.graph.hang_next(0.8, times=1000)  # every read times out after 0.5 s

    case_id = await app.report(NEWCOMER, leader="unknown", before_submit=graph_goes_down)
    doc = await app.runtime.cases.get(case_id)
    assert f"unassigned:{case_id}" not in doc.case.reminders_sent
    assert not any("har ingen leder" in t for hr in HR_PEOPLE for t in app.said_to(hr))
    assert not claims_hr_knows(app.said_to(NEWCOMER))

    env.graph._faults.clear()  # Graph is back
    app.clock.advance(minutes=2)
    await app.tick()
    assert all(any("har ingen leder" in t for t in app.said_to(hr)) for hr in HR_PEOPLE)
    assert f"unassigned:{case_id}" in (await app.runtime.cases.get(case_id)).case.reminders_sent
    assert not any(NOBODY_DA in t for t in app.said_to(NEWCOMER))


@pytest.mark.parametrize("env", [[HR_PEOPLE[0]]], indirect=True)
async def test_an_unreachable_leader_goes_to_hrs_group_before_the_reporter_hears_hr_has_it(env: Env) -> None:
    app = env.app
    app.connector.blocked_users.add(LEADER)  # the leader has not installed the app
    await app.report(EMPLOYEE)
    assert any("kunne ikke kontaktes i Teams. Følg op" in t for t in app.said_to(HR_PEOPLE[0]))
    assert any("HR har fået sagen" in t for t in app.said_to(EMPLOYEE))


@pytest.mark.parametrize("env", [[]], indirect=True)
async def test_an_unreachable_leader_and_nobody_at_hr_is_never_called_hr_knows(env: Env) -> None:
    app = env.app
    app.connector.blocked_users.add(LEADER)
    await app.report(EMPLOYEE)
    assert not claims_hr_knows(app.said_to(EMPLOYEE))
    app.clock.advance(minutes=61)
    await app.tick()
    told = app.said_to(EMPLOYEE)
    assert sum(NOBODY_DA in t for t in told) == 1
    assert not claims_hr_knows(told)


async def test_an_escalation_goes_to_every_member_of_hrs_group(env: Env) -> None:
    app = env.app
    await app.report(EMPLOYEE)
    app.clock.advance(days=8)  # well past three working days after the deadline
    await app.tick()
    for hr in HR_PEOPLE:
        assert any("Eskalering:" in t for t in app.said_to(hr)), hr


async def test_a_med_notice_goes_to_every_member_of_hrs_group(env: Env) -> None:
    app = env.app
    for hr in HR_PEOPLE:
        assert await app.say(hr, "hjælp") in (200, 201)  # HR people have a chat with the bot
    await app.runtime.med.tell_hr("med.hr.followup", {"unit": "Borgerservice", "period": "2026-2"})
    for hr in HR_PEOPLE:
        assert sum("Borgerservice" in t for t in app.said_to(hr)) == 1, hr
    assert await env.store.list("outbox/hr/") == []  # delivered: nothing left pending


@pytest.mark.parametrize("env", [[]], indirect=True)
async def test_a_med_notice_nobody_gets_stays_pending_then_is_delivered(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    app = env.app
    await app.runtime.med.tell_hr("med.hr.followup", {"unit": "Borgerservice", "period": "2026-2"})
    assert len(await env.store.list("outbox/hr/")) == 1  # the group is empty: kept, not "delivered"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    app.clock.advance(minutes=61)
    await app.tick()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["notification undelivered: nobody reached"]
    assert "Borgerservice" not in json.dumps(getattr(errors[0], "fields", {}), default=str)

    env.graph.groups[HR_GROUP] = [HR_PEOPLE[0]]  # HR fixes its group, and has a chat with the bot
    assert await app.say(HR_PEOPLE[0], "hjælp") in (200, 201)
    app.clock.advance(hours=2)
    await app.tick()
    assert sum("Borgerservice" in t for t in app.said_to(HR_PEOPLE[0])) == 1
    assert await env.store.list("outbox/hr/") == []
    await app.tick()
    assert sum("Borgerservice" in t for t in app.said_to(HR_PEOPLE[0])) == 1
