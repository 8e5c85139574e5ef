"""MED evaluation end to end in the Teams Playground: only the workplace's leader (or HR) may register
its MED channel, HR sends the reminder, the workplace with a channel gets it there and marks it on the
agenda and done (with the kind of meeting, the minutes and the local plan), the workplace without a
channel gets it in its leader's chat, and HR's MED overview shows both.

Three Playground instances against one app with a leader directory that lists two workplaces, both led
by Lars Leder: a MED member who is not a leader (Mette), the leader, and HR. Each instance shows the
same team and channel as that person sees it; the bot posts into the instance whose conversation it
stored. Mirrors tests/bot/test_med.py through the real UI: cards rendered with the Teams host config,
date pickers, Action.Execute invokes whose answer replaces the card in place.

Faults that do not stop the journey (the reminder posted as a thread reply instead of a new post, a
freshly sent card saying "not sent yet") are collected and asserted at the end, so one run shows the
whole journey and every fault at once.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest_asyncio

from bot.texts.da import TEXTS
from tests.e2e.conftest import BotFactory, ChatFactory, PlaygroundFactory
from tests.e2e.harness.config import COLLEAGUE, DEPUTY, EMPLOYEE, HR, LEADER, MED_MEMBER, PlaygroundUser
from tests.e2e.harness.flows import label, write_leader_directory
from tests.e2e.harness.procs import BotServer
from tests.e2e.harness.ui import CARD_IN_MESSAGE, CHANNEL_POST, Card, ChatPage

UNIT = "Borgerservice"
NO_CHANNEL = "Rådhuset"  # a workplace without a MED channel: its leader gets the reminder in the chat
ZONE = ZoneInfo("Europe/Copenhagen")
MINUTES = "https://intra.example.dk/med/referat-borgerservice"


def _month_day(day: date) -> str:
    return f"{day.month:02d}-{min(day.day, 28):02d}"


def reminder_dates(today: date) -> str:
    """MED_REMINDER_DATES for which the scheduler has nothing due today: the latest reminder date is
    about a month ago (beyond the 14 days of catch-up), the next one months ahead. So the reminder is
    sent by HR's command, never by the app's own scheduler while the test runs, whatever the date."""
    return ",".join(sorted({_month_day(today - timedelta(days=30)), _month_day(today + timedelta(days=150))}))


def write_directory(path: Path) -> Path:
    """The leader directory (LEADER_DIRECTORY_FILE): two workplaces, both led by Lars Leder; Mette, a
    MED member in Borgerservice, leads nothing."""
    return write_leader_directory(
        path,
        [
            (EMPLOYEE, LEADER, DEPUTY, UNIT),
            (MED_MEMBER, LEADER, None, UNIT),
            (COLLEAGUE, LEADER, None, NO_CHANNEL),
        ],
    )


def today_local() -> date:
    return datetime.now(ZONE).date()


@pytest_asyncio.fixture(loop_scope="session")
async def bot(bot_factory: BotFactory, tmp_path: Path) -> BotServer:
    directory = await asyncio.to_thread(write_directory, tmp_path / "leaders.csv")
    return await bot_factory(
        extra_env={
            "HR_AAD_OBJECT_IDS": HR.aad_object_id,
            "LEADER_DIRECTORY_FILE": str(directory),
            "MED_REMINDER_DATES": reminder_dates(today_local()),
        }
    )


async def opened(
    bot: BotServer, playground_factory: PlaygroundFactory, open_chat: ChatFactory, who: PlaygroundUser
) -> ChatPage:
    """That person's Playground tab, open on the personal chat (the app just installed for them)."""
    return await open_chat(await playground_factory(bot, who))


async def channel_card(chat: ChatPage, title: str, *, name: str) -> Card:
    """The card titled `title` anywhere in the open channel: a post of its own or a reply in a post's
    thread (the Playground shows replies inside their post, so the harness's `wait_for_card`, which
    takes a post's first card, cannot reach them)."""
    await chat.wait_for_message(title)
    root = chat.page.locator(CHANNEL_POST).locator(CARD_IN_MESSAGE).filter(has_text=title).first
    await root.wait_for()
    card = Card(chat, root)
    await card.screenshot(name)
    return card


async def is_own_post(chat: ChatPage, title: str) -> bool:
    """Whether the card titled `title` is the first card of its post (a new post in the channel),
    rather than a reply in another post's thread."""
    post = chat.page.locator(CHANNEL_POST).filter(has_text=title).first
    return title in await post.locator(CARD_IN_MESSAGE).first.inner_text()


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def value_after(lines: list[str], key: str) -> str:
    """The value of a FactSet row as rendered: the line after its title."""
    return lines[lines.index(key) + 1] if key in lines[:-1] else f"(no {key!r} row)"


