"""The access log: every read of a case or its evidence by anyone but the reporter is an audit line.

Written before the person sees anything; if the line cannot be written the read fails, so there is
no unlogged read. The lines go to the case's audit log (`case_viewed`) and are kept and deleted
with it; the case card's history leaves them out (they are for the data protection officer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.errors import NotFound
from bot.guideline.model import Case
from bot.repositories.cases import CaseRepository
from bot.services.audit import record
from bot.storage.store import Store

READ = "case_viewed"


async def case_read(store: Store, case: Case, viewer: str, now: datetime, view: str, **details: Any) -> None:
    if viewer != case.reporter.aad_object_id:
        await record(store, case.id, READ, viewer, now, view=view, **details)


async def evidence_opened(repo: CaseRepository, now: datetime, case_id: str, sha256: str, viewer: str) -> None:
    """A signed evidence link was followed by the person it was made for."""
    try:
        case = (await repo.get(case_id)).case
    except NotFound:
        return  # a draft's file: the employee's own, before there is a case
    await case_read(repo.store, case, viewer, now, "evidence", sha256=sha256)
