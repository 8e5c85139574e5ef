"""HR's request for a person's data (GDPR art. 15): answer at once, build in the background, then
send HR the link in the chat with the bot (a promise the bot keeps, also when the build fails).
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import TurnContext

from bot.chat.outgoing import message
from bot.errors import DeliveryFailed, NotFound
from bot.hosting.background import Background
from bot.hosting.logs import fields
from bot.services.person_export import EXPORT_KEEP_DAYS, PersonExport
from bot.services.ports import Notifier
from bot.texts import Texts

log = logging.getLogger(__name__)


class ExportEdge:
    def __init__(self, exports: PersonExport, notifier: Notifier, background: Background, zone: ZoneInfo) -> None:
        self.exports = exports
        self.notifier = notifier
        self.background = background
        self.zone = zone

    def request(self, turn_context: TurnContext, person: str, hr_id: str, tx: Texts) -> str:
        reference: dict[str, Any] = TurnContext.get_conversation_reference(turn_context.activity).serialize()
        reference.pop("activityId", None)
        self.background.spawn(self._deliver(reference, person, hr_id, tx), "person_export")
        return tx("export.building")

    async def _deliver(self, reference: dict[str, Any], person: str, hr_id: str, tx: Texts) -> None:
        try:
            export = await self.exports.build(person, hr_id)
        except NotFound:
            text = tx("export.nothing")
        except Exception as exc:  # HR was promised an answer: any failure still gets one
            log.exception("person export failed", extra=fields(error=type(exc).__name__))
            text = tx("export.failed")
        else:
            until = export.expires_at.astimezone(self.zone).strftime("%d-%m-%Y %H:%M")
            text = tx(
                "export.ready",
                cases=export.cases,
                files=export.files,
                url=export.url,
                until=until,
                days=EXPORT_KEEP_DAYS,
                sha256=export.sha256,
            )
        try:
            await self.notifier.send(reference, message(text))
        except DeliveryFailed:
            log.warning("person export message not delivered", extra=fields())
