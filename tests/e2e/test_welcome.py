"""An employee installs the app in Teams and asks for help: the Danish welcome card is shown both times."""

from __future__ import annotations

import pytest

from tests.e2e.harness.ui import ChatPage


@pytest.mark.e2e
async def test_install_shows_welcome_and_help_shows_it_again(employee: ChatPage) -> None:
    welcome = await employee.wait_for_card("Velkommen", name="welcome-on-install")
    assert "Velkommen" in await welcome.text()
    first_count = await employee.message_count()

    before = await employee.send_text("hjælp")
    again = await employee.wait_for_card("Velkommen", after=before, name="welcome-on-help")

    assert "Velkommen" in await again.text()
    assert await employee.message_count() > first_count
