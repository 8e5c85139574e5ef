"""The employee's side: validate a report, submit the case once (the draft is in drafts.py).

A report is validated here, on the server, whatever the card already checked: the card is
never trusted. Submitting writes the case in one create-only write; the leader notification is
part of the case (the domain's CASE_ASSIGNED item, delivered by the notification service), so a
crash between the write and the send never loses it.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.chat.forms import ReportForm
from bot.directory import Directory, effective_leader
from bot.errors import AlreadyExists, InvalidInput
from bot.guideline.case import CLOCK_SKEW, new_case
from bot.guideline.definitions import Category, Platform
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import Case, EvidenceItem, Facts, Person
from bot.guideline.policy import DeadlinePolicy
from bot.hosting.logs import fields
from bot.hosting.telemetry import METRICS
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.counters import CaseNumbers
from bot.services import audit
from bot.services.drafts import DraftIndex
from bot.services.notifications import FirstClaim, claim_new_case
from bot.services.outcomes import CaseSubmitted
from bot.storage.store import EvidenceMeta, Store

__all__ = ["DraftIndex", "ReportService", "validate_report"]  # the draft index moved to drafts.py

log = logging.getLogger(__name__)
_HTTP = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def validate_report(form: ReportForm, now: datetime, zone: ZoneInfo) -> Facts:
    """Typed facts, or InvalidInput naming the first field that is wrong (a text key as reason)."""
    try:
        category = Category(form.category)
    except ValueError:
        raise InvalidInput("category", "required" if not form.category else "invalid_choice") from None
    if not form.description.strip():
        raise InvalidInput("description", "required")
    try:
        platform = Platform(form.platform)
    except ValueError:
        raise InvalidInput("platform", "required" if not form.platform else "invalid_choice") from None
    if not form.date or not form.time:
        raise InvalidInput("occurred_at", "required")
    try:
        local = datetime.combine(date.fromisoformat(form.date), time.fromisoformat(form.time[:5]), zone)
    except ValueError:
        raise InvalidInput("occurred_at", "bad_date") from None
    if local.astimezone(UTC) > now + CLOCK_SKEW:
        raise InvalidInput("occurred_at", "in_future")
    if form.link and not _HTTP.match(form.link):
        raise InvalidInput("link", "not_http")
    try:
        return Facts(
            category=category,
            description=form.description,
            occurred_at=local.astimezone(UTC),
            platform=platform,
            link=form.link or None,
            offender=form.offender or None,
            outside_working_hours=form.outside_hours,
            family_threatened=form.family,
        )
    except InvalidDecision as exc:
        raise InvalidInput(exc.field, exc.code) from None


def new_draft_id() -> str:
    """The case id is fixed when the draft starts, so its evidence is stored under it at once."""
    return uuid.uuid4().hex


def evidence_item(meta: EvidenceMeta) -> EvidenceItem:
    return EvidenceItem(
        meta.sha256, meta.size, meta.content_type, meta.original_name, meta.uploaded_by, meta.uploaded_at
    )


@dataclass(frozen=True)
class Submitted:
    case: Case
    already: bool  # a repeated submit of the same draft
    claim: FirstClaim | None = None  # the first delivery, claimed in the case's create-only write

    @property
    def follow_ups(self) -> tuple[CaseSubmitted, ...]:
        """For the dispatcher: deliver what the new case owes now (a repeated submit owes nothing new)."""
        return () if self.already else (CaseSubmitted(self.case, self.claim),)


class ReportService:
    def __init__(
        self,
        store: Store,
        cases: CaseRepository,
        directory: Directory,
        policy: DeadlinePolicy,
        zone: ZoneInfo,
        numbers: CaseNumbers | None = None,
    ) -> None:
        self.store = store
        self.cases = cases
        self.directory = directory
        self.policy = policy
        self.zone = zone
        self.numbers = numbers or CaseNumbers(store)  # close() it at shutdown: unused numbers go back

    async def leader_choices(self, reporter_id: str) -> list[tuple[str, str]] | None:
        """None when the directory knows the leader; else the leaders the employee may choose from."""
        entry = await self.directory.lookup(reporter_id)
        if entry is not None and effective_leader(entry) is not None:
            return None
        return [(p.aad_object_id, p.name) for p in await self.directory.leaders() if p.aad_object_id != reporter_id]

    async def chosen_leader(self, reporter_id: str, value: object) -> Person | None:
        """The employee's own choice, checked against the leaders offered (never trusted as given)."""
        offered = dict(await self.leader_choices(reporter_id) or [])
        if isinstance(value, str) and value in offered:
            return Person(value, offered[value])
        return None

    async def submit(
        self,
        case_id: str,
        reporter: Person,
        facts: Facts,
        evidence: list[EvidenceMeta],
        now: datetime,
        chosen: Person | None = None,
        *,
        first: bool = False,
    ) -> Submitted:
        """`first`: the caller has just closed the draft, the case's only way in, so no case with
        this id can exist yet and it is not read first (the create-only write would still refuse
        a second; a repeated submit is read and finds the case, its number kept)."""
        if not first and await self.cases.exists(case_id):
            return Submitted((await self.cases.get(case_id)).case, already=True)
        entry = await self.directory.lookup(reporter.aad_object_id)
        leader = entry.leader if entry else None
        deputy = entry.deputy if entry else None
        if leader is None:  # a deputy known without a leader leads the case
            leader, deputy = deputy, None
        if leader is None and chosen is not None:
            leader = chosen  # the employee's own choice among the leaders offered
        # The deputy sees the case from the start only while the leader is marked absent; otherwise
        # the deputy is brought in later, if at all (HR, or the acknowledgement overdue).
        absent = bool(entry and entry.leader_absent and deputy is not None)
        year = now.astimezone(self.zone).year
        number = f"KH-{year}-{await self.numbers.take(year):04d}"
        case, events = new_case(
            id=case_id,
            number=number,
            reporter=reporter,
            leader=leader,
            deputy=deputy,
            unit=entry.unit if entry else None,
            facts=facts,
            evidence=[evidence_item(m) for m in evidence],
            now=now,
            policy=self.policy,
            leader_manager=entry.leader_manager if entry else None,
            leader_absent=absent,
        )
        lines = audit.event_lines(events)
        # The first delivery is claimed in this same write (no claim write before the round); the
        # delivery that follows (CaseSubmitted) sends it and appends the lines with its own.
        claim = claim_new_case(case, lines, now, self.policy)
        try:
            await self.cases.create(CaseDoc(case, retry=claim.retry(), audit=lines))
        except AlreadyExists:
            return Submitted((await self.cases.get(case_id)).case, already=True)
        log.info("case submitted", extra=fields(case_id=case.id, evidence=len(evidence), has_leader=bool(leader)))
        METRICS.case_opened()
        return Submitted(case, already=False, claim=claim)
