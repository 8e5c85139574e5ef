"""MED evaluations: a unit's evaluation of the current half-year, its card and HR's overview.

"On the agenda" and "done" are accepted only for the unit's current period (the cycle running
now, `MedSchedule.due_period`), and only from the unit's registered channel or its leader's chat
(`MedUnits.authorize`). An evaluation stored before the canonical unit form under another digest
is copied to its canonical name the first time it is read (create-only, so two instances agree).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.errors import AlreadyExists, Refused
from bot.guideline import med as domain
from bot.guideline.med import MedEvaluation, MedPeriod, MedSchedule
from bot.guideline.serialize import med_evaluation_from_dict, med_evaluation_to_dict
from bot.med_input import MarkDone, PutOnAgenda, SetPlan
from bot.ports import Clock
from bot.services.cases import cases_in_unit, legacy_unit_tags, unit_tag
from bot.services.docs import Unchanged, update
from bot.services.med_records import UnitRecord, evaluation_name, legacy_evaluation_name
from bot.services.med_units import MedUnits, Place, Unit
from bot.storage.store import Store
from bot.texts import Texts
from cards.common import Card
from cards.med import MedCardView, OverviewRow, med_overview_card, med_reminder_card

READ_CONCURRENCY = 16


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
    ) -> None:
        self.store = store
        self.clock = clock
        self.schedule = schedule
        self.threshold = threshold
        self.units = units
        self.texts = texts

    def current_period(self) -> MedPeriod:
        return self.schedule.due_period(self.clock.now())

    # -- reading and changing ----------------------------------------------------------------------
    async def evaluation(self, unit: Unit | str, period_id: str) -> MedEvaluation:
        name, spellings = (unit.name, unit.spellings) if isinstance(unit, Unit) else (unit, ())
        doc = await self.store.get(evaluation_name(name, period_id))
        if doc is None:
            data = await self._adopt_legacy(name, spellings, period_id)
            if data is None:
                return domain.new_evaluation(name, period_id)
            return med_evaluation_from_dict(data["evaluation"])
        return med_evaluation_from_dict(doc.data["evaluation"])

    async def _adopt_legacy(self, name: str, spellings: tuple[str, ...], period_id: str) -> dict[str, Any] | None:
        """An evaluation stored under a spelling's old digest, copied to the canonical name."""
        tags = set().union(*(legacy_unit_tags(s) for s in (name, *spellings)))
        for tag in sorted(tags):
            old = await self.store.get(legacy_evaluation_name(tag, period_id))
            if old is None:
                continue
            with contextlib.suppress(AlreadyExists):  # another instance copied it first
                await self.store.put(
                    evaluation_name(name, period_id), old.data, etag=None, tags=_evaluation_tags(name, period_id)
                )
            return old.data
        return None

    @staticmethod
    def _has_legacy(unit: Unit) -> bool:
        return any(legacy_unit_tags(s) for s in (unit.name, *unit.spellings))

    async def change(
        self, unit: Unit, period_id: str, change: Callable[[MedEvaluation], MedEvaluation]
    ) -> MedEvaluation:
        if self._has_legacy(unit) and await self.store.get(evaluation_name(unit.name, period_id)) is None:
            await self._adopt_legacy(unit.name, unit.spellings, period_id)

        def apply(current: dict[str, Any] | None) -> tuple[dict[str, Any], MedEvaluation]:
            ev = (
                med_evaluation_from_dict(current["evaluation"])
                if current
                else domain.new_evaluation(unit.name, period_id)
            )
            new = change(ev)
            if new == ev and current is not None:
                raise Unchanged
            return {**(current or {}), "evaluation": med_evaluation_to_dict(new)}, new

        result = await update(
            self.store,
            evaluation_name(unit.name, period_id),
            apply,
            tags=lambda _d: _evaluation_tags(unit.name, period_id),
        )
        return result if result is not None else await self.evaluation(unit, period_id)

    async def mark_sent(self, unit: Unit, period: MedPeriod, *, stored: bool = True) -> None:
        """The reminder arrived. `stored` False: no evaluation document existed when the round
        began, so it is created without a read (create-only; if one appeared meanwhile, the usual
        read-modify-write runs)."""
        now = self.clock.now()
        if not stored and not self._has_legacy(unit):
            ev = domain.mark_sent(domain.new_evaluation(unit.name, period.id), now)
            data = {"evaluation": med_evaluation_to_dict(ev)}
            try:
                await self.store.put(
                    evaluation_name(unit.name, period.id), data, etag=None, tags=_evaluation_tags(unit.name, period.id)
                )
                return
            except AlreadyExists:
                pass
        await self.change(unit, period.id, lambda ev: domain.mark_sent(ev, now))

    async def stored_tags(self, period_id: str) -> set[str]:
        """The unit tags that have an evaluation document for the period (one listing)."""
        return {name.split("/")[2] for name in await self.store.find({"kind": "med_evaluation", "period": period_id})}

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
    ) -> Card:
        cases = await cases_in_unit(self.store, unit.name, unit.spellings)
        figures = domain.figures(cases, unit.name, period, self.threshold)
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
        return med_reminder_card(tx or self.texts(), view)

    # -- HR's overview -------------------------------------------------------------------------------
    async def period_evaluations(self, period_id: str) -> dict[str, MedEvaluation]:
        """The stored evaluations of a period, by unit tag (one listing; units without one are pending)."""
        names = await self.store.find({"kind": "med_evaluation", "period": period_id})
        gate = asyncio.Semaphore(READ_CONCURRENCY)

        async def read(name: str) -> tuple[str, MedEvaluation] | None:
            async with gate:
                doc = await self.store.get(name)
            if doc is None:
                return None
            return name.split("/")[2], med_evaluation_from_dict(doc.data["evaluation"])

        return dict(r for r in await asyncio.gather(*(read(n) for n in names)) if r is not None)

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
        return med_overview_card(tx, period, rows)


def _evaluation_tags(unit: str, period_id: str) -> dict[str, str]:
    return {"kind": "med_evaluation", "period": period_id, "unit": unit_tag(unit)}


def unit_of(record: UnitRecord) -> Unit:
    return Unit(record.key, record.name, None, record)
