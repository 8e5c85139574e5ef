"""Deadlines, reminders, escalation, check-ins and drafts, sent by the scheduler tick (one instance)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.guideline.model import StepId, StepStatus
from bot.teams.sender import TeamsSender
from tests.bot.chat import invoke, said
from tests.bot.conftest import EMPLOYEE, HR, LEADER, World
from tests.bot.test_leader_flow import decide, report
from tests.bot.test_report_dialog import GOOD_FORM


def sent_texts(world: World) -> list[str]:
    return [said(m.activity) for m in world.connector.messages()]


async def test_overdue_step_reminds_the_leader_then_escalates_to_hr_once(world: World) -> None:
    world.clock.current = datetime(2026, 11, 24, 21, 55, tzinfo=UTC)  # Tuesday evening
    runtime = await world.runtime()
    await world.chat(runtime, HR, "Hanne HR").send("hjælp")  # HR has a chat with the bot
    await report(world, runtime)
    await runtime.scheduler.tick()
    assert not any("Påmindelse" in t for t in sent_texts(world))  # due at the end of Thursday
    world.clock.current = datetime(2026, 11, 27, 8, tzinfo=UTC)  # Friday: past the deadline
    await runtime.scheduler.tick()
    await runtime.scheduler.tick()
    reminders = [t for t in sent_texts(world) if "Påmindelse: skridtet" in t]
    assert reminders and all("har overskredet fristen" in t for t in reminders)
    count = len(reminders)
    world.clock.current = datetime(2026, 12, 2, 8, tzinfo=UTC)  # 3 working days past the deadline
    await runtime.scheduler.tick()
    await runtime.scheduler.tick()
    escalations = [t for t in sent_texts(world) if "Eskalering:" in t]
    assert escalations  # to HR (no leader's manager in the directory)
    # Due Thursday 26 November, escalated on the third working day after: five calendar days, so
    # the message must count working days as the policy does.
    assert all("3 arbejdsdage efter fristen" in t for t in escalations)
    assert len([t for t in sent_texts(world) if "Påmindelse: skridtet" in t]) == count  # not repeated


async def test_the_employee_gets_a_kind_check_in_after_the_follow_up(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "fu_emp_done", fu_emp_done_date="2026-11-24", fu_emp_note="Samtale"))
    await runtime.background.drain()  # the decision's own delivery must not race the tick below
    world.clock.current = datetime(2026, 11, 26, 9, tzinfo=UTC)
    await runtime.scheduler.tick()
    assert sum("Hvordan har du det?" in t for t in sent_texts(world)) == 1
    await runtime.scheduler.tick()
    assert sum("Hvordan har du det?" in t for t in sent_texts(world)) == 1


async def test_a_tick_during_a_decisions_delivery_sends_the_check_in_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a once-flaky CI run, made certain: a decision's background delivery is
    still sending when the tick runs. The claim lets exactly one of them send the check-in."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "fu_emp_done", fu_emp_done_date="2026-11-24", fu_emp_note="Samtale"))
    world.clock.current = datetime(2026, 11, 26, 9, tzinfo=UTC)
    connector_send = TeamsSender.send
    in_flight = asyncio.Event()

    async def slow_send(self: TeamsSender, reference: Any, activity: Any) -> str:
        if "Hvordan har du det?" in str(activity):
            in_flight.set()
            await asyncio.sleep(0.2)
        return await connector_send(self, reference, activity)

    monkeypatch.setattr(TeamsSender, "send", slow_send)
    runtime.background.spawn(runtime.notifications.deliver_case(case_id), "deliver_case")
    await in_flight.wait()
    await runtime.scheduler.tick()  # finds the check-in claimed by the delivery in flight
    await runtime.background.drain()
    await runtime.scheduler.tick()
    assert sum("Hvordan har du det?" in t for t in sent_texts(world)) == 1


async def test_only_one_instance_runs_the_tick(world: World) -> None:
    first, second = await world.runtime(), await world.runtime()
    assert await first.scheduler.tick() is True
    assert await second.scheduler.tick() is False  # the lease is held by the first
    assert await first.scheduler.tick() is True  # the holder renews


async def test_an_unfinished_draft_gets_one_reminder_then_expires(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, EMPLOYEE)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    world.clock.advance(hours=62)  # 72 h time-to-live: within the last 12 h
    await runtime.scheduler.tick()
    await runtime.scheduler.tick()
    assert sum("ikke er sendt endnu" in t for t in sent_texts(world)) == 1
    world.clock.advance(hours=11)
    await runtime.scheduler.tick()
    assert await runtime.store.get(f"drafts/{EMPLOYEE}.json") is None
    # The dialog state with the description went with it: nothing of the draft is left.
    states = [await runtime.store.get(name) for name in await runtime.store.list("state/")]
    assert not any(GOOD_FORM["description"] in str(doc.data) for doc in states if doc is not None)
    replies = await chat.send("færdig")
    assert replies and not any("Gennemse" in str(r.attachments) for r in replies)


async def test_the_employee_is_asked_at_once_and_reminded_kindly_at_most_twice(world: World) -> None:
    """While the answer to the police offer is pending, the employee hears about it three times at
    most (the question, two reminders), and the leader is never told the police report is late."""
    world.clock.current = datetime(2026, 11, 25, 8, tzinfo=UTC)  # Wednesday morning
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="in_person"))
    await runtime.background.drain()

    def asked() -> int:
        return sum("tilbudt dig at deltage i politianmeldelsen i sag" in t for t in sent_texts(world))

    def reminded() -> int:
        return sum("En venlig påmindelse" in t for t in sent_texts(world))

    assert (asked(), reminded()) == (1, 0)
    for month, day in ((11, 26), (11, 27), (11, 30), (12, 1), (12, 2)):  # a tick a working day for a week
        world.clock.current = datetime(2026, month, day, 9, tzinfo=UTC)
        await runtime.scheduler.tick()
        await runtime.scheduler.tick()
    assert (asked(), reminded()) == (1, 2)
    overdue = [t for t in sent_texts(world) if "Påmindelse: skridtet" in t]
    assert overdue, "the other steps' deadlines still run"
    assert not [t for t in overdue if 'skridtet "Politianmeldelse"' in t]  # paused while the employee answers
    # Once answered, the police deadline runs again, moved on by the time the answer took.
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await invoke(employee, "decide", decide(case_id, "offer_join"))
    case = (await runtime.cases.get(case_id)).case
    [wait] = case.waits
    assert wait.ended_at == world.clock.current
    assert reminded() == 2


async def test_the_leader_is_asked_whether_requested_content_is_gone_and_answers_on_the_card(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "removal_requested", removal_note="Anmodet hos Meta"))
    world.clock.advance(days=2, hours=23)
    await runtime.scheduler.tick()
    assert not any("Er det væk nu?" in t for t in sent_texts(world))
    world.clock.advance(hours=1)  # three days (REMOVAL_RECHECK_DAYS) after the request
    await runtime.scheduler.tick()
    await runtime.scheduler.tick()
    asked = [m.activity for m in world.connector.messages() if "Er det væk nu?" in said(m.activity)]
    assert len(asked) == 1  # the leader only, once
    assert "Indholdet er der stadig" in said(asked[0])  # the answer is on the card that comes with it
    card = await invoke(leader, "decide", decide(case_id, "removal_still_there"))
    assert "stadig der" in said({"attachments": [{"content": card}]})
    state = (await runtime.cases.get(case_id)).case.step(StepId.REMOVAL)
    assert state.status is StepStatus.IN_PROGRESS and state.fields["still_there"] == "2026-11-27"
    world.clock.advance(days=3)
    await runtime.scheduler.tick()
    assert len([m for m in world.connector.messages() if "Er det væk nu?" in said(m.activity)]) == 2  # asked again
    await invoke(leader, "decide", decide(case_id, "removal_removed"))
    assert (await runtime.cases.get(case_id)).case.step(StepId.REMOVAL).status is StepStatus.DONE


async def test_the_employee_records_where_the_pack_was_saved_on_their_own_card(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    card = await invoke(employee, "refresh_case", {"case_id": case_id})
    text = said({"attachments": [{"content": card}]})
    assert "Botten gemmer ikke materialet i kommunens sagssystem" in text and "Notér sagsnummeret" in text
    card = await invoke(employee, "decide", decide(case_id, "saved_on_case", saved_ref="SAG-2026-0815"))
    assert "SAG-2026-0815" in said({"attachments": [{"content": card}]})
    state = (await runtime.cases.get(case_id)).case.step(StepId.SAVED_ON_CASE)
    assert state.status is StepStatus.DONE and state.decided_by == EMPLOYEE
