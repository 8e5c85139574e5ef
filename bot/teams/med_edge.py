"""MED in Teams channels: the registration card on team install, channel commands, the card's
"on the agenda"/"done" invokes, and the team/channel lifecycle events.

The channel and team always come from the activity, never from card data: a card copied to
another channel cannot mark another workplace's evaluation.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import teams_get_channel_id

from bot.background import Background
from bot.errors import BotError, InvalidInput
from bot.guideline.errors import DomainError
from bot.logs import fields
from bot.services.case_cards import refusal_card
from bot.services.med import MedService
from bot.teams.activities import card_activity
from bot.teams.case_invoke import card_response
from bot.teams.messages import message_for
from bot.texts import Texts
from cards.common import user_text
from cards.med import OTHER_UNIT, med_status_card, registered_card, registration_card
from cards.verbs import Verb

log = logging.getLogger(__name__)


def team_and_channel(turn_context: TurnContext) -> tuple[str, str] | None:
    data = turn_context.activity.channel_data or {}
    team = data.get("team") if isinstance(data, dict) else None
    channel_id = teams_get_channel_id(turn_context.activity) or turn_context.activity.conversation.id
    if not isinstance(team, dict) or not team.get("id") or not channel_id:
        return None
    return str(team["id"]), str(channel_id).split(";")[0]


class MedEdge:
    def __init__(self, med: MedService, units: Any, background: Background) -> None:
        self.med = med
        self.units = units  # async () -> list[str], from the directory
        self.background = background

    async def registration_prompt(self, turn_context: TurnContext, tx: Texts) -> None:
        if team_and_channel(turn_context) is None:
            await turn_context.send_activity(tx("med.channel_only"))
            return
        await turn_context.send_activity(card_activity(registration_card(tx, await self.units())))

    async def invoke(self, turn_context: TurnContext, verb: Verb, data: Any, tx: Texts) -> InvokeResponse:
        where = team_and_channel(turn_context)
        if where is None or not isinstance(data, dict):
            return card_response(refusal_card(tx, tx("med.channel_only")))
        team_id, channel_id = where
        actor = turn_context.activity.from_property.aad_object_id or turn_context.activity.from_property.id
        if verb is Verb.MED_REGISTER:
            return card_response(await self._register(turn_context, team_id, channel_id, data, actor, tx))
        channel = await self.med.channel(team_id, channel_id)
        if channel is None or not channel.active:
            return card_response(refusal_card(tx, tx("error.not_permitted")))
        period_id = data.get("period")
        try:
            self.med.schedule.period_by_id(str(period_id))
            if verb is Verb.MED_AGENDA:
                await self.med.on_agenda(
                    channel.unit, str(period_id), _date(data.get("meeting_date"), "meeting_date"), actor
                )
            else:
                link = data.get("minutes_link") if isinstance(data.get("minutes_link"), str) else None
                await self.med.done(
                    channel.unit,
                    str(period_id),
                    _date(data.get("done_date"), "done_date"),
                    link or None,
                    actor,
                )
        except ValueError:
            return card_response(refusal_card(tx, tx("error.not_possible_now")))
        except (DomainError, BotError) as exc:
            # The notice sits inside the channel's card: in the card's language, not the clicker's.
            notice = message_for(exc, self.med.texts())
            return card_response(await self.med.card_for(channel.unit, str(period_id), notice=notice))
        log.info("med evaluation marked", extra=fields(verb=verb.value, period=period_id))
        self.background.spawn(self.med.update_cards(channel.unit, str(period_id), channel_id), "med_update_cards")
        name = user_text(turn_context.activity.from_property.name, 80)
        card_tx = self.med.texts()
        return card_response(
            await self.med.card_for(channel.unit, str(period_id), notice=card_tx("med.saved", name=name))
        )

    async def _register(
        self,
        turn_context: TurnContext,
        team_id: str,
        channel_id: str,
        data: dict[str, Any],
        actor: str,
        tx: Texts,
    ) -> dict[str, Any]:
        chosen = _text(data, "unit")
        typed = _text(data, "unit_text")
        unit = typed.strip() if chosen in ("", OTHER_UNIT) else chosen.strip()
        if chosen and chosen != OTHER_UNIT and chosen not in await self.units():
            unit = ""  # a forged choice: only the directory's units or free text
        committee = _text(data, "committee")
        if not unit:
            return registration_card(tx, await self.units(), notice=tx("med.register.unit_missing"))
        reference = TurnContext.get_conversation_reference(turn_context.activity).serialize()
        # The click's conversation id names the registration post's thread (";messageid=..."):
        # reminders must be new posts in the channel, not replies hidden under that post.
        reference["conversation"] = {**reference.get("conversation", {}), "id": channel_id}
        reference.pop("activityId", None)
        await self.med.register(team_id, channel_id, unit, committee, reference, actor)
        return registered_card(tx, unit[:200], committee.strip()[:200])

    async def status(self, turn_context: TurnContext, tx: Texts) -> None:
        period, rows = await self.med.status()
        await turn_context.send_activity(card_activity(med_status_card(tx, period, rows)))

    async def send_now(self, turn_context: TurnContext, tx: Texts, unit: str | None) -> None:
        count = await self.med.send_now(unit or None)
        await turn_context.send_activity(tx("med.sent_now", count=count))


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value[:500] if isinstance(value, str) else ""


def _date(value: object, field: str) -> date:
    if not isinstance(value, str) or not value:
        raise InvalidInput(field, "required")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInput(field, "bad_date") from None
