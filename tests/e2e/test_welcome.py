"""An employee installs the app in Teams and asks for help: the Danish welcome card on install,
then the help card with the employee's commands."""

from __future__ import annotations

import pytest

from bot.texts import da
from tests.e2e.harness.ui import ChatPage

TEXTS = da.TEXTS


@pytest.mark.e2e
async def test_install_shows_welcome_and_help_shows_the_commands(employee: ChatPage) -> None:
    welcome = await employee.wait_for_card(TEXTS["welcome.title"], name="welcome-on-install")
    shown = await welcome.text()
    assert "nultolerance" in shown and "24/7" in shown and "16. december 2020" in shown
    first_count = await employee.message_count()

    before = await employee.send_text("hjælp")
    help_card = await employee.wait_for_card(TEXTS["help.title"], after=before, name="help")

    shown = await help_card.text()
    assert TEXTS["help.section.employee"] in shown and "indberet" in shown
    assert TEXTS["help.section.hr"] not in shown
    assert await employee.message_count() > first_count
