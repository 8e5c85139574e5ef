"""Retention: closed cases are deleted when their time is up, unless HR holds them.

A scheduler job (under the scheduler lease, so one instance at a time). For each closed case
whose time is up (bot.guideline.retention decides), in an order that survives a kill anywhere:

1. claim: mark the case document `deleting` with its ETag, refused while HR holds the case (a
   hold and a claim go through the same ETag, so exactly one of them wins);
2. count: add the case to the period's anonymous figures (`stats/med/{period}.json`, by unit
   digest and category; a case number list makes the count idempotent);
3. record: create `deletions/{case_id}.json` once: case number, when, by which rule;
4. delete everything the case owns (`bot.storage.names.case_owned`: evidence, built packs, the
   audit log), then the case document itself (last, so a kill before it leaves a claimed case
   that the next run finishes).

Every step is idempotent, so a run that dies in the middle is simply run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.errors import NotFound
from bot.guideline.med_period import MedSchedule
from bot.guideline.retention import RetentionRules, due_for_deletion, med_record_expired
from bot.hosting.logs import fields
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.documents import Unchanged
from bot.repositories.retention_records import RetentionRecords
from bot.services import audit
from bot.services.ports import Clock
from bot.storage import names
from bot.storage.store import Store

log = logging.getLogger(__name__)

BATCH = 200  # cases per run: a backlog is worked off over a few ticks, never in one long one
# After a run that found no closed case due, the next question waits this long: the rule counts
# days, and the question's cost grows with the days cases were closed on (one index value a day).
# A backlog (something found) is asked again at the next tick; HR's erasures never wait.
ASK_AGAIN_AFTER = timedelta(hours=1)


class Held(Exception):
    """The case is on hold: retention leaves it alone."""


class DeletionUnderWay(Exception):
    """The case was already claimed for deletion: it can no longer be held."""


@dataclass
class Retention:
    store: Store
    cases: CaseRepository
    clock: Clock
    rules: RetentionRules
    periods: MedSchedule
    _med_swept_on: str = ""  # the UTC day the MED records were last swept (per instance)
    _none_due_at: datetime | None = None  # when the closed-case question last found nothing (per instance)
    records: RetentionRecords = field(init=False)

    def __post_init__(self) -> None:
        self.records = RetentionRecords(self.store)

    async def run(self) -> int:
        """Finish erasures HR asked for, delete the closed cases whose time is up; how many went."""
        await self._med_records_once_a_day(self.clock.now())
        if self.rules.closed_case_days == 0:
            return await self._finish_erasures(self.clock.now())
        now = self.clock.now()
        deleted = await self._finish_erasures(now)
        if self._none_due_at is not None and now - self._none_due_at < ASK_AGAIN_AFTER:
            return deleted  # nothing was due a moment ago: a day's rule can wait for the next hour
        due = await self.cases.closed_by(now - timedelta(days=self.rules.closed_case_days))
        self._none_due_at = None if due else now
        for case_id in due[:BATCH]:
            try:
                if await self.delete_case(case_id, now):
                    deleted += 1
            except Exception:  # one case must not stop the others; the next run tries again
                log.exception("retention could not delete a case", extra=fields(case_id=case_id))
        if deleted:
            log.info("retention deleted cases", extra=fields(count=deleted, rule=self.rules.rule))
        return deleted

    async def delete_case(self, case_id: str, now: datetime) -> bool:
        try:
            doc = await self._claim(case_id, now)
        except (Held, NotFound):
            return False
        await self._delete(doc, now, {"rule": self.rules.rule})
        return True

    async def _delete(self, doc: CaseDoc, now: datetime, why: dict[str, str]) -> None:
        case = doc.case
        period = self.periods.period_for(case.created_at)
        await self.records.count_deleted(period.id, names.unit_tag(case.unit), case.facts.category.value, case.number)
        record = {"case_number": case.number, "deleted_at": now.astimezone(UTC).isoformat(), **why}
        await self.records.record_deletion(case.id, record)
        *owned, document = names.case_owned(case.id)  # every kind a case owns, its document last
        for prefix in owned:
            await self.store.purge(prefix)
        await self.store.delete(document)
        await self.store.purge(document)  # on Azure, the document's previous versions

    # -- MED records ---------------------------------------------------------------------------
    async def _med_records_once_a_day(self, now: datetime) -> None:
        """Listing every MED record is cheap once a day and wasteful every minute."""
        today = now.astimezone(UTC).date().isoformat()
        if self._med_swept_on == today:
            return
        try:
            removed = await self.delete_old_med_records(now)
        except Exception:  # the next day tries again; the cases' retention must not wait on it
            log.exception("MED record retention failed")
            return
        self._med_swept_on = today
        if removed:
            log.info("retention deleted MED records", extra=fields(count=removed))

    async def delete_old_med_records(self, now: datetime) -> int:
        """Evaluations, reminders sent and follow-ups of periods ended MED_RECORD_DAYS ago."""
        if self.rules.med_record_days == 0:
            return 0
        removed = 0
        for prefix, period_part in names.MED_PERIOD_RECORDS:
            for name in await self.store.list(prefix):
                parts = name.removesuffix(".json").split("/")
                try:
                    period = self.periods.period_by_id(parts[period_part])
                except (IndexError, ValueError):
                    continue  # not a per-period record
                if med_record_expired(period.end, self.rules, now):
                    await self.store.delete(name)
                    await self.store.purge(name)  # on Azure, its previous versions
                    removed += 1
        return removed

    # -- HR's erasure on request (GDPR art. 17) ------------------------------------------------
    async def erase(self, case_id: str, by: str) -> None:
        """Delete a case now, whatever its state, because a person asked and HR agreed.

        Refused while the case is held (lift the hold first). A marker under `erasures/` is
        written first, so a run killed in the middle is finished by the next tick."""
        now = self.clock.now()
        marker = {"by": by, "at": now.astimezone(UTC).isoformat()}
        await self.records.mark_erasure(case_id, marker)
        try:
            doc = await self._claim(case_id, now, erase=True)
        except Held:
            await self.records.unmark_erasure(case_id)
            raise
        except NotFound:
            await self.records.unmark_erasure(case_id)
            return
        await self._delete(doc, now, {"rule": "erased on request", "requested_by": by})
        await self.records.unmark_erasure(case_id)

    async def _finish_erasures(self, now: datetime) -> int:
        finished = 0
        for case_id, marker in await self.records.erasures(BATCH):
            try:
                await self.erase(case_id, str(marker.get("by", "")))
                finished += 1
            except Exception:
                log.exception("an erasure could not be finished", extra=fields(case_id=case_id))
        return finished

    async def _claim(self, case_id: str, now: datetime, *, erase: bool = False) -> CaseDoc:
        def claim(doc: CaseDoc) -> tuple[CaseDoc, CaseDoc]:
            if doc.deleting is not None:
                return doc, doc  # claimed by a run that died: finish it
            if erase and doc.hold is not None:
                raise Held(case_id)
            if not erase and not due_for_deletion(doc.case, self.rules, doc.hold is not None, now):
                raise Held(case_id)
            doc = replace(doc, deleting=now.astimezone(UTC).isoformat())
            return doc, doc

        return await self.cases.change(case_id, claim)

    # -- HR's hold ---------------------------------------------------------------------------
    async def hold(self, case_id: str, by: str, on: bool) -> bool:
        """Put a case on hold (or lift it), with an audit line; False when it already was so.
        Raises DeletionUnderWay once retention has claimed the case."""
        now = self.clock.now()
        at = now.astimezone(UTC).isoformat()

        def change(doc: CaseDoc) -> tuple[CaseDoc, bool]:
            if doc.deleting is not None:
                raise DeletionUnderWay(case_id)
            if (doc.hold is not None) == on:
                raise Unchanged()
            line = audit.note_line("retention_hold" if on else "retention_release", by, now)
            return replace(doc, hold={"by": by, "at": at} if on else None, audit=[*doc.audit, line]), True

        changed = bool(await self.cases.change(case_id, change))  # None: Unchanged, nothing written
        if changed:
            await audit.flush(self.cases, case_id)  # the line is already safe in the case's outbox
        return changed
