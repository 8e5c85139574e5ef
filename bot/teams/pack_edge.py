"""Asking for the evidence pack on a case card: answer at once, build in the background, then send
the links into the person's chat with the bot.

Why in the background: a pack of many large screenshots takes longer than Teams waits for a card
action (about 15 seconds). The card says the links are coming; the chat message brings them, or
says that the pack could not be made (a promise the bot keeps either way).
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext

from bot.chat.outgoing import message
from bot.errors import DeliveryFailed
from bot.evidence_pack import PackIntegrityError
from bot.hosting.background import Background
from bot.hosting.logs import fields
from bot.services.evidence_packs import EvidencePacks
from bot.services.ports import Notifier
from bot.texts import Texts
from cards.evidence_pack import PackFileView, PackReadyView, pack_ready_card

log = logging.getLogger(__name__)


class PackEdge:
    def __init__(self, packs: EvidencePacks, notifier: Notifier, background: Background, zone: ZoneInfo) -> None:
        self.packs = packs
        self.notifier = notifier
        self.background = background
        self.zone = zone

    async def request(self, turn_context: TurnContext, case_id: str, user: str, tx: Texts) -> str:
        """Check the person may have the pack (NotFound/NotPermitted propagate), start it, and
        return the notice for their card."""
        case = await self.packs.may_have(case_id, user)
        reference: dict[str, Any] = TurnContext.get_conversation_reference(turn_context.activity).serialize()
        reference.pop("activityId", None)
        self.background.spawn(self._deliver(reference, case.id, case.number, user, tx), "evidence_pack")
        return tx("pack.building")

    async def _deliver(self, reference: dict[str, Any], case_id: str, number: str, user: str, tx: Texts) -> None:
        try:
            issued = await self.packs.issue(case_id, user, tx)
        except PackIntegrityError as exc:
            log.error("evidence does not match its hash", extra=fields(case_id=case_id, item=exc.index))
            activity = message(tx("pack.integrity_failed", number=number))
        except Exception as exc:  # the person was promised an answer: any failure still gets one
            log.exception("evidence pack failed", extra=fields(case_id=case_id, error=type(exc).__name__))
            activity = message(tx("pack.failed", number=number))
        else:
            view = PackReadyView(
                number=issued.case.number,
                files=tuple(PackFileView(ln.kind, ln.name, ln.size, ln.sha256, ln.url) for ln in issued.links),
                expires_at=issued.expires_at,
                zone=self.zone,
            )
            activity = message("", pack_ready_card(tx, view))
        try:
            await self.notifier.send(reference, activity)
        except DeliveryFailed:
            log.warning("evidence pack message not delivered", extra=fields(case_id=case_id))