async def test_only_the_leader_registers_hr_sends_and_every_workplace_is_reminded(
    bot: BotServer, playground_factory: PlaygroundFactory, open_chat: ChatFactory
) -> None:
    # Faults that do not stop the journey are collected and reported together at the end.
    faults: list[str] = []
    member = await opened(bot, playground_factory, open_chat, MED_MEMBER)
    leader = await opened(bot, playground_factory, open_chat, LEADER)
    hr = await opened(bot, playground_factory, open_chat, HR)
    await hr.wait_for_card(TEXTS["welcome.title"], name="hr-welcome")  # the bot knows HR's chat

    # 1. A MED member who is not the workplace's leader tries to register the channel: refused.
    await member.open_channel()
    attempt = await member.wait_for_card(TEXTS["med.register.title"], name="member-registration-card")
    await attempt.select(TEXTS["med.register.unit"], UNIT)
    await attempt.click(TEXTS["med.register.button"])
    refused = TEXTS["med.refused.register"].format(unit=UNIT)
    await attempt.wait_for_text(refused)
    await attempt.screenshot("member-registration-refused")

    # 2. The leader registers the channel for the workplace, chosen from the directory's workplaces.
    await leader.open_channel()
    registration = await leader.wait_for_card(TEXTS["med.register.title"], name="leader-registration-card")
    await registration.select(TEXTS["med.register.unit"], UNIT)
    await registration.fill(TEXTS["med.register.committee"], "LMU Borgerservice")
    await registration.click(TEXTS["med.register.button"])
    await registration.wait_for_text(TEXTS["med.registered.title"])
    await registration.screenshot("leader-channel-registered")
    assert TEXTS["med.registered.body"].format(unit=UNIT, committee="LMU Borgerservice") in await registration.text()

    # 3. HR sends this half-year's reminder now: one workplace has a channel, the other does not.
    before = await hr.send_text("send MED-påmindelse")
    await hr.wait_for_message(TEXTS["med.sent_now"].format(channels=1, chats=1), after=before)

    # 4. The reminder in the workplace's channel, with its (anonymised) figures and no local plan yet.
    title = TEXTS["med.title"].format(unit=UNIT)
    reminder = await channel_card(leader, title, name="channel-med-reminder")
    shown = lines_of(await reminder.text())
    assert value_after(shown, TEXTS["med.figures.total"]) == "0", shown  # a quiet half-year: still sent
    assert TEXTS["med.plan.missing"] in shown, shown  # the workplace must make its local plan
    if not await is_own_post(leader, title):
        faults.append("the reminder is not a new post in the channel but a reply in the registration card's thread")
    if value_after(shown, TEXTS["med.state"]) != TEXTS["med.state.sent"]:
        faults.append(f"the freshly sent reminder shows the state {value_after(shown, TEXTS['med.state'])!r}")

    # On the agenda for a meeting next week, then done: a staff meeting with MED status, today,
    # with the minutes' link, the local plan reviewed and adjusted.
    today = today_local()
    meeting = today + timedelta(days=7)
    await reminder.set_date(label("med.meeting_date"), meeting.isoformat())
    await reminder.click(TEXTS["med.on_agenda"])
    await reminder.wait_for_text(TEXTS["med.state.on_agenda"].format(date=meeting.strftime("%d-%m-%Y")))
    await reminder.screenshot("channel-med-on-agenda")
    assert TEXTS["med.saved"].format(name=LEADER.name) in await reminder.text()
    await reminder.select(TEXTS["med.meeting_kind"], TEXTS["med.meeting_kind.staff_meeting"])
    await reminder.set_date(label("med.done_date"), today.isoformat())
    await reminder.fill(TEXTS["med.minutes_link"], MINUTES)
    await reminder.toggle(TEXTS["med.plan_reviewed"])
    await reminder.click(TEXTS["med.done"])
    done = TEXTS["med.state.done"].format(date=today.strftime("%d-%m-%Y"))
    await reminder.wait_for_text(done)
    await reminder.screenshot("channel-med-done")
    shown = lines_of(await reminder.text())
    state = value_after(shown, TEXTS["med.state"])
    expected = " · ".join([done, TEXTS["med.meeting_kind.staff_meeting"], TEXTS["med.state.plan_reviewed"], MINUTES])
    assert state == expected, shown
    assert TEXTS["med.on_agenda"] not in shown, f"a done evaluation still offers {TEXTS['med.on_agenda']!r}"

    # 5. The workplace without a channel: the reminder is in its leader's chat, with a way to register one.
    await leader.open_personal_chat()
    in_chat = await leader.wait_for_card(TEXTS["med.title"].format(unit=NO_CHANNEL), name="leader-chat-reminder")
    shown = lines_of(await in_chat.text())
    assert TEXTS["med.chat.intro"] in shown, shown
    await in_chat.click(TEXTS["med.chat.register"])
    await in_chat.wait_for_text(TEXTS["med.chat.register.how"].split(".")[0])
    await in_chat.screenshot("leader-chat-reminder-how-to-register")

    # 6. HR's MED overview: Borgerservice done; Rådhuset reminded in the leader's chat, no channel.
    before = await hr.send_text("MED-overblik")
    overview = await hr.wait_for_card(
        TEXTS["med.overview.title"].split("{")[0].strip(), after=before, name="hr-med-overview"
    )
    shown = lines_of(await overview.text())
    assert value_after(shown, TEXTS["med.status.count.done"]) == "1", shown
    assert value_after(shown, TEXTS["med.overview.count.no_channel"]) == "1", shown
    assert value_after(shown, NO_CHANNEL).startswith(TEXTS["med.state.sent"]), shown
    assert TEXTS["med.overview.chat"] in value_after(shown, NO_CHANNEL), shown
    assert value_after(shown, UNIT).startswith(done), shown

    assert not faults, "\n".join(faults)
