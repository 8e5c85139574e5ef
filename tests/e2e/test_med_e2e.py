"""MED evaluation end to end in the Teams Playground: HR installs the app, the bot is added to the team,
the channel is registered for a workplace, HR sends the reminder, the workplace marks the evaluation on
the agenda and then done on the card in the channel, and HR's MED-status shows it done.

One Playground instance whose current user is HR (HR_AAD_OBJECT_IDS names them), against one app with
a leader directory that lists the workplaces (the registration card offers them). Mirrors the flows of
tests/bot/test_med.py, but through the real UI: cards rendered with the Teams host config, date pickers,
Action.Execute invokes whose answer replaces the card in place.

Two faults that do not stop the journey (the reminder posted as a thread reply instead of a new post,
a freshly sent card saying "not sent yet") are collected and asserted at the end, so one run shows the
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
from tests.e2e.harness.config import COLLEAGUE, DEPUTY, EMPLOYEE, HR, LEADER, MED_MEMBER
from tests.e2e.harness.flows import label, write_leader_directory
from tests.e2e.harness.procs import BotServer
from tests.e2e.harness.ui import CARD_IN_MESSAGE, CHANNEL_POST, Card, ChatPage

UNIT = "Borgerservice"
OTHER_UNITS = ("Rådhuset", "Ældreplejen")
ZONE = ZoneInfo("Europe/Copenhagen")


def _month_day(day: date) -> str:
    return f"{day.month:02d}-{min(day.day, 28):02d}"


def reminder_dates(today: date) -> str:
    """MED_REMINDER_DATES for which the scheduler has nothing due today: the latest reminder date is
    about a month ago (beyond the 14 days of catch-up), the next one months ahead. So the reminder is
    sent by HR's command, never by the app's own scheduler while the test runs, whatever the date."""
    return ",".join(sorted({_month_day(today - timedelta(days=30)), _month_day(today + timedelta(days=150))}))


def write_directory(path: Path) -> Path:
    """The leader directory (LEADER_DIRECTORY_FILE) with three workplaces."""
    return write_leader_directory(
        path,
        [
            (EMPLOYEE, LEADER, DEPUTY, UNIT),
            (COLLEAGUE, LEADER, None, OTHER_UNITS[0]),
            (MED_MEMBER, DEPUTY, None, OTHER_UNITS[1]),
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


@pytest_asyncio.fixture(loop_scope="session")
async def hr(bot: BotServer, playground_factory: PlaygroundFactory, open_chat: ChatFactory) -> ChatPage:
    """HR's Playground tab, open on the personal chat (the app just installed for HR)."""
    return await open_chat(await playground_factory(bot, HR))


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


async def test_hr_sends_the_med_reminder_and_the_workplace_marks_it_on_the_agenda_and_done(hr: ChatPage) -> None:
    # Faults that do not stop the journey are collected and reported together at the end.
    faults: list[str] = []

    # 1. HR's personal chat: the app is installed, so the bot knows HR's chat.
    await hr.wait_for_card(TEXTS["welcome.title"], name="hr-welcome")

    # 2. The team channel: the bot added to the team asks which workplace the channel belongs to,
    #    offering the directory's workplaces.
    await hr.open_channel()
    registration = await hr.wait_for_card(TEXTS["med.register.title"], name="channel-registration-card")
    await registration.select(TEXTS["med.register.unit"], UNIT)
    await registration.fill(TEXTS["med.register.committee"], "LMU Borgerservice")
    await registration.click(TEXTS["med.register.button"])
    await registration.wait_for_text(TEXTS["med.registered.title"])
    await registration.screenshot("channel-registered")
    assert TEXTS["med.registered.body"].format(unit=UNIT, committee="LMU Borgerservice") in await registration.text()

    # 3. HR sends this half-year's reminder now, from the personal chat.
    await hr.open_personal_chat()
    before = await hr.send_text("send MED-påmindelse")
    await hr.wait_for_message(TEXTS["med.sent_now"].format(count=1), after=before)

    # 4. The reminder card in the workplace's channel, with the workplace's (anonymised) figures.
    await hr.open_channel()
    title = TEXTS["med.title"].format(unit=UNIT)
    reminder = await channel_card(hr, title, name="channel-med-reminder")
    shown = lines_of(await reminder.text())
    assert value_after(shown, TEXTS["med.figures.total"]) == "0", shown  # a quiet half-year: still sent
    if not await is_own_post(hr, title):
        faults.append(
            "the reminder is not a new post in the channel but a reply in the thread of the registration "
            "card's post: the channel's stored conversation reference keeps ';messageid=...' from the "
            "registration invoke (bot/teams/med_edge.py, MedEdge._register)"
        )
    if value_after(shown, TEXTS["med.state"]) != TEXTS["med.state.sent"]:
        faults.append(
            f"the freshly sent reminder shows the state {value_after(shown, TEXTS['med.state'])!r}, "
            f"not {TEXTS['med.state.sent']!r}: the card is built before the evaluation is marked sent "
            "(bot/services/med.py, MedService._send)"
        )

    # Put on the agenda for a meeting next week: the card is replaced in place and says so.
    today = today_local()
    meeting = today + timedelta(days=7)
    await reminder.set_date(label("med.meeting_date"), meeting.isoformat())
    await reminder.click(TEXTS["med.on_agenda"])
    on_agenda = TEXTS["med.state.on_agenda"].format(date=meeting.strftime("%d-%m-%Y"))
    await reminder.wait_for_text(on_agenda)
    await reminder.screenshot("channel-med-on-agenda")
    assert TEXTS["med.saved"].format(name=HR.name) in await reminder.text()

    # Evaluated today: done; the card no longer offers "on the agenda".
    await reminder.set_date(label("med.done_date"), today.isoformat())
    await reminder.click(TEXTS["med.done"])
    done = TEXTS["med.state.done"].format(date=today.strftime("%d-%m-%Y"))
    await reminder.wait_for_text(done)
    await reminder.screenshot("channel-med-done")
    shown = lines_of(await reminder.text())
    assert value_after(shown, TEXTS["med.state"]) == done, shown
    assert TEXTS["med.on_agenda"] not in shown, f"a done evaluation still offers {TEXTS['med.on_agenda']!r}"

    # 5. HR's MED-status lists the workplace as done; workplaces without a channel are not listed.
    await hr.open_personal_chat()
    before = await hr.send_text("MED-status")
    status = await hr.wait_for_card(TEXTS["med.status.title"].split("{")[0].strip(), after=before, name="hr-med-status")
    shown = lines_of(await status.text())
    assert value_after(shown, UNIT) == done, shown
    assert value_after(shown, TEXTS["med.status.count.done"]) == "1", shown
    assert not set(OTHER_UNITS) & set(shown), shown

    assert not faults, "\n".join(faults)
