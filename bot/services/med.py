"""MED evaluations for every workplace: the one door the Teams edge and the scheduler use.

It composes three parts, each with its own module:
- `MedUnits` (med_units.py): the workplaces, registering and moving a unit's MED channel, the
  local plan, who may act for a unit, Teams' channel and team events;
- `MedBroadcast` (med_broadcast.py): the twice-yearly reminder to every workplace (its channel,
  else its leader's chat), exactly once, at Teams' limits; the follow-up;
- `MedEvaluations` (med_evaluations.py): the evaluation of the current half-year, its card,
  HR's overview.

`handle` takes a typed command (bot/chat/med_input.py) and the place it came from (filled from the
activity by the edge) and returns the card to answer with. Every rule lives below this door.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.chat.med_input import MarkDone, MedCommand, PutOnAgenda, RegisterChannel, SetPlan
from bot.chat.outgoing import Card
from bot.errors import Refused
from bot.guideline.med import MedEvaluation, MedSchedule
from bot.guideline.med_units import Workplace
from bot.repositories.med_units import ChannelSeen, MedChannel, UnitRecord
from bot.services.med_broadcast import MedBroadcast, Sent
from bot.services.med_evaluations import MedEvaluations
from bot.services.med_units import MedUnits, Place, Registration, Unit
from bot.services.outcomes import MedEvaluationMarked
from bot.services.ports import ChannelReferences, Clock, Languages, MedPainter, Notifier
from bot.storage.store import Store
from bot.texts import Texts

__all__ = ["MedChannel", "MedService", "Place", "Registration", "Sent", "Unit", "UnitRecord"]


@dataclass(frozen=True)
class Answer:
    """What the edge shows after a MED action: the card, and what happened (after a mark: the
    unit whose reminder card elsewhere the follow-up refreshes)."""

    card: Card
    events: tuple[MedEvaluationMarked, ...] = ()


class MedService:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        clock: Clock,
        schedule: MedSchedule,
        *,
        threshold: int,
        followup_weeks: int,
        workplaces: Callable[[], Awaitable[list[Workplace]]],
        is_hr: Callable[[str], Awaitable[bool]],
        tell_hr: Callable[[str, dict[str, Any]], Awaitable[None]],
        languages: Languages,
        painter: MedPainter,
        channel_book: ChannelReferences,
        default_language: str = "da",
        channel_seen: ChannelSeen | None = None,
    ) -> None:
        self.schedule = schedule
        self.tell_hr = tell_hr  # (text key, values) -> a message to every HR person
        self.default_language = default_language
        texts = self.channel_texts
        self.units = MedUnits(store, clock, notifier, workplaces, is_hr, tell_hr, texts, channel_book, channel_seen)
        self.painter = painter
        self.evaluations = MedEvaluations(store, clock, schedule, threshold, self.units, texts, painter)
        self.broadcast = MedBroadcast(
            store,
            notifier,
            clock,
            schedule,
            followup_weeks,
            self.units,
            self.evaluations,
            languages,
            default_language,
        )

    def channel_texts(self) -> Texts:
        """A channel's cards are everyone's: in the municipality's language."""
        return Texts(self.default_language)

    @property
    def stopping(self) -> asyncio.Event:
        return self.broadcast.stopping

    # -- the scheduler and HR ------------------------------------------------------------------------
    async def send_due(self) -> Sent:
        return await self.broadcast.send_due()

    async def send_now(self, unit: str | None) -> Sent:
        if unit:
            await self.units.resolve(unit)  # an unknown unit is refused with the closest names
        return await self.broadcast.send_now(unit)

    async def overview_card(self, tx: Texts) -> Card:
        return await self.evaluations.overview_card(tx)

    async def evaluation(self, unit: str, period_id: str) -> MedEvaluation:
        found = await self.units.unit(unit)
        return await self.evaluations.evaluation(found or unit, period_id)

    # -- card actions ----------------------------------------------------------------------------------
    async def registration_card(self, tx: Texts, notice: str = "") -> Card:
        return self.painter.registration(tx, [w.name for w in await self.units.workplaces()], notice=notice)

    async def handle(self, command: MedCommand, place: Place, tx: Texts) -> Answer:
        """Carry out one MED card action for `place`; raises Refused, InvalidInput, DomainError."""
        if isinstance(command, RegisterChannel):
            done = await self.units.register(command, place)
            channel = done.unit.channel
            committee = channel.committee if channel else ""
            moved = done.moved_from is not None
            card = self.painter.registered(tx, done.unit.name, committee, moved=moved, old_told=done.old_channel_told)
            return Answer(card)
        if isinstance(command, PutOnAgenda):
            marked = await self.evaluations.on_agenda(command, place)
        elif isinstance(command, MarkDone):
            marked = await self.evaluations.done(command, place)
        else:
            assert isinstance(command, SetPlan)
            marked = await self.evaluations.set_plan(command, place)
        notice = tx("med.saved", name=place.actor_name)
        card = await self.evaluations.card(marked.unit, marked.period, notice, in_chat=not place.in_channel, tx=tx)
        return Answer(card, (MedEvaluationMarked(marked.unit, place.conversation_id),))

    async def card_with_notice(
        self, command: MedCommand | None, data: object, place: Place, tx: Texts, notice: str
    ) -> Card | None:
        """After a refusal: the current card of the unit the action named, with the reason on it,
        or None when the unit is unknown to us (then the edge shows a plain refusal)."""
        name = getattr(command, "unit", None)
        if name is None and isinstance(data, dict) and isinstance(data.get("unit"), str):
            name = data["unit"][:200]
        unit = await self.units.unit(name) if isinstance(name, str) else None
        if unit is None:
            return None
        period = self.evaluations.current_period()
        return await self.evaluations.card(unit, period, notice, in_chat=not place.in_channel, tx=tx, warning=True)

    async def refresh_elsewhere(self, unit: Unit, except_conversation: str | None) -> None:
        await self.broadcast.update_card(unit, self.evaluations.current_period(), except_conversation)

    async def channel_cards(self, place: Place, tx: Texts) -> list[Card]:
        """In a channel: the current evaluation card of each unit the channel is the MED channel of."""
        if not place.in_channel:
            raise Refused("med.refused.channel_only")
        assert place.team_id is not None and place.channel_id is not None
        period = self.evaluations.current_period()
        cards = []
        for record in await self.units.records.serving(place.team_id, place.channel_id):
            unit = await self.units.unit(record.name)
            if unit is not None:
                cards.append(await self.evaluations.card(unit, period, tx=tx))
        return cards

    # -- Teams' channel and team events ----------------------------------------------------------------
    async def deactivate(self, team_id: str, channel_id: str | None, reason: str) -> int:
        return await self.units.deactivate(team_id, channel_id, reason)

    async def renamed(self, team_id: str, channel_id: str, new_name: str) -> None:
        await self.units.renamed(team_id, channel_id, new_name)

    async def channels(self) -> list[UnitRecord]:
        """The units that have a MED channel now."""
        await self.units.migrate()
        return [r for r in await self.units.records.all() if r.channel is not None]
