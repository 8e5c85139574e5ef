"""The case repository: one JSON document per case, written with the ETag, indexed by tags.

Document `cases/{case_id}.json`: {"schema": 1, "case": <domain case>, "cards": {...}, "retry": {...},
"audit": [...]}; `audit` holds audit lines written with the change and not yet in the log.
`cards` remembers where each person's case card was sent, so it can be updated in place;
`retry` holds the back-off of notifications that could not be delivered yet.
Tags answer "my cases", "open cases led by X" and "due by T" without a scan of all cases.
Everything a case owns lives under its id (`bot.storage.names.case_owned`: cases/, evidence/{id}/,
packs/{id}/, audit/{id}.log), so that retention can delete a case prefix by prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.errors import Conflict, NotFound
from bot.guideline.due import next_due_at
from bot.guideline.med_figures import counts_until
from bot.guideline.model import Case
from bot.guideline.policy import DeadlinePolicy
from bot.guideline.serialize import case_from_dict, case_to_dict
from bot.repositories.documents import Recent, get_many, update
from bot.storage import names
from bot.storage.names import legacy_unit_tags, unit_tag
from bot.storage.store import Store

T = TypeVar("T")


# Case ids are made by the bot (a uuid4's hex); one arriving from a card is only data.
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


def is_case_id(value: object) -> bool:
    return isinstance(value, str) and _CASE_ID.fullmatch(value) is not None


def due_at(case: Case, audit_outbox: list[dict[str, Any]], policy: DeadlinePolicy) -> datetime | None:
    """When the scheduler must look at the case: its next due item, or at once when audit lines
    wait in its outbox (a crash or a failed append left them there)."""
    moments = [next_due_at(case, policy)]
    moments += [datetime.fromisoformat(str(line["at"])) for line in audit_outbox if line.get("at")]
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else names.NEVER


def day_stamp(moment: datetime | None) -> str:
    """The UTC day ('2026-03-05'), for tags asked "at or before T" (`stamp(T)`): it sorts before
    any time of that day, so the answer holds every match plus that day's later ones (callers
    check each), and a range over the tag lists one index value per day, not one per case."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else names.NEVER


def month_stamp(moment: datetime | None) -> str:
    """The UTC month ('2026-03'); NEVER_MONTH for None. Sorts like the moments it floors."""
    return moment.astimezone(UTC).strftime("%Y-%m") if moment else names.NEVER_MONTH


@dataclass
class CaseDoc:
    case: Case
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # person id -> where their card is
    retry: dict[str, dict[str, Any]] = field(default_factory=dict)  # due-item key -> attempts, next_at
    audit: list[dict[str, Any]] = field(default_factory=list)  # audit lines not yet in the log (outbox)
    hold: dict[str, str] | None = None  # HR stopped deletion: {"by", "at"} (bot/services/retention.py)
    deleting: str | None = None  # retention claimed the case for deletion at this UTC time
    intake: dict[str, dict[str, Any]] = field(default_factory=dict)  # activity id -> files reserved, when

    def to_json(self) -> dict[str, Any]:
        data = {"schema": 1, "case": case_to_dict(self.case), "cards": self.cards, "retry": self.retry}
        if self.audit:
            data["audit"] = self.audit
        if self.hold is not None:
            data["hold"] = self.hold
        if self.deleting is not None:
            data["deleting"] = self.deleting
        if self.intake:
            data["intake"] = self.intake
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseDoc:
        return cls(
            case_from_dict(data["case"]),
            dict(data.get("cards") or {}),
            dict(data.get("retry") or {}),
            list(data.get("audit") or []),
            dict(data["hold"]) if data.get("hold") else None,
            data.get("deleting") or None,
            dict(data.get("intake") or {}),
        )


async def cases_in_unit(
    store: Store, unit: str, spellings: Iterable[str] = (), *, counting_from: datetime | None = None
) -> list[Case]:
    """The cases of one workplace, whatever spelling they were stored under. With `counting_from`
    (a MED period's start), only those whose figures tag says they can count in a period starting
    then (`med_figures.counts_until`): the recent ones and the unsettled APV plans, not years of
    closed cases. Only once every case carries the tag (`case_tags.CaseTagMigration`)."""
    tags = {unit_tag(unit)}
    for spelling in (unit, *spellings):
        tags |= legacy_unit_tags(spelling)
    since = {"figures": month_stamp(counting_from)} if counting_from is not None else None
    found: set[str] = set()
    for tag in sorted(tags):
        found.update(await store.find(names.cases_where(unit=tag), at_least=since))
    return [case_from_dict(d["case"]) for d in await get_many(store, sorted(found))]


