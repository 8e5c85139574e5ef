"""A person's data on request (GDPR art. 15): everything the bot holds about one person, as a ZIP.

HR asks for it in the chat with the bot (`indsigt <Entra object id>`); the bot builds the ZIP in
the background and answers with a link that works for HR alone and expires. Each export and each
download is an audit line on every case in it. What goes in:

- every case the person is on (as reporter, manager or deputy): the case document as stored and
  its audit log;
- the evidence files of the cases the person reported, and any file the person uploaded;
- the person's conversation reference and their unfinished report draft, if any;
- `manifest.json` (what is in it, why, and for whom) and `SHA256SUMS` (`sha256sum -c` accepts it).

Built in a temporary file (memory does not grow with the evidence), stored write-once under
`exports/{day}/{export id}/{sha256}`, and deleted by the retention job after EXPORT_KEEP_DAYS.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.errors import NotFound
from bot.evidence_pack.manifest import file_chunks, sha256_file
from bot.guideline.model import Person
from bot.hosting.logs import fields
from bot.intake.evidence_links import EvidenceLinks
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.documents import Unchanged
from bot.services import audit
from bot.services.audit import record, trail
from bot.services.ports import Clock
from bot.storage import names
from bot.storage.store import Document, EvidenceMeta, Store

log = logging.getLogger(__name__)

EXPORT_KEEP_DAYS = 2  # the ZIP is a copy of personal data: kept only long enough to be fetched
LINK_MINUTES = 60
ROLES = names.CASE_PERSON_TAGS  # the case index tags that name a person
# A person's own documents (`names.Owner.PERSON`), each as a file in the ZIP and why it is there.
PERSON_FILES = {
    "user_ref": ("conversation-reference.json", "how the bot reaches you in Teams"),
    "draft": ("draft.json", "your unfinished report"),
}


@dataclass(frozen=True)
class Export:
    export_id: str
    sha256: str
    size: int
    cases: int
    files: int
    url: str
    expires_at: datetime


class PersonExport:
    def __init__(self, store: Store, cases: CaseRepository, clock: Clock, links: EvidenceLinks) -> None:
        self.store = store
        self.cases = cases
        self.clock = clock
        self.links = links

    async def case_ids(self, person: str) -> list[str]:
        return await self.cases.ids_naming(person)

    async def build(self, person: str, by: str) -> Export:
        """Collect, zip, store write-once, audit, and sign HR's link (NotFound: nothing held)."""
        now = self.clock.now()
        case_ids = await self.case_ids(person)
        own = await self._own(person)
        if not case_ids and not own:
            raise NotFound(person)
        export_id = f"x{secrets.token_hex(12)}"
        workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="export-"))
        try:
            path = workdir / "export.zip"
            files = await self._write_zip(path, person, by, now, case_ids, own)
            sha256, size = await asyncio.to_thread(sha256_file, path)
            day = now.astimezone(UTC).strftime("%Y%m%d")
            meta = EvidenceMeta(sha256, size, "application/zip", f"indsigt-{day}.zip", by, now.astimezone(UTC))
            await self.store.put_evidence(names.export(day, export_id, sha256), file_chunks(path), meta)
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        for case_id in case_ids:
            await record(self.store, case_id, "person_exported", by, now, export_id=export_id)
        url, expires = self.links.sign_export(f"{day}-{export_id}", sha256, by, LINK_MINUTES)
        log.info("person export built", extra=fields(export_id=export_id, cases=len(case_ids), files=files))
        return Export(export_id, sha256, size, len(case_ids), files, url, datetime.fromtimestamp(expires, UTC))

    async def _write_zip(
        self,
        path: Path,
        person: str,
        by: str,
        now: datetime,
        case_ids: list[str],
        own: dict[str, Document],
    ) -> int:
        archive = await asyncio.to_thread(zipfile.ZipFile, path, "w", zipfile.ZIP_DEFLATED)
        sums: list[str] = []
        contents: list[dict[str, Any]] = []

        async def add_json(name: str, data: Any, why: str) -> None:
            raw = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
            await asyncio.to_thread(archive.writestr, name, raw)
            sums.append(f"{hashlib.sha256(raw).hexdigest()}  {name}")
            contents.append({"file": name, "why": why})

        files = 0
        try:
            for case_id in case_ids:
                found = await self.cases.stored(case_id)
                if found is None:
                    continue
                case = found["case"]
                roles = [r for r in ROLES if (case.get(r) or {}).get("aad_object_id") == person] or ["named on it"]
                await add_json(f"cases/{case_id}/case.json", case, f"a case you are on ({', '.join(roles)})")
                await add_json(f"cases/{case_id}/audit.json", await trail(self.store, case_id), "who did what on it")
                for name in await self.store.list(names.evidence_prefix(case_id)):
                    meta = await self.store.get_evidence_meta(name)
                    if meta is None or ("reporter" not in roles and meta.uploaded_by != person):
                        continue
                    entry = f"cases/{case_id}/evidence/{meta.sha256}"
                    await self._add_stream(archive, entry, name, meta.sha256)
                    sums.append(f"{meta.sha256}  {entry}")
                    contents.append({"file": entry, "why": "a file you sent or reported", "name": meta.original_name})
                    files += 1
            for key, doc in own.items():
                file, why = PERSON_FILES[key]
                await add_json(file, doc.data, why)
            manifest = {
                "person": person,
                "exported_at": now.astimezone(UTC).isoformat(),
                "exported_by": by,
                "contents": contents,
                "not_included": "evidence of cases you did not report and did not upload to (the reporter's data)",
            }
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            await asyncio.to_thread(archive.writestr, "manifest.json", raw)
            sums.append(f"{hashlib.sha256(raw).hexdigest()}  manifest.json")
            await asyncio.to_thread(archive.writestr, "SHA256SUMS", ("\n".join(sums) + "\n").encode())
        finally:
            await asyncio.to_thread(archive.close)
        return files

    async def _own(self, person: str) -> dict[str, Document]:
        """The person's own documents that exist, by kind, in the ZIP's order."""
        stored = names.person_owned(person)
        own = {}
        for key in PERSON_FILES:
            doc = await self.store.get(stored[key])
            if doc is not None:
                own[key] = doc
        return own

    async def _add_stream(self, archive: zipfile.ZipFile, entry: str, name: str, sha256: str) -> None:
        """Copy one stored file into the ZIP chunk by chunk, checking its hash on the way."""
        digest = hashlib.sha256()
        target = await asyncio.to_thread(archive.open, entry, "w", force_zip64=True)
        try:
            async for chunk in self.store.read_evidence(name):
                digest.update(chunk)
                await asyncio.to_thread(target.write, chunk)
        finally:
            await asyncio.to_thread(target.close)
        if digest.hexdigest() != sha256:
            raise RuntimeError(f"stored evidence does not match its hash: {name}")

    async def correct_name(self, person: str, name: str, by: str) -> int:
        """Rectification (GDPR art. 16): the person's name on every case they are on, each change an
        audit line written with it. Returns how many cases changed. The reporter's own words are
        never rewritten: a wrong fact is corrected by a note on the case.

        Also in the notices a case keeps until they are sent (`replaced_leaders`,
        `removed_deputies`): a replaced manager's notice names who has the case now, a removed
        deputy's the manager, with the name stored at the hand-over; a notice sent after the
        correction says the corrected name. The cases are those that name the person as reporter,
        manager or deputy (the index); one that names them only in such a notice (a manager
        replaced, a deputy taken off) is not found, and there their own name is in no text."""
        name = " ".join(name.split())
        if not name or len(name) > 256:
            raise ValueError("name")
        now = self.clock.now()

        def renamed(who: Person) -> Person:
            return replace(who, name=name) if who.aad_object_id == person else who

        def rename(doc: CaseDoc) -> tuple[CaseDoc, bool]:
            case, changed = doc.case, []
            for role in ("reporter", "leader", "deputy", "leader_manager"):
                who = getattr(case, role)
                if who is not None and who.aad_object_id == person and who.name != name:
                    case = replace(case, **{role: replace(who, name=name)})
                    changed.append(role)
            replaced = tuple(
                replace(n, leader=renamed(n.leader), successor=renamed(n.successor)) for n in case.replaced_leaders
            )
            if replaced != case.replaced_leaders:
                case = replace(case, replaced_leaders=replaced)
                changed.append("replaced_leaders")
            removed = tuple(
                replace(n, deputy=renamed(n.deputy), leader=renamed(n.leader)) for n in case.removed_deputies
            )
            if removed != case.removed_deputies:
                case = replace(case, removed_deputies=removed)
                changed.append("removed_deputies")
            if not changed:
                raise Unchanged()
            line = audit.note_line("name_corrected", by, now, roles=changed)
            return replace(doc, case=case, audit=[*doc.audit, line]), True

        count = 0
        for case_id in await self.case_ids(person):
            if await self.cases.change(case_id, rename):
                await audit.flush(self.cases, case_id)
                count += 1
        return count

    async def opened(self, day_and_id: str, sha256: str, issued_to: str) -> EvidenceMeta:
        day, _, export_id = day_and_id.partition("-")
        meta = await self.store.get_evidence_meta(names.export(day, export_id, sha256))
        if meta is None:
            raise NotFound(sha256)
        log.info("person export downloaded", extra=fields(export_id=export_id))
        return meta

    async def read(self, day_and_id: str, sha256: str) -> AsyncGenerator[bytes, None]:
        """The stored ZIP's bytes; closing this generator closes the store's stream at once."""
        day, _, export_id = day_and_id.partition("-")
        source = self.store.read_evidence(names.export(day, export_id, sha256))
        try:
            async for chunk in source:
                yield chunk
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()

    async def forget_old(self) -> int:
        """Delete exports older than EXPORT_KEEP_DAYS (run by the retention job)."""
        oldest = (self.clock.now() - timedelta(days=EXPORT_KEEP_DAYS)).astimezone(UTC).strftime("%Y%m%d")
        days = sorted({names.export_day_of(name) for name in await self.store.list(names.EXPORTS)})
        removed = 0
        for day in days:
            if day < oldest:
                removed += await self.store.purge(names.export_day(day))
        return removed
