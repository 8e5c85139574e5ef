"""MED evaluations in workplace channels, through TestAdapter, the real sender and a fake connector."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from app import Runtime
from bot.guideline.med import MedStatus
from bot.services.cases import unit_tag
from bot.services.med import sent_name
from bot.storage.store import Store
from tests.bot.chat import ChannelChat, all_text, cards, said, texts
from tests.bot.conftest import HR, World

TEAM = "19:team-1@thread.tacv2"
MEMBER = "00000000-0000-0000-0000-0000000000b1"


def channel(world: World, runtime: Runtime, channel_id: str, team: str = TEAM) -> ChannelChat:
    return ChannelChat(runtime, MEMBER, team, channel_id, service_url=world.connector.service_url)


async def register(world: World, runtime: Runtime, channel_id: str, unit: str, team: str = TEAM) -> None:
    chat = channel(world, runtime, channel_id, team)
    card = await chat.invoke_card(
        "med_register", {"unit": "__other__", "unit_text": unit, "committee": "LMU"}
    )
    assert "registreret" in all_text(card)


def reminders(world: World) -> list[dict]:
    return [
        m.activity
        for m in world.connector.messages()
        if any("MED-evaluering" in all_text(a.get("content", {})) for a in m.activity.get("attachments", []))
    ]


async def test_bot_added_to_a_team_asks_which_workplace(world: World) -> None:
    runtime = await world.runtime()
    chat = channel(world, runtime, TEAM)
    replies = await chat.activity(
        Activity(type=ActivityTypes.conversation_update, members_added=[ChannelAccount(id="28:bot")])
    )
    card = cards(replies)[0]
    assert "Hvilken arbejdsplads" in all_text(card) and "Borgerservice" in all_text(
        card
    )  # units from the directory
    typed = await chat.activity(
        Activity(type=ActivityTypes.message, text="<at>Krænkelser</at> registrer MED-kanal")
    )
    assert "Hvilken arbejdsplads" in all_text(cards(typed)[0])


async def test_a_forged_unit_choice_is_refused(world: World) -> None:
    runtime = await world.runtime()
    chat = channel(world, runtime, "19:c1@thread.tacv2")
    card = await chat.invoke_card("med_register", {"unit": "Not in the directory", "committee": "x"})
    assert "Vælg eller skriv" in all_text(card)
    assert await runtime.med.active_channels() == []


async def test_reminder_on_the_date_carries_anonymised_figures_and_is_marked_on_agenda_then_done(
    world: World,
) -> None:
    world.clock.current = datetime(2026, 8, 31, 12, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await register(world, runtime, "19:c2@thread.tacv2", "Borgerservice")
    await runtime.scheduler.tick()
    assert reminders(world) == []  # not yet
    world.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)  # 10:00 in Copenhagen
    await runtime.scheduler.tick()
    sent = reminders(world)
    assert len(sent) == 2
    body = all_text(sent[0]["attachments"][0]["content"])
    assert "MED-evaluering: Borgerservice" in body and "to gange årligt" in body
    assert "Sager i alt" in body and "0" in body  # a quiet half-year still gets the reminder
    await runtime.scheduler.tick()
    assert len(reminders(world)) == 2  # never twice

    member = channel(world, runtime, "19:c1@thread.tacv2")
    card = await member.invoke_card(
        "med_agenda", {"unit": "Forged", "period": "2026-H2", "meeting_date": "2026-09-15"}
    )
    assert "Sat på dagsordenen til mødet 15-09-2026" in all_text(card)
    card = await member.invoke_card(
        "med_done", {"period": "2026-H2", "done_date": "2026-09-01", "minutes_link": "javascript:alert(1)"}
    )
    assert "http" in all_text(card)  # refused, explained
    card = await member.invoke_card(
        "med_done",
        {"period": "2026-H2", "done_date": "2026-09-01", "minutes_link": "https://intra.example.dk/referat"},
    )
    assert "Evaluering gennemført 01-09-2026" in all_text(card)
    ev = await runtime.med.evaluation("Borgerservice", "2026-H2")
    assert ev.status is MedStatus.DONE
    assert [h.actor for h in ev.history if h.actor] == [MEMBER, MEMBER]  # the audit records who
    await runtime.background.drain()
    other = next(m for m in world.connector.messages() if m.conversation_id == "19:c2@thread.tacv2")
    assert other.updates and "Evaluering gennemført" in all_text(other.updates[-1])


async def test_figures_below_the_threshold_show_as_under_3(world: World) -> None:
    from tests.bot.test_leader_flow import report

    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    runtime = await world.runtime()
    await report(world, runtime)  # one case in Borgerservice (from the directory)
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    world.clock.current = datetime(2027, 3, 1, 9, tzinfo=UTC)
    await runtime.med.send_due()
    body = all_text(reminders(world)[0]["attachments"][0]["content"])
    assert "under 3" in body


async def test_hr_sends_now_and_sees_med_status(world: World) -> None:
    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await register(world, runtime, "19:c9@thread.tacv2", "Rådhuset")
    hr = world.chat(runtime, HR, "Hanne HR")
    replies = await hr.send("send MED-påmindelse")
    assert any("2 kanal" in t for t in texts(replies))
    again = await hr.send("send MED-påmindelse")
    assert any("0 kanal" in t for t in texts(again))  # never twice
    status = all_text(cards(await hr.send("MED-status"))[0])
    assert "Borgerservice" in status and "Rådhuset" in status and "Påmindelse sendt" in status
    employee = world.chat(runtime, MEMBER)
    assert any("kun bruges af HR" in t for t in texts(await employee.send("MED-status")))


async def test_removed_bot_stops_posting_keeps_history_and_tells_hr(world: World) -> None:
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")  # HR has a chat with the bot, so it can be told
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    chat = channel(world, runtime, "19:c1@thread.tacv2")
    await chat.activity(
        Activity(type=ActivityTypes.conversation_update, members_removed=[ChannelAccount(id="28:bot")])
    )
    assert await runtime.med.active_channels() == []
    doc = await runtime.store.get("med/channels/19_team-1_thread.tacv2/19_c1_thread.tacv2.json")
    assert doc is not None and doc.data["history"]  # history kept
    told = [said(m.activity) for m in world.connector.messages()]
    assert any("modtager ikke længere" in t for t in told)


async def test_a_channel_that_answers_403_is_deactivated(world: World) -> None:
    world.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    world.connector.remove_bot("19:c1@thread.tacv2")
    assert await runtime.med.send_due() == 0
    assert await runtime.med.active_channels() == []


async def test_not_done_after_the_configured_weeks_gets_one_follow_up(world: World) -> None:
    world.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await runtime.med.send_due()
    world.clock.current = datetime(2026, 9, 30, 8, tzinfo=UTC)  # 4 weeks later (default MED_FOLLOWUP_WEEKS)
    await runtime.med.send_due()
    await runtime.med.send_due()
    followups = [
        m
        for m in world.connector.messages()
        if "ikke markeret som gennemført" in said(m.activity)
    ]
    assert len(followups) == 1


async def test_300_channels_each_get_exactly_one_reminder_across_a_restart(world: World) -> None:
    world.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)
    first = await world.runtime()
    for i in range(300):
        await first.med.register(
            TEAM,
            f"19:c{i:03d}@thread.tacv2",
            f"Enhed {i % 40}",
            "LMU",
            {
                "serviceUrl": world.connector.service_url,
                "channelId": "msteams",
                "conversation": {"id": f"19:c{i:03d}@thread.tacv2", "conversationType": "channel"},
                "bot": {"id": "28:bot"},
            },
            MEMBER,
        )
    running = asyncio.create_task(first.med.send_due())
    for _ in range(400):  # restart in the middle, once about a third has gone out
        if len(reminders(world)) >= 100:
            break
        await asyncio.sleep(0.05)  # polling the fake connector's record
    first.med.stopping.set()  # the shutdown path: in-flight sends finish and are recorded
    sent_first = await running
    assert 100 <= sent_first < 300
    second = await world.runtime()  # the new process on the same store
    sent_second = await second.med.send_due()
    assert sent_first + sent_second == 300
    per_channel = Counter(
        m.conversation_id for m in world.connector.messages() if m.activity.get("attachments")
    )
    assert len(per_channel) == 300 and set(per_channel.values()) == {1}  # none lost, none twice
    assert await second.med.send_due() == 0


async def test_reminders_are_new_posts_not_replies_in_the_registration_thread(world: World) -> None:
    runtime = await world.runtime()
    chat = ChannelChat(runtime, MEMBER, TEAM, "19:c1@thread.tacv2", service_url=world.connector.service_url)
    # In Teams, a click on a card in a channel arrives in that post's thread.
    chat.adapter.template.conversation.id = "19:c1@thread.tacv2;messageid=1795623627897"
    await chat.invoke_card("med_register", {"unit": "__other__", "unit_text": "Borgerservice"})
    [registered] = await runtime.med.active_channels()
    assert registered.reference["conversation"]["id"] == "19:c1@thread.tacv2"
    assert "activityId" not in registered.reference


class FiguresUnreadable:
    """The store, except that one unit's cases cannot be read (a storage hiccup) while `broken`."""

    def __init__(self, inner: Store, unit: str) -> None:
        self._inner = inner
        self._unit = unit_tag(unit)
        self.broken = True

    async def find(self, equals: dict[str, str], *, at_most: dict[str, str] | None = None) -> list[str]:
        if self.broken and equals.get("kind") == "case" and equals.get("unit") == self._unit:
            raise OSError("the storage account did not answer")
        return await self._inner.find(equals, at_most=at_most)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_unit_whose_figures_cannot_be_read_is_retried_and_the_others_are_sent(world: World) -> None:
    world.clock.current = datetime(2026, 9, 1, 8, tzinfo=UTC)
    await register(world, await world.runtime(), "19:c1@thread.tacv2", "Borgerservice")
    await register(world, await world.runtime(), "19:c2@thread.tacv2", "Jobcenter")
    flaky = FiguresUnreadable(world.store, "Borgerservice")
    runtime = await world.runtime(cast(Store, flaky))

    assert await runtime.med.send_due() == 1
    assert [m.conversation_id for m in world.connector.messages()] == ["19:c2@thread.tacv2"]
    period = runtime.med.schedule.due_period(world.clock.now())
    record = await world.store.get(sent_name(period.id, TEAM, "19:c1@thread.tacv2"))
    assert record is not None and record.data["state"] == "failed"  # recorded, not lost

    flaky.broken = False
    assert await runtime.med.send_due() == 0  # not before its retry time
    world.clock.current += timedelta(minutes=6)
    assert await runtime.med.send_due() == 1
    per_channel = Counter(m.conversation_id for m in world.connector.messages())
    assert per_channel == {"19:c1@thread.tacv2": 1, "19:c2@thread.tacv2": 1}
