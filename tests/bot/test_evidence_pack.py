"""Asking for the evidence pack on the case card: who may, the links in the chat, the write-once
files, the audit lines, and the download over HTTP."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import replace
from typing import Any

from app import Runtime
from bot.hosting.settings import Secret
from tests.bot.chat import all_text, invoke
from tests.bot.conftest import EMPLOYEE, HR, LEADER, STRANGER, World
from tests.bot.test_leader_flow import report
from tests.conftest import running_app
from tests.fakes.file_host import PNG


def pack_messages(world: World) -> list[dict[str, Any]]:
    return [m.activity for m in world.connector.messages() if "Dokumentationsmappe – sag" in _said(m.activity)]


def _said(activity: dict[str, Any]) -> str:
    return "\n".join(all_text(a.get("content") or {}) for a in activity.get("attachments") or []) + (
        activity.get("text") or ""
    )


def urls(activity: dict[str, Any]) -> dict[str, str]:
    content = activity["attachments"][0]["content"]
    return {a["title"]: a["url"] for a in content["actions"] if a["type"] == "Action.OpenUrl"}


async def ask(world: World, runtime: Runtime, who: str, case_id: str) -> dict[str, Any]:
    card = await invoke(world.chat(runtime, who, "Nogen"), "evidence_pack", {"case_id": case_id})
    await runtime.background.drain()
    return card


async def test_the_leader_gets_three_links_in_the_chat_and_each_is_an_audit_line(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    card = await ask(world, runtime, LEADER, case_id)
    assert "Dokumentationsmappen bliver lavet" in all_text(card)
    [sent] = pack_messages(world)
    links = urls(sent)
    assert set(links) == {"Hent PDF", "Hent Word-dokument", "Hent ZIP med originaler"}
    assert all(re.search(rf"/pack/{case_id}/[0-9a-f]{{64}}\?to={LEADER}&exp=\d+&sig=", u) for u in links.values())
    assert "gemmer ikke dokumentationsmappen i kommunens sagssystem" in _said(sent)
    stored = await runtime.store.list(f"packs/{case_id}/")
    assert len(stored) == 3
    audit = await runtime.store.read_audit(case_id)
    issued = [line for line in audit if line["type"] == "pack_link_issued"]
    assert [line["kind"] for line in issued] == ["pdf", "docx", "zip"]
    assert all(line["actor"] == LEADER for line in issued)
    [built] = [line for line in audit if line["type"] == "pack_built"]
    assert sorted(built["new"]) == ["docx", "pdf", "zip"]


async def test_the_reporter_and_hr_may_ask_and_an_unchanged_case_stores_nothing_new(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    await ask(world, runtime, LEADER, case_id)
    await ask(world, runtime, EMPLOYEE, case_id)
    await ask(world, runtime, HR, case_id)
    sent = pack_messages(world)
    assert len(sent) == 3
    shas = [sorted(re.findall(r"/pack/[^/]+/([0-9a-f]{64})", " ".join(urls(s).values()))) for s in sent]
    assert shas[0] == shas[1] == shas[2]  # the same case gives the same files
    assert len(await runtime.store.list(f"packs/{case_id}/")) == 3
    built = [line for line in await runtime.store.read_audit(case_id) if line["type"] == "pack_built"]
    assert [line["new"] for line in built[1:]] == [[], []]
    assert [line["actor"] for line in built] == [LEADER, EMPLOYEE, HR]


async def test_someone_not_on_the_case_gets_no_pack_and_nothing_is_recorded(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    before = await runtime.store.read_audit(case_id)
    card = await ask(world, runtime, STRANGER, case_id)
    assert "Du har ikke adgang" in all_text(card)
    assert pack_messages(world) == []
    assert await runtime.store.read_audit(case_id) == before
    assert await runtime.store.list(f"packs/{case_id}/") == []


async def test_a_link_downloads_the_file_once_per_audit_line_and_a_forged_one_gets_404(world: World) -> None:
    world.settings = replace(world.settings, evidence_link_key=Secret("shared-test-key"))
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    await ask(world, runtime, LEADER, case_id)
    sent = pack_messages(world)[0]
    links = urls(sent)
    async with running_app(world.settings, store=world.store) as client:
        path = re.sub(r"^https?://[^/]+", "", links["Hent ZIP med originaler"])
        response = await client.get(path)  # no sign-in: whoever holds the link gets the file
        assert response.status == 200
        # So the card must not promise "kun til dig"; it says not to share them.
        assert "kun til dig" not in _said(sent) and "Del dem ikke: alle, der har et link" in _said(sent)
        assert response.headers["Content-Type"] == "application/zip"
        assert "attachment" in response.headers["Content-Disposition"]
        body = await response.read()
        assert hashlib.sha256(body).hexdigest() in path
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            originals = [n for n in archive.namelist() if "/originaler/" in n]
            assert [archive.read(n) for n in originals] == [PNG]
        as_someone_else = path.replace(f"to={LEADER}", f"to={STRANGER}")
        assert (await client.get(as_someone_else)).status == 404
        evidence_route = path.replace("/pack/", "/evidence/")
        assert (await client.get(evidence_route)).status == 404
        pdf = await client.get(re.sub(r"^https?://[^/]+", "", links["Hent PDF"]))
        assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")
    downloads = [line for line in await world.store.read_audit(case_id) if line["type"] == "pack_downloaded"]
    assert [line["actor"] for line in downloads] == [LEADER, LEADER]