class TagsComplete:
    """Whether every stored case has this version's tags (`bot.services.case_tags` gives them to
    cases stored before); asked of the store until it says yes. Until then a query on a new tag
    also asks the old form, so no case is missed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._yes = False  # once done, done for good: cases written later get the tags anyway

    async def __call__(self) -> bool:
        if not self._yes:
            found = await self.store.get(names.CASE_TAGS_MIGRATION)
            self._yes = bool(found and found.data.get("done"))
        return self._yes


class CaseRepository:
    def __init__(self, store: Store, policy: DeadlinePolicy) -> None:
        self.store = store
        self.policy = policy
        self.tags_complete = TagsComplete(store)
        self.recent = Recent(
            name="cases written"
        )  # saves the read before most writes of a case this instance just wrote
        # Told the person id of the leader and of a deputy brought in, after every case written
        # here (the help's memory of who leads, bot/services/roles.py).
        self.named: list[Callable[[str], None]] = []

    def _tell_named(self, case: Case) -> None:
        for person in (case.leader, case.active_deputy):
            if person is not None:
                for listener in self.named:
                    listener(person.aad_object_id)

    def tags(self, doc: dict[str, Any]) -> dict[str, str]:
        return self.tags_of(case_from_dict(doc["case"]), doc.get("audit") or [])

    def tags_of(self, case: Case, audit_outbox: list[dict[str, Any]]) -> dict[str, str]:
        """The index tags of a case (from the case itself: no need to read back what was just written)."""
        return names.case_tags(
            status=case.status.value,
            reporter=case.reporter.aad_object_id,
            leader=names.role_tag(case.leader.aad_object_id if case.leader else "none", case.status.value),
            # Only a deputy brought in finds the case in their list.
            deputy=names.role_tag(
                case.active_deputy.aad_object_id if case.active_deputy else "none", case.status.value
            ),
            unit=unit_tag(case.unit),
            due=stamp(due_at(case, audit_outbox, self.policy)),
            closed=day_stamp(case.closed_at),  # retention finds old closed cases by it
            number=case.number,  # HR names a case by its number ("stop sletning KH-2026-0001")
            # The MED figures of a half-year read only the cases that can count in it (med_figures).
            figures=month_stamp(counts_until(case)),
        )

    async def create(self, doc: CaseDoc) -> None:
        """Create-only: a repeated submit of the same draft finds the case already there."""
        data = doc.to_json()
        etag = await self.store.put(names.case(doc.case.id), data, etag=None, tags=self.tags_of(doc.case, doc.audit))
        self.recent.keep(names.case(doc.case.id), data, etag)
        self._tell_named(doc.case)

    async def retag(self, name: str) -> bool:
        """Write a case back unchanged with the tags this version gives it (a new tag's migration).
        False when it is gone or another writer got there first (that write tagged it)."""
        found = await self.store.get(name)
        if found is None:
            return False
        try:
            await self.store.put(name, found.data, etag=found.etag, tags=self.tags(found.data))
        except Conflict:
            return False
        return True

    async def get(self, case_id: str) -> CaseDoc:
        if not is_case_id(case_id):  # a forged or mangled id names no case (and no storage path)
            raise NotFound("malformed case id")
        found = await self.store.get(names.case(case_id))
        if found is None:
            raise NotFound(case_id)
        return CaseDoc.from_json(found.data)

    async def exists(self, case_id: str) -> bool:
        if not is_case_id(case_id):
            return False
        return await self.store.get(names.case(case_id)) is not None

    async def change(self, case_id: str, mutate: Callable[[CaseDoc], tuple[CaseDoc, T]]) -> T:
        """Read-modify-write with the ETag; `mutate` is re-applied when another writer won.

        `mutate` raises Unchanged for an idempotent repeat (nothing is written)."""
        if not is_case_id(case_id):
            raise NotFound("malformed case id")

        written: list[tuple[dict[str, Any], CaseDoc]] = []  # the last document `apply` made, as data and as CaseDoc

        def apply(current: dict[str, Any] | None) -> tuple[dict[str, Any], T]:
            if current is None:
                raise NotFound(case_id)
            new_doc, result = mutate(CaseDoc.from_json(current))
            data = new_doc.to_json()
            written[:] = [(data, new_doc)]
            return data, result

        def tags(data: dict[str, Any]) -> dict[str, str]:
            if written and written[0][0] is data:
                return self.tags_of(written[0][1].case, written[0][1].audit)
            return self.tags(data)

        result = await update(self.store, names.case(case_id), apply, tags=tags, recent=self.recent)
        if written:
            self._tell_named(written[0][1].case)
        return result

    async def _load(self, names: list[str]) -> list[Case]:
        return [case_from_dict(d["case"]) for d in await get_many(self.store, names)]

    async def reported_by(self, aad_object_id: str) -> list[Case]:
        cases = await self._load(await self.store.find(names.cases_where(reporter=aad_object_id)))
        return sorted(cases, key=lambda c: c.created_at, reverse=True)

    async def _in_role(self, role: str, aad_object_id: str, statuses: Iterable[str]) -> set[str]:
        """Names of the cases with these statuses where the person has `role` (leader, deputy):
        one index value per status (`names.role_tag`). Cases stored before that tag are found
        by their old tags until the migration has given every case the new ones."""
        statuses = tuple(statuses)
        found: set[str] = set()
        for status in statuses:
            found.update(await self.store.find(names.cases_where(**{role: names.role_tag(aad_object_id, status)})))
        if not await self.tags_complete():
            old = {role: aad_object_id} if set(statuses) == set(names.CASE_STATUSES) else None
            for where in [old] if old else [{"status": status, role: aad_object_id} for status in statuses]:
                found.update(await self.store.find(names.cases_where(**where)))
        return found

    async def open_led_by(self, aad_object_id: str) -> list[Case]:
        """The open cases the person leads or deputises on: as many index entries as cases found."""
        led = await self._in_role("leader", aad_object_id, ["open"])
        deputy = await self._in_role("deputy", aad_object_id, ["open"])
        return await self._load(sorted(led | deputy))

    async def leads_any(self, aad_object_id: str) -> bool:
        """Whether the person leads or deputises on any case, open or closed (index query only).
        Open cases first: a leader at work answers from a few, not from years of closed ones."""
        for status in names.CASE_STATUSES:
            for role in ("leader", "deputy"):
                if await self._in_role(role, aad_object_id, [status]):
                    return True
        return False

    async def ids_naming(self, aad_object_id: str) -> list[str]:
        """Ids of every case, open or closed, that names the person in an indexed role (reporter,
        leader, deputy brought in): what the person's export (GDPR art. 15) covers."""
        found = set(await self.store.find(names.cases_where(reporter=aad_object_id)))
        for role in ("leader", "deputy"):
            found |= await self._in_role(role, aad_object_id, names.CASE_STATUSES)
        return sorted(names.case_id_of(name) for name in found)

    async def stored(self, case_id: str) -> dict[str, Any] | None:
        """The case document exactly as stored (for the export), or None."""
        if not is_case_id(case_id):
            return None
        found = await self.store.get(names.case(case_id))
        return found.data if found else None

    async def open_cases(self) -> list[Case]:
        return await self._load(await self.store.find(names.cases_where(status="open")))

    async def id_of_number(self, number: str) -> str | None:
        """The id of the case with this number (KH-YYYY-NNNN), or None."""
        if not re.fullmatch(r"KH-\d{4}-\d{4,6}", number):
            return None
        for name in await self.store.find(names.cases_where(number=number)):
            found = await self.store.get(name)
            if found is not None and found.data["case"]["number"] == number:  # tags lag on Azure
                return names.case_id_of(name)
        return None

    async def closed_by(self, moment: datetime) -> list[str]:
        """Ids of cases closed at or before `moment` (candidates: check each before acting)."""
        found = await self.store.find(names.cases_where(status="closed"), at_most={"closed": stamp(moment)})
        return [names.case_id_of(name) for name in found]

    async def due_by(self, moment: datetime) -> list[Case]:
        return await self._load(await self.store.find(names.cases_where(), at_most={"due": stamp(moment)}))
