"""Universal Actions on case cards: `adaptiveCard/action` invokes answered with the refreshed card.

Every action is checked on the server against the case and the actor (the domain decides); a
card forwarded to or replayed by anyone else gets a refusal card and changes nothing. After
answering, the dispatcher runs the follow-up work (the other people's cards, what became due).
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.chat.decision_input import parse_case_action
from bot.chat.messages import message_for
from bot.errors import BotError, InvalidInput, NotFound, NotPermitted
from bot.guideline.decisions import LeaderReassigned
from bot.guideline.errors import DomainError
from bot.hosting.logs import fields
from bot.presenters.case_cards import CaseCards
from bot.services.access_log import case_read
from bot.services.case_actions import CaseActions
from bot.services.case_view import viewer_role
from bot.services.dispatch import Dispatcher
from bot.teams.pack_edge import PackEdge
from bot.texts import Texts
from cards.common import Card
from cards.refusal import refusal_card
from cards.verbs import Verb

log = logging.getLogger(__name__)
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def card_response(content: Card) -> InvokeResponse:
    # botbuilder 4.17 serialises the body itself: hand it the model object, not a dict.
    return InvokeResponse(status=200, body=AdaptiveCardInvokeResponse(status_code=200, type=CARD_TYPE, value=content))


class CaseInvokes:
    def __init__(
        self,
        actions: CaseActions,
        cards: CaseCards,
        dispatch: Dispatcher,
        packs: PackEdge | None = None,
    ) -> None:
        self.packs = packs
        self.actions = actions
        self.cards = cards
        self.dispatch = dispatch

    async def handle(self, turn_context: TurnContext, verb: Verb, data: Any, tx: Texts) -> InvokeResponse:
        user = turn_context.activity.from_property.aad_object_id or ""
        case_id = data.get("case_id") if isinstance(data, dict) else None
        if not isinstance(case_id, str) or not user:
            return card_response(refusal_card(tx))
        try:
            if verb is Verb.DECIDE:
                return card_response(await self._decide(user, data, tx))
            if verb is Verb.EVIDENCE_PACK and self.packs is not None:
                notice = await self.packs.request(case_id, user, tx)
                return card_response(await self._show(case_id, user, tx, notice=notice))
            if verb is Verb.EVIDENCE_LIST:
                return card_response(await self._show(case_id, user, tx, evidence_only=True))
            return card_response(await self._show(case_id, user, tx, with_history=verb is Verb.HISTORY))
        except NotFound:
            return card_response(refusal_card(tx, tx("error.not_found")))
        except NotPermitted:
            return card_response(refusal_card(tx))

    async def _checked_reassign(self, decision: LeaderReassigned) -> LeaderReassigned:
        """Only a leader the directory knows, with the directory's name (never the card's)."""
        known = {p.aad_object_id: p for p in await self.cards.leaders()} if self.cards.leaders else {}
        chosen = known.get(decision.new_leader.aad_object_id)
        if chosen is None:
            raise InvalidInput("reassign_leader", "invalid_choice")
        return LeaderReassigned(chosen, None)

    async def _show(
        self,
        case_id: str,
        user: str,
        tx: Texts,
        *,
        with_history: bool = False,
        evidence_only: bool = False,
        notice: str = "",
        error: bool = False,
    ) -> Card:
        case = (await self.actions.repo.get(case_id)).case
        actor = await self.actions.actor(user)
        if viewer_role(case, actor) is None:
            log.warning("case card refused", extra=fields(case_id=case_id))
            return refusal_card(tx)
        what = "history" if with_history else "evidence_list" if evidence_only else "card"
        await case_read(self.actions.repo.store, case, user, self.actions.clock.now(), what)  # before it is shown
        return await self.cards.render(
            case,
            actor,
            tx,
            self.actions.clock.now(),
            notice=notice,
            notice_is_error=error,
            with_history=with_history,
            evidence_only=evidence_only,
        )

    async def _decide(self, user: str, data: dict[str, Any], tx: Texts) -> Card:
        case_id = str(data.get("case_id"))
        try:
            case_id, spec, decision = parse_case_action(data)
            if isinstance(decision, LeaderReassigned):
                decision = await self._checked_reassign(decision)
            decided = await self.actions.decide(case_id, user, decision)
        except (DomainError, BotError) as exc:
            if isinstance(exc, NotFound):
                raise
            log.info(
                "decision refused",
                extra=fields(case_id=case_id, error=type(exc).__name__, code=getattr(exc, "code", None)),
            )
            actor = await self.actions.actor(user)
            try:
                case = (await self.actions.repo.get(case_id)).case
            except (NotFound, InvalidInput):
                return refusal_card(tx, message_for(exc, tx))
            if viewer_role(case, actor) is None:
                return refusal_card(tx, message_for(exc, tx))
            return await self._show(case_id, user, tx, notice=message_for(exc, tx), error=True)
        what = tx(f"step.{spec.step.value}") if spec.step else tx(spec.label_key)
        self.dispatch.publish(*decided.follow_ups)
        return await self.cards.render(
            decided.case,
            await self.actions.actor(user),
            tx,
            self.actions.clock.now(),
            notice=tx("case.saved", what=what),
        )
