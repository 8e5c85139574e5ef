"""MED in Teams: the registration card on team install, channel commands, the MED cards' invokes,
and the team/channel lifecycle events.

The edge holds no MED rules. It turns the activity into a `Place` (who acted, and the team and
channel from the activity itself, never from card data) and the card's data into a typed
command (bot/chat/med_input.py), calls the MED service once, and shows the card it answers with. A
refusal is shown on the card the user clicked, in their language, and nothing changes. A channel
registered as a unit's MED channel is named by its ids in the unit record; its conversation
reference, taken from the registering turn, goes into the channel book (bot/teams/channel_book.py).
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import teams_get_channel_id

from bot.chat.med_input import MedCommand, RegisterChannel, parse_med_action
from bot.chat.messages import message_for
from bot.errors import BotError, StorageError
from bot.guideline.errors import DomainError
from bot.hosting.logs import fields
from bot.services.dispatch import Dispatcher
from bot.services.med import MedService, Place
from bot.teams.activities import card_activity
from bot.teams.case_invoke import card_response
from bot.teams.channel_book import ChannelBook
from bot.texts import Texts
from cards.common import user_text
from cards.refusal import refusal_card
from cards.verbs import Verb

log = logging.getLogger(__name__)


def team_and_channel(turn_context: TurnContext) -> tuple[str, str] | None:
    data = turn_context.activity.channel_data or {}
    team = data.get("team") if isinstance(data, dict) else None
    channel_id = teams_get_channel_id(turn_context.activity) or turn_context.activity.conversation.id
    if not isinstance(team, dict) or not team.get("id") or not channel_id:
        return None
    return str(team["id"]), str(channel_id).split(";")[0]


def place_of(turn_context: TurnContext) -> Place:
    """Who acted and where, from the activity alone."""
    activity = turn_context.activity
    sender = activity.from_property
    actor = (sender.aad_object_id or sender.id or "") if sender else ""
    name = user_text(sender.name, 80) if sender else ""
    where = team_and_channel(turn_context)
    if where is None:
        conversation = activity.conversation.id if activity.conversation else None
        return Place(actor, name, conversation_id=conversation or "")
    team_id, channel_id = where
    return Place(actor, name, team_id, channel_id, conversation_id=channel_id)


def channel_reference(turn_context: TurnContext, channel_id: str) -> dict[str, Any]:
    """The channel's conversation reference from a turn in it, for posts in the channel."""
    reference: dict[str, Any] = TurnContext.get_conversation_reference(turn_context.activity).serialize()
    # The click's conversation id names the post's thread (";messageid=..."): reminders must be
    # new posts in the channel, not replies hidden under that post.
    reference["conversation"] = {**reference.get("conversation", {}), "id": channel_id}
    reference.pop("activityId", None)
    return reference


class MedEdge:
    def __init__(self, med: MedService, dispatch: Dispatcher, channels: ChannelBook) -> None:
        self.med = med
        self.dispatch = dispatch
        self.channels = channels

    async def registration_prompt(self, turn_context: TurnContext, tx: Texts) -> None:
        if team_and_channel(turn_context) is None:
            await turn_context.send_activity(tx("med.channel_only"))
            return
        await turn_context.send_activity(card_activity(await self.med.registration_card(self.med.channel_texts())))

    async def invoke(self, turn_context: TurnContext, verb: Verb, data: Any, tx: Texts) -> InvokeResponse:
        place = place_of(turn_context)
        # A card in a channel is everyone's: it and its notices are in the channel's language (the
        # municipality's), not the clicker's; in a personal chat, the person's own.
        card_tx = self.med.channel_texts() if place.in_channel else tx
        command: MedCommand | None = None
        try:
            command = parse_med_action(verb, data)
            if isinstance(command, RegisterChannel) and place.team_id and place.channel_id:
                # The channel book keeps how to post there BEFORE the unit names the channel: a unit
                # record naming a channel the book cannot find would be unreachable (a round would
                # record "failed" for ever). A reference kept for a registration then refused is
                # harmless: it only says how to post in a channel the bot is in.
                reference = channel_reference(turn_context, place.channel_id)
                try:
                    await self.channels.keep(place.team_id, place.channel_id, reference)
                except StorageError:
                    log.warning("med channel reference not kept", exc_info=True)
                    return card_response(
                        await self.med.registration_card(card_tx, notice=card_tx("med.register.not_saved"))
                    )
            answer = await self.med.handle(command, place, card_tx)
        except (DomainError, BotError) as exc:
            log.info("med action refused", extra=fields(verb=verb.value, error=type(exc).__name__))
            notice = message_for(exc, card_tx)
            if verb is Verb.MED_REGISTER:
                return card_response(await self.med.registration_card(card_tx, notice=notice))
            # The card the user clicked stays, with the reason on it.
            shown = await self.med.card_with_notice(command, data, place, card_tx, notice)
            return card_response(shown if shown is not None else refusal_card(card_tx, notice))
        log.info("med action", extra=fields(verb=verb.value, in_channel=place.in_channel))
        self.dispatch.publish(*answer.events)
        return card_response(answer.card)

    async def channel_cards(self, turn_context: TurnContext, tx: Texts) -> None:
        """`MED-evaluering` in a channel: the channel's units' current cards (to set the local plan's
        link or mark the evaluation before the reminder comes)."""
        place = place_of(turn_context)
        if not place.in_channel:
            await turn_context.send_activity(tx("med.channel_only"))
            return
        cards = await self.med.channel_cards(place, self.med.channel_texts())
        if not cards:
            await turn_context.send_activity(tx("med.channel.none"))
            return
        for content in cards:
            await turn_context.send_activity(card_activity(content))

    async def overview(self, turn_context: TurnContext, tx: Texts) -> None:
        await turn_context.send_activity(card_activity(await self.med.overview_card(tx)))

    async def send_now(self, turn_context: TurnContext, tx: Texts, unit: str | None) -> None:
        try:
            sent = await self.med.send_now(unit or None)
        except BotError as exc:
            await turn_context.send_activity(message_for(exc, tx))
            return
        await turn_context.send_activity(tx("med.sent_now", channels=sent.channels, chats=sent.chats))
