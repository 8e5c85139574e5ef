"""The store requests of botbuilder's conversation state in the report's turns.

A conversation with no dialog running has no state document. botbuilder read it again whenever the
turn's cached state was empty, and the write of a new state read it once more for its ETag: the
report's first turn read a missing document three times. It now reads it once and creates it with
one create-only write; the turns after it read once and write once with the ETag."""

from __future__ import annotations

import collections
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.storage import names
from bot.storage.local import LocalStore
from bot.storage.store import Document
from tests.bot.chat import all_text, cards
from tests.bot.conftest import EMPLOYEE, World
from tests.bot.test_report_dialog import GOOD_FORM


class StateRequests(LocalStore):
    """The world's local store, counting requests on botbuilder's state documents."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.state: collections.Counter[str] = collections.Counter()

    async def get(self, name: str) -> Document | None:
        self.state["get"] += name.startswith(names.STATE + "/")
        return await super().get(name)

    async def put(
        self, name: str, data: Mapping[str, Any], *, etag: str | None, tags: Mapping[str, str] | None = None
    ) -> str:
        if name.startswith(names.STATE + "/"):
            self.state["put with etag" if etag else "create"] += 1
        return await super().put(name, data, etag=etag, tags=tags)


async def test_the_reports_first_turn_reads_the_missing_state_once_and_creates_it(world: World) -> None:
    store = StateRequests(world.data_dir)
    chat = world.chat(await world.runtime(store), EMPLOYEE)
    form = cards(await chat.send("rapportér"))
    assert form and "Indberet en krænkende handling" in all_text(form[0])
    assert store.state == {"get": 1, "create": 1}
    store.state.clear()
    advice = cards(await chat.send(value=GOOD_FORM))  # the state written was the dialog's
    assert "skærmbillede" in all_text(advice[0])
    assert store.state == {"get": 1, "put with etag": 1}
