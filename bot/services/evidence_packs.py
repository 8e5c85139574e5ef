"""The evidence pack as a service: who may have it, where it is kept, the links and their audit.

The reporter, the leader, the deputy (once brought in: `viewer_role`) and HR may ask for a case's
pack. It is built from the stored case, audit log and evidence, and each of its three files is stored write-once under
`packs/{case_id}/{sha256}`; the name is the content's hash, so building an unchanged case again
finds the files already there and stores nothing twice. Every link issued and every download is an
audit line on the case.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import AlreadyExists, NotFound, NotPermitted
from bot.evidence_pack import BuiltPack, PackFile, build_pack, pack_content
from bot.evidence_pack.manifest import file_chunks
from bot.guideline.model import Actor, Case
from bot.hosting.logs import fields
from bot.intake.evidence_links import EvidenceLinks
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services.audit import record, trail
from bot.services.case_view import viewer_role
from bot.services.ports import Clock
from bot.storage import names
from bot.storage.store import EvidenceMeta, Store
from bot.texts import Texts

log = logging.getLogger(__name__)
KINDS = ("pdf", "docx", "zip")  # the order a person sees them in


@dataclass(frozen=True)
class PackLink:
    kind: str
    name: str
    size: int
    sha256: str
    url: str


@dataclass(frozen=True)
class IssuedPack:
    case: Case
    links: tuple[PackLink, ...]
    expires_at: datetime


class EvidencePacks:
    def __init__(
        self,
        store: Store,
        repo: CaseRepository,
        actor_of: Callable[[str], Awaitable[Actor]],
        clock: Clock,
        links: EvidenceLinks,
        link_minutes: int = 60,
    ) -> None:
        self.store = store
        self.repo = repo
        self.actor_of = actor_of
        self.clock = clock
        self.links = links
        self.link_minutes = link_minutes

    async def may_have(self, case_id: str, actor_id: str) -> Case:
        """The case, if this person may have its pack (NotFound, NotPermitted otherwise)."""
        return (await self._doc(case_id, actor_id)).case

    async def _doc(self, case_id: str, actor_id: str) -> CaseDoc:
        doc = await self.repo.get(case_id)
        if viewer_role(doc.case, await self.actor_of(actor_id)) is None:
            log.warning("evidence pack refused", extra=fields(case_id=case_id))
            raise NotPermitted(case_id)
        return doc

    async def _audit(self, doc: CaseDoc) -> list[dict[str, Any]]:
        """The log, each line once, and the lines still waiting in the case's outbox."""
        lines = await trail(self.store, doc.case.id)
        logged = {line.get("id") for line in lines}
        return lines + [line for line in doc.audit if line.get("id") not in logged]

    async def issue(self, case_id: str, actor_id: str, tx: Texts) -> IssuedPack:
        """Build (or find) the pack for the case as it is now and issue this person's links."""
        doc = await self._doc(case_id, actor_id)
        case = doc.case
        content = pack_content(case, await self._audit(doc), tx)
        workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="pack-"))
        try:
            built = await build_pack(self.store, content, workdir, tx)
            stored = [await self._store(case.id, file, actor_id) for file in built.files]
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)
        now = self.clock.now()
        await record(
            self.store,
            case.id,
            "pack_built",
            actor_id,
            now,
            as_of=content.as_of.isoformat(),
            language=content.language,
            files={f.kind: f.sha256 for f in built.files},
            new=[f.kind for f, is_new in zip(built.files, stored, strict=True) if is_new],
        )
        links, expires = await self._issue_links(case.id, built, actor_id, now)
        log.info("evidence pack issued", extra=fields(case_id=case.id, originals=len(built.originals)))
        return IssuedPack(case, links, expires)

    async def _store(self, case_id: str, file: PackFile, actor_id: str) -> bool:
        """Write-once; False when an identical file is already stored (same name = same bytes)."""
        meta = EvidenceMeta(file.sha256, file.size, file.content_type, file.name, actor_id, self.clock.now())
        try:
            await self.store.put_evidence(names.pack(case_id, file.sha256), file_chunks(file.path), meta)
        except AlreadyExists:
            return False
        return True

    async def _issue_links(
        self, case_id: str, built: BuiltPack, actor_id: str, now: datetime
    ) -> tuple[tuple[PackLink, ...], datetime]:
        links = []
        expires = 0
        for kind in KINDS:
            file = built.file(kind)
            url, expires = self.links.sign_pack(case_id, file.sha256, actor_id, self.link_minutes)
            links.append(PackLink(kind, file.name, file.size, file.sha256, url))
            await record(
                self.store,
                case_id,
                "pack_link_issued",
                actor_id,
                now,
                kind=kind,
                sha256=file.sha256,
                expires_at=datetime.fromtimestamp(expires, UTC).isoformat(),
            )
        return tuple(links), datetime.fromtimestamp(expires, UTC)

    async def opened(self, case_id: str, sha256: str, issued_to: str) -> EvidenceMeta:
        """A signed link was followed: the file's metadata, after the download's audit line."""
        meta = await self.store.get_evidence_meta(names.pack(case_id, sha256))
        if meta is None:
            raise NotFound(sha256)
        await record(
            self.store,
            case_id,
            "pack_downloaded",
            issued_to,
            self.clock.now(),
            sha256=sha256,
            file=meta.original_name,
        )
        log.info("evidence pack downloaded", extra=fields(case_id=case_id))
        return meta

    async def read(self, case_id: str, sha256: str) -> AsyncGenerator[bytes, None]:
        """The stored file's bytes; closing this generator closes the store's stream at once."""
        source = self.store.read_evidence(names.pack(case_id, sha256))
        try:
            async for chunk in source:
                yield chunk
        finally:
            close = getattr(source, "aclose", None)
            if close is not None:
                await close()
