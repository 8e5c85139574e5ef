"""MED evaluations: a unit's evaluation of the current half-year, its card and HR's overview.

"On the agenda" and "done" are accepted only for the unit's current period (the cycle running
now, `MedSchedule.due_period`), and only from the unit's registered channel or its leader's chat
(`MedUnits.authorize`). An evaluation stored before the canonical unit form under another digest
is copied to its canonical name the first time it is read (create-only, so two instances agree).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.chat.med_input import MarkDone, PutOnAgenda, SetPlan
from bot.chat.med_views import MedCardView, OverviewRow
from bot.chat.outgoing import Card
from bot.errors import Refused
from bot.guideline import med as domain
from bot.guideline.definitions import Category
from bot.guideline.med import DeletedCounts, MedEvaluation, MedFigures, MedPeriod, MedSchedule, MedStatus
from bot.guideline.serialize import med_evaluation_from_dict, med_evaluation_to_dict
from bot.repositories.cases import cases_in_unit
from bot.repositories.documents import Unchanged
from bot.repositories.med_evaluations import MedEvaluationRecords
from bot.repositories.med_sends import MedSends
from bot.repositories.med_units import UnitRecord
from bot.repositories.retention_records import RetentionRecords
from bot.services.case_tags import TagsComplete
from bot.services.med_units import MedUnits, Place, Unit
from bot.services.ports import Clock, MedPainter
from bot.storage.names import legacy_unit_tags, unit_tag
from bot.storage.store import Store
from bot.texts import Texts


@dataclass(frozen=True)
class Marked:
    unit: Unit
    period: MedPeriod


class MedEvaluations:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        schedule: MedSchedule,
        threshold: int,
        units: MedUnits,
        texts: Callable[[], Texts],
        painter: MedPainter,
    ) -> None:
        self.painter = painter
        self.store = store
        self.clock = clock
        self.schedule = schedule
        self.threshold = threshold
        self.units = units
        self.texts = texts
        self.records = MedEvaluationRecords(store)
        self.sends = MedSends(store)
        self.figures_indexed = TagsComplete(store)

    def current_period(self) -> MedPeriod:
        return self.schedule.due_period(self.clock.now())

    # -- reading and changing ----------------------------------------------------------------------
    async def evaluation(self, unit: Unit | str, period_id: str) -> MedEvaluation:
        name, spellings = (unit.name, unit.spellings) if isinstance(unit, Unit) else (unit, ())
        data = await self.records.get(name, period_id)
        if data is None:
            data = await self._adopt_legacy(name, spellings, period_id)
            ev = med_evaluation_from_dict(data["evaluation"]) if data else domain.new_evaluation(name, period_id)
        else:
            ev = med_evaluation_from_dict(data["evaluation"])
        if ev.status is MedStatus.PENDING:
            ev = _with_sent(ev, await self._sent_at(name, period_id))
        return ev

    async def _sent_at(self, unit: str, period_id: str) -> datetime | None:
        """When the unit's reminder for the period arrived (its sent record), if it has."""
        doc = await self.sends.get(period_id, unit)
        return _sent_time(doc.data) if doc else None

    async def _adopt_legacy(self, name: str, spellings: tuple[str, ...], period_id: str) -> dict[str, Any] | None:
        """An evaluation stored under a spelling's old digest, copied to the canonical name."""
        tags = set().union(*(legacy_unit_tags(s) for s in (name, *spellings)))
        for tag in sorted(tags):
            old = await self.records.get_legacy(tag, period_id)
            if old is None:
                continue
            await self.records.copy_in(name, period_id, old)  # unless another instance copied it first
            return old
        return None

    @staticmethod
    def _has_legacy(unit: Unit) -> bool:
        return any(legacy_unit_tags(s) for s in (unit.name, *unit.spellings))

    async def change(
        self, unit: Unit, period_id: str, change: Callable[[MedEvaluation], MedEvaluation]
    ) -> MedEvaluation:
        if self._has_legacy(unit) and await self.records.get(unit.name, period_id) is None:
            await self._adopt_legacy(unit.name, unit.spellings, period_id)
        sent_at = await self._sent_at(unit.name, period_id)

        def apply(current: dict[str, Any] | None) -> tuple[dict[str, Any], MedEvaluation]:
            ev = (
                med_evaluation_from_dict(current["evaluation"])
                if current
                else domain.new_evaluation(unit.name, period_id)
            )
            ev = _with_sent(ev, sent_at)  # the reminder's arrival, kept in the sent record until now
            new = change(ev)
            if new == ev and current is not None:
                raise Unchanged
            return {**(current or {}), "evaluation": med_evaluation_to_dict(new)}, new

        result = await self.records.change(unit.name, period_id, apply)
        return result if result is not None else await self.evaluation(unit, period_id)

    async def stored_tags(self, period_id: str) -> set[str]:
        """The unit tags that have an evaluation document for the period (one listing)."""
        return await self.records.stored_tags(period_id)

    async def evaluation_in_round(self, unit: Unit, period_id: str, stored: set[str]) -> MedEvaluation:
        """The evaluation, read only when the round's listing (or an old spelling) says one exists."""
        if unit_tag(unit.name) in stored or self._has_legacy(unit):
            return await self.evaluation(unit, period_id)
        return domain.new_evaluation(unit.name, period_id)

    def _current(self, period_id: str) -> MedPeriod:
        period = self.current_period()
        if period_id != period.id:
            raise Refused("med.refused.old_period", period=period.id)
        return period

    async def on_agenda(self, command: PutOnAgenda, place: Place) -> Marked:
        unit = await self.units.authorize(command.unit, place)
        period = self._current(command.period_id)
        now = self.clock.now()
        await self.change(unit, period.id, lambda ev: domain.put_on_agenda(ev, command.meeting_date, place.actor, now))
        return Marked(unit, period)

    async def done(self, command: MarkDone, place: Place) -> Marked:
        unit = await self.units.authorize(command.unit, place)
        period = self._current(command.period_id)
        now = self.clock.now()
        tz = self.schedule.tz
        await self.change(
            unit,
            period.id,
            lambda ev: domain.mark_done(
                ev,
                command.done_date,
                command.minutes_link,
                place.actor,
                now,
                tz,
                meeting_kind=command.meeting_kind,
                plan_reviewed=command.plan_reviewed,
            ),
        )
        return Marked(unit, period)

    async def set_plan(self, command: SetPlan, place: Place) -> Marked:
        unit = await self.units.authorize(command.unit, place)
        record = await self.units.set_plan(unit, command.plan_link, place.actor)
        return Marked(Unit(unit.key, unit.name, unit.workplace, record), self.current_period())

    # -- the card ------------------------------------------------------------------------------------
    async def figures(self, unit: Unit, period: MedPeriod, erased: dict[str, Any] | None = None) -> MedFigures:
        """The unit's figures for the period, as its card shows them: the one place the card
        (and the reminder round, one unit at a time) gets them from. `erased`: the period's
        counts of erased cases as `erased_of_period` read them (a round reads them once for
        all its units), else read here."""
        since = period.start if await self.figures_indexed() else None  # else every case of the unit
        cases = await cases_in_unit(self.store, unit.name, unit.spellings, counting_from=since)
        deleted = self.deleted(unit, erased if erased is not None else await self.erased_of_period(period))
        return domain.figures(cases, unit.name, period, self.threshold, deleted)

    async def erased_of_period(self, period: MedPeriod) -> dict[str, Any]:
        """What retention and HR's erasures kept of the period's erased cases, every unit's
        (`RetentionRecords.count_deleted`): one document per period."""
        return await RetentionRecords(self.store).med_figures(period.id) or {}

    @staticmethod
    def deleted(unit: Unit, data: dict[str, Any]) -> DeletedCounts:
        """The unit's erased cases of the period (keyed by the unit's canonical tag): they still count."""
        kept = (data.get("units") or {}).get(unit_tag(unit.name)) or {}
        known = {c.value for c in Category}
        counts = {Category(cat): int(n) for cat, n in kept.items() if cat in known}
        return DeletedCounts(counts, frozenset(str(n) for n in data.get("counted") or ()))

    async def card(
        self,
        unit: Unit,
        period: MedPeriod,
        notice: str = "",
        *,
        being_sent: bool = False,
        in_chat: bool = False,
        tx: Texts | None = None,
        evaluation: MedEvaluation | None = None,
        warning: bool = False,
        erased: dict[str, Any] | None = None,
    ) -> Card:
        figures = await self.figures(unit, period, erased)
        ev = evaluation if evaluation is not None else await self.evaluation(unit, period.id)
        if being_sent:  # the card shows the state it will have once it arrives
            ev = domain.mark_sent(ev, self.clock.now())
        view = MedCardView(
            unit=unit.name,
            period=period,
            figures=figures,
            evaluation=ev,
            zone=self.schedule.zone,
            notice=notice,
            plan_link=unit.plan_link,
            in_chat=in_chat,
            warning=warning,
        )
        return self.painter.reminder(tx or self.texts(), view)

    # -- HR's overview -------------------------------------------------------------------------------
    async def period_evaluations(self, period_id: str) -> dict[str, MedEvaluation]:
        """The evaluations of a period by unit tag: those stored, and those whose reminder arrived
        (their sent record) but that nobody has marked yet. Units in neither are pending."""
        stored = await self.records.of_period(period_id)
        found = {tag: med_evaluation_from_dict(data["evaluation"]) for tag, data in stored.items()}
        for data in await self.sends.sent_units(period_id):
            tag = unit_tag(str(data.get("unit") or ""))
            ev = found.get(tag) or domain.new_evaluation(str(data.get("name") or data.get("unit")), period_id)
            found[tag] = _with_sent(ev, _sent_time(data))
        return found

    async def overview(self) -> tuple[MedPeriod, list[OverviewRow]]:
        """HR's "MED-overblik": every workplace's evaluation this half-year, and whether it has a
        MED channel (else the reminder goes to its leader's chat) and a local plan."""
        period = self.current_period()
        units = await self.units.units()
        stored = await self.period_evaluations(period.id)
        rows = []
        for unit in units:
            ev = stored.get(unit_tag(unit.name))
            if ev is None and unit.spellings:
                ev = await self.evaluation(unit, period.id)
            ev = ev or domain.new_evaluation(unit.name, period.id)
            leader = unit.workplace.recipient if unit.workplace else None
            reachable = unit.channel is not None or leader is not None
            rows.append(OverviewRow(unit.name, ev, unit.channel is not None, unit.plan_link is not None, reachable))
        return period, rows

    async def overview_card(self, tx: Texts) -> Card:
        period, rows = await self.overview()
        return self.painter.overview(tx, period, rows)


def _sent_time(data: dict[str, Any]) -> datetime | None:
    raw = data.get("sent_at")
    return datetime.fromisoformat(raw) if data.get("state") == "sent" and isinstance(raw, str) else None


def _with_sent(ev: MedEvaluation, sent_at: datetime | None) -> MedEvaluation:
    """A pending evaluation whose reminder arrived is SENT: the sent record is where that is kept
    (one write per reminder instead of two), and it joins the evaluation's history at its first
    change."""
    return domain.mark_sent(ev, sent_at) if sent_at is not None and ev.status is MedStatus.PENDING else ev


def unit_of(record: UnitRecord) -> Unit:
    return Unit(record.key, record.name, None, record)
