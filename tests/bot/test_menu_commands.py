"""A menu command in the middle of a report is answered without touching the dialog: its state is
not read (that is the turn's cost saved) and the report goes on where it was."""

from __future__ import annotations

from pathlib import Path

from bot.storage import names
from bot.storage.local import LocalStore
from bot.storage.store import Document
from tests.bot.chat import all_text, cards
from tests.bot.conftest import EMPLOYEE, World
from tests.bot.test_report_dialog import GOOD_FORM


class StateReads(LocalStore):
    """The world's local store, counting reads of botbuilder's dialog and user state."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.state_reads = 0

    async def get(self, name: str) -> Document | None:
        self.state_reads += name.startswith(names.STATE + "/")
        return await super().get(name)


async def test_help_during_a_report_reads_no_dialog_state_and_the_report_goes_on(world: World) -> None:
    store = StateReads(world.data_dir)
    chat = world.chat(await world.runtime(store), EMPLOYEE)
    await chat.send("rapportér")
    assert store.state_reads > 0  # the dialog's turns read it
    store.state_reads = 0
    menu = cards(await chat.send("hjælp"))
    assert menu and "Det kan du skrive til mig" in all_text(menu[0])
    assert store.state_reads == 0
    advice = cards(await chat.send(value=GOOD_FORM))  # the form, still waited for
    assert "skærmbillede" in all_text(advice[0])
    assert store.state_reads > 0
