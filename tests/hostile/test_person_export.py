"""HR exports everything the bot holds about one person (GDPR art. 15), over HTTP as HR would;
nobody else can, a forged or stale link opens nothing, and the ZIP checks out with its SHA256SUMS."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import zipfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from app import RUNTIME
from bot.guideline.model import EvidenceItem
from bot.hosting.settings import Settings
from bot.repositories.cases import CaseDoc
from bot.storage.local import LocalStore
from bot.storage.store import EvidenceMeta
from tests.bot.chat import said
from tests.conftest import running_app
from tests.fakes.connector import FakeConnector
from tests.unit.guideline.builders import LEADER, REPORTER, opened

HR = "00000000-0000-0000-0000-0000000000c1"
STRANGER = "00000000-0000-0000-0000-00000000f00f"
EMPLOYEE = replace(REPORTER, aad_object_id="00000000-0000-0000-0000-00000000e0e0")
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 100


def activity(url: str, who: str, n: int, text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"x-{who[-4:]}-{n}",
        "channelId": "msteams",
        "serviceUrl": url,
        "locale": "da-DK",
        "text": text,
        "from": {"id": f"29:{who}", "aadObjectId": who, "name": "Person"},
        "recipient": {"id": "28:bot", "name": "Bot"},
        "conversation": {"id": f"a:chat-{who}", "conversationType": "personal", "tenantId": "t"},
    }


async def _bytes(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_hr_gets_one_persons_data_and_nobody_else_does(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "HR_AAD_OBJECT_IDS": HR})
    sha = hashlib.sha256(PNG).hexdigest()
    mine = replace(
        opened(case_id="case0001"),
        reporter=EMPLOYEE,
        evidence=(EvidenceItem(sha, len(PNG), "image/png", "skærm.png", EMPLOYEE.aad_object_id, opened().created_at),),
    )
    other = replace(opened(case_id="case0002"), reporter=replace(REPORTER, aad_object_id="someone-else"))
    async with FakeConnector() as connector, running_app(settings, store=store) as client:
        runtime = client.app[RUNTIME]
        for case in (mine, other):
            await runtime.cases.create(CaseDoc(case))
        meta = EvidenceMeta(sha, len(PNG), "image/png", "skærm.png", EMPLOYEE.aad_object_id, mine.created_at)
        await store.put_evidence(f"evidence/case0001/{sha}", _bytes(PNG), meta)
        await store.put_evidence(f"evidence/case0002/{sha}", _bytes(PNG), meta)
        url = connector.service_url
        person = EMPLOYEE.aad_object_id

        await client.post("/api/messages", json=activity(url, STRANGER, 1, f"indsigt {person}"))
        told = [said(m.activity) for m in connector.messages(f"a:chat-{STRANGER}")]
        assert "Kommandoen kan kun bruges af HR." in told
        await client.post("/api/messages", json=activity(url, HR, 2, "indsigt Mette"))
        assert any("Entra-objekt-id" in said(m.activity) for m in connector.messages(f"a:chat-{HR}"))

        await client.post("/api/messages", json=activity(url, HR, 3, f"indsigt {person}"))
        await runtime.background.drain()
        # The scheduler may post the new cases' cards into HR's chat meanwhile: find the answer.
        ready = next(said(m.activity) for m in connector.messages(f"a:chat-{HR}") if "/export/" in said(m.activity))
        assert "(sager: 1, filer: 1)" in ready  # not "1 sager og 1 filer"
        link = re.search(r"\((https?://[^)]+)\)", ready)
        assert link is not None
        path = link.group(1).split("//", 1)[1].split("/", 1)[1]

        tampered = re.sub(r"sig=[0-9a-f]+", "sig=" + "0" * 32, path)
        assert (await client.get("/" + tampered)).status == 404
        response = await client.get("/" + path)
        assert response.status == 200
        body = await response.read()

        audit = [line["type"] for line in await store.read_audit("case0001")]
        assert "person_exported" in audit
        assert await store.read_audit("case0002") == []  # a case the person is not on is untouched
    await store.close()

    archive = zipfile.ZipFile(io.BytesIO(body))
    names = set(archive.namelist())
    assert {"manifest.json", "SHA256SUMS", "cases/case0001/case.json", "cases/case0001/audit.json"} <= names
    assert f"cases/case0001/evidence/{sha}" in names and not any("case0002" in n for n in names)
    assert archive.read(f"cases/case0001/evidence/{sha}") == PNG  # byte for byte
    for line in archive.read("SHA256SUMS").decode().splitlines():  # what `sha256sum -c` checks
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert LEADER.aad_object_id in archive.read("cases/case0001/case.json").decode()  # the case as stored


async def test_old_exports_are_deleted(tmp_path: Path) -> None:
    from bot.guideline.policy import DeadlinePolicy
    from bot.intake.evidence_links import EvidenceLinks
    from bot.repositories.cases import CaseRepository
    from bot.services.person_export import PersonExport
    from tests.fakes.clock import FakeClock

    store = LocalStore(tmp_path / "data")
    clock = FakeClock()
    cases = CaseRepository(store, DeadlinePolicy())
    exports = PersonExport(store, cases, clock, EvidenceLinks("http://127.0.0.1"))
    await cases.create(CaseDoc(replace(opened(case_id="case0001"), reporter=EMPLOYEE)))
    await exports.build(EMPLOYEE.aad_object_id, HR)
    assert len(await store.list("exports/")) == 1
    clock.advance(days=1)
    assert await exports.forget_old() == 0
    clock.advance(days=2)
    assert await exports.forget_old() == 1 and await store.list("exports/") == []
    await asyncio.sleep(0)
    await store.close()
