"""MED evaluation end to end in the Teams Playground: HR installs the app, the bot is added to the team,
the channel is registered for a workplace, HR sends the reminder, the workplace marks the evaluation on
the agenda and then done on the card in the channel, and HR's MED-status shows it done.

One Playground instance whose current user is HR (HR_AAD_OBJECT_IDS names them), against one app with
a leader directory that lists the workplaces (the registration card offers them). Mirrors the flows of
tests/bot/test_med.py, but through the real UI: cards rendered with the Teams host config, date pickers,
Action.Execute invokes whose answer replaces the card in place.
"""

from __future__ import annotations

import asyncio
import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest_asyncio

from bot.texts.da import TEXTS
from tests.e2e.conftest import BotFactory, ChatFactory, PlaygroundFactory
from tests.e2e.harness.config import COLLEAGUE, DEPUTY, EMPLOYEE, HR, LEADER, MED_MEMBER, PlaygroundUser
from tests.e2e.harness.flows import DIRECTORY_HEADER, label
from tests.e2e.harness.procs import BotServer
from tests.e2e.harness.ui import ChatPage

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
    rows: list[tuple[PlaygroundUser, PlaygroundUser, PlaygroundUser | None, str]] = [
        (EMPLOYEE, LEADER, DEPUTY, UNIT),
        (COLLEAGUE, LEADER, None, OTHER_UNITS[0]),
        (MED_MEMBER, DEPUTY, None, OTHER_UNITS[1]),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(DIRECTORY_HEADER)
        for employee, leader, deputy, unit in rows:
            writer.writerow(
                [
                    employee.aad_object_id,
                    employee.name,
                    leader.aad_object_id,
                    leader.name,
                    deputy.aad_object_id if deputy else "",
                    deputy.name if deputy else "",
                    unit,
                    "false",
                ]
            )
    return path


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


async def test_hr_sends_the_med_reminder_and_the_workplace_marks_it_on_the_agenda_and_done(hr: ChatPage) -> None:
    # 1. HR's personal chat: the app is installed, so the bot knows HR's chat.
    await hr.wait_for_card(TEXTS["welcome.title"], name="hr-welcome")

    # 2. The team channel: adding the bot to the team asks which workplace the channel belongs to.
    await hr.open_channel()
    registration = await hr.wait_for_card(TEXTS["med.register.title"], name="channel-registration-card")
    text = await registration.text()
    assert UNIT in text or await registration.root.get_by_role("combobox").count() == 1, text
    await registration.select(TEXTS["med.register.unit"], UNIT)
    await registration.fill(TEXTS["med.register.committee"], "LMU Borgerservice")
    await registration.click(TEXTS["med.register.button"])
    await registration.wait_for_text(TEXTS["med.registered.title"])
    await registration.screenshot("channel-registered")
    assert UNIT in await registration.text()

    # 3. HR sends this half-year's reminder now.
    await hr.open_personal_chat()
    before = await hr.send_text("send MED-påmindelse")
    await hr.wait_for_message(TEXTS["med.sent_now"].format(count=1), after=before)

    # 4. The reminder card in the workplace's channel, with the workplace's figures.
    await hr.open_channel()
    reminder = await hr.wait_for_card(TEXTS["med.title"].format(unit=UNIT), name="channel-med-reminder")
    text = await reminder.text()
    print("POSTS", await hr.page.locator(".fui-Card[role=group]:has(button[aria-label='Show more information'])").all_inner_texts())
    print("CARDS", await hr.page.locator(".ac-adaptiveCard").count())
    await hr.screenshot("DEBUG")
    open("/tmp/med_debug.html","w").write(await hr.page.content())
    assert TEXTS["med.figures.total"] in text, text
    assert TEXTS["med.state.sent"] in text, text

    today = today_local()
    meeting = today + timedelta(days=7)
    await reminder.set_date(label("med.meeting_date"), meeting.isoformat())
    await reminder.click(TEXTS["med.on_agenda"])
    on_agenda = TEXTS["med.state.on_agenda"].format(date=meeting.strftime("%d-%m-%Y"))
    await reminder.wait_for_text(on_agenda)
    await reminder.screenshot("channel-med-on-agenda")

    await reminder.set_date(label("med.done_date"), today.isoformat())
    await reminder.click(TEXTS["med.done"])
    done = TEXTS["med.state.done"].format(date=today.strftime("%d-%m-%Y"))
    await reminder.wait_for_text(done)
    await reminder.screenshot("channel-med-done")
    text = await reminder.text()
    assert TEXTS["med.on_agenda"] not in text.splitlines(), "a done evaluation still offers 'Sat på dagsorden'"

    # 5. HR's MED-status lists the workplace as done.
    await hr.open_personal_chat()
    before = await hr.send_text("MED-status")
    status = await hr.wait_for_card(TEXTS["med.status.title"].split("{")[0].strip(), after=before, name="hr-med-status")
    lines = [line.strip() for line in (await status.text()).splitlines() if line.strip()]
    assert UNIT in lines, lines
    assert lines[lines.index(UNIT) + 1] == done, lines
    for unit in OTHER_UNITS:  # only workplaces with a registered channel are listed
        assert unit not in lines, lines
