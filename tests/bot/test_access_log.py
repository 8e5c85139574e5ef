"""The access log: a read of a case or its evidence by anyone but the reporter is an audit line,
written before the person sees it; the reporter's own reads are not logged; the card's history
leaves the lines out; a forged viewer on an evidence link opens nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest

from bot.hosting.settings import Secret
from tests.bot.chat import all_text, invoke
from tests.bot.conftest import EMPLOYEE, HR, LEADER, STRANGER, World
from tests.bot.test_leader_flow import report
from tests.conftest import running_app


async def reads(world: World, case_id: str) -> list[tuple[str, str]]:
    return [
        (line["actor"], line["view"]) for line in await world.store.read_audit(case_id) if line["type"] == "case_viewed"
    ]


def evidence_link(card: dict[str, Any]) -> str:
    found = re.search(r"https?://[^\s\"')]+/evidence/[^\s\"')]+", str(card))
    assert found is not None, "the card links its evidence"
    return re.sub(r"^https?://[^/]+", "", found.group(0))


async def test_reads_by_others_are_logged_before_they_are_shown(world: World) -> None:
    world.settings = replace(world.settings, evidence_link_key=Secret("shared-test-key"))
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    before = await reads(world, case_id)

    await invoke(world.chat(runtime, EMPLOYEE, "Mette"), "refresh_case", {"case_id": case_id})
    assert await reads(world, case_id) == before  # the reporter's own reads are not logged

    leader_card = await invoke(world.chat(runtime, LEADER, "Lene"), "refresh_case", {"case_id": case_id})
    await invoke(world.chat(runtime, HR, "Hanne"), "history", {"case_id": case_id})
    logged = (await reads(world, case_id))[len(before) :]
    assert logged == [(LEADER, "card"), (HR, "history")]

    history = await invoke(world.chat(runtime, HR, "Hanne"), "history", {"case_id": case_id})
    assert "case_viewed" not in all_text(history)  # the case's story, not the access log

    refused = await invoke(world.chat(runtime, STRANGER, "Ukendt"), "refresh_case", {"case_id": case_id})
    assert "Hanne" not in all_text(refused)
    assert STRANGER not in [actor for actor, _ in await reads(world, case_id)]  # refused: nothing read

    path = evidence_link(leader_card)
    assert f"to={LEADER}" in path
    async with running_app(world.settings, store=world.store) as client:
        assert (await client.get(path.replace(f"to={LEADER}", f"to={STRANGER}"))).status == 404
        response = await client.get(path)
        assert response.status == 200
    assert (await reads(world, case_id))[-1] == (LEADER, "evidence")


async def test_no_unlogged_read_when_the_log_cannot_be_written(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)

    async def broken(case_id: str, entry: Mapping[str, Any]) -> None:
        raise ConnectionError("audit log unreachable")

    world.store.append_audit = broken  # type: ignore[method-assign]
    chat = world.chat(runtime, LEADER, "Lene")
    with pytest.raises(ConnectionError):  # the turn fails (the user gets the apology) ...
        await invoke(chat, "refresh_case", {"case_id": case_id})
    shown = [a for a in chat.adapter.activity_buffer if a.type == "invokeResponse"]
    assert shown == []  # ... and no card with the case was answered
