"""Asking for the evidence pack on a case card: answer at once, build it as follow-up work (the
dispatcher runs `deliver`), then send the links into the person's chat with the bot.

Why in the background: a pack of many large screenshots takes longer than Teams waits for a card
action (about 15 seconds). The card says the links are coming; the chat message brings them, or
says that the pack could not be made (a promise the bot keeps either way).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.chat.outgoing import message
from bot.errors import DeliveryFailed
from bot.evidence_pack import PackIntegrityError
from bot.hosting.logs import fields
from bot.services.dispatch import Dispatcher
from bot.services.evidence_packs import EvidencePacks
from bot.services.outcomes import EvidencePackRequested
from bot.services.ports import Notifier
from bot.texts import Texts
from cards.evidence_pack import PackFileView, PackReadyView, pack_ready_card

log = logging.getLogger(__name__)


class PackEdge:
    def __init__(self, packs: EvidencePacks, notifier: Notifier, dispatch: Dispatcher, zone: ZoneInfo) -> None:
        self.packs = packs
        self.notifier = notifier
        self.dispatch = dispatch
        self.zone = zone

    async def request(self, case_id: str, user: str, tx: Texts) -> str:
        """Check the person may have the pack (NotFound/NotPermitted propagate), start it, and
        return the notice for their card."""
        case = await self.packs.may_have(case_id, user)
        self.dispatch.publish(EvidencePackRequested(case.id, case.number, user, tx.lang))
        return tx("pack.building")

    async def deliver(self, event: EvidencePackRequested) -> None:
        """The follow-up: build the pack and send the links (or why not) to the person's chat."""
        case_id, number, tx = event.case_id, event.number, Texts(event.language)
        try:
            issued = await self.packs.issue(case_id, event.person, tx)
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
            await self.notifier.to_person(event.person, activity)
        except DeliveryFailed:
            log.warning("evidence pack message not delivered", extra=fields(case_id=case_id))
