"""The employee's whole report in the Teams Playground: welcome -> report card -> screenshot -> review
-> receipt, against the real app; the screenshot really ends up in the data dir, byte for byte.

The first attempt to go on with only a description is stopped by the card itself (required inputs),
as Teams does: nothing reaches the bot until the required inputs are filled in.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest_asyncio

from bot.texts.da import TEXTS
from tests.e2e.conftest import BotFactory
from tests.e2e.harness.activities import FileServer
from tests.e2e.harness.config import DEPUTY, EMPLOYEE, LEADER
from tests.e2e.harness.flows import (
    CASE_NUMBER,
    Evidence,
    fill_report_card,
    label,
    open_report_card,
    png,
    send_evidence,
    stored_evidence,
    write_leader_directory,
)
from tests.e2e.harness.procs import BotServer, PlaygroundServer
from tests.e2e.harness.ui import ChatPage

DESCRIPTION = "Han skrev under mit opslag, at han ved hvor jeg bor, og at jeg skal passe på."


@pytest_asyncio.fixture(loop_scope="session")
async def bot(bot_factory: BotFactory, file_server: FileServer, tmp_path: Path) -> BotServer:
    """The app, allowed (local mode only) to fetch attachments from the test's file server, with a
    leader directory that knows the employee's leader."""
    directory = await asyncio.to_thread(write_leader_directory, tmp_path / "leaders.csv", [(EMPLOYEE, LEADER, DEPUTY)])
    return await bot_factory(
        extra_env={
            "EVIDENCE_DEV_ORIGINS": f"http://127.0.0.1:{file_server.port}",
            "LEADER_DIRECTORY_FILE": str(directory),
        }
    )


async def test_employee_reports_with_a_screenshot_and_gets_a_receipt(
    bot: BotServer, employee_pg: PlaygroundServer, employee: ChatPage, file_server: FileServer
) -> None:
    form = await open_report_card(employee)
    text = await form.text()
    assert TEXTS["report.submit"] in text and TEXTS["category.trussel"] in text

    # Only a description: the card's own validation stops it, nothing is sent to the bot.
    await form.fill(label("report.description"), DESCRIPTION)
    before = await employee.message_count()
    await form.click(TEXTS["report.submit"])
    await form.wait_for_text(TEXTS["report.category.required"])
    await form.wait_for_text(TEXTS["report.platform.required"])
    await form.screenshot("employee-report-card-blocked")
    await asyncio.sleep(1.0)  # a message the bot sent anyway would show by now
    assert await employee.message_count() == before, "the incomplete card reached the bot"

    # The rest of the card; the date and time are pre-filled with now.
    await fill_report_card(form, description=DESCRIPTION)
    await form.screenshot("employee-report-card-filled")
    before = await employee.message_count()
    await form.click(TEXTS["report.submit"])
    advice = await employee.wait_for_card(TEXTS["evidence.done_button"], after=before, name="employee-evidence-advice")
    assert TEXTS["evidence.done_button"] in await advice.text()

    shot = Evidence("opslag.png", png("report-e2e"))
    ack = await send_evidence(employee, employee_pg, file_server, shot)
    assert "Modtaget" in ack, f"the screenshot was not kept: {ack!r}"
    assert "opslag.png" in ack and "Kontrolsum" not in ack  # no jargon in what the employee reads
    assert file_server.downloads, "the bot never fetched the file"
    await employee.screenshot("chat-after-upload")

    before = await employee.send_text("færdig")
    review = await employee.wait_for_card(TEXTS["review.title"], after=before, name="employee-review")
    review_text = await review.text()
    assert "opslag.png" in review_text and shot.sha256[:12] in review_text
    assert DESCRIPTION in review_text and TEXTS["platform.facebook"] in review_text
    today = datetime.now(ZoneInfo(employee.config.time_zone)).date().isoformat()
    assert re.search(rf"{today} \d\d:\d\d", review_text), "the pre-filled date and time did not come through"

    before = await employee.message_count()
    await review.click(TEXTS["review.submit"])
    receipt_title = TEXTS["receipt.title"].split(" – ")[0]
    receipt = await employee.wait_for_card(receipt_title, after=before, name="employee-receipt")
    receipt_text = await receipt.text()
    assert CASE_NUMBER.search(receipt_text), receipt_text
    assert shot.sha256[:12] in receipt_text
    assert LEADER.name in receipt_text, "the receipt does not say which leader is told"

    copies = await stored_evidence(bot.data_dir, shot.sha256)
    assert len(copies) == 1, f"expected one stored copy of the screenshot, found {copies}"
    assert await asyncio.to_thread(copies[0].read_bytes) == shot.data
