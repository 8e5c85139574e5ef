"""HR's request for a person's data (GDPR art. 15): answer at once, build it as follow-up work
(the dispatcher runs `deliver`), then send HR the link in the chat with the bot (a promise the bot
keeps, also when the build fails).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.chat.outgoing import message
from bot.errors import DeliveryFailed, NotFound
from bot.hosting.logs import fields
from bot.services.dispatch import Dispatcher
from bot.services.outcomes import PersonExportRequested
from bot.services.person_export import EXPORT_KEEP_DAYS, PersonExport
from bot.services.ports import Notifier
from bot.texts import Texts

log = logging.getLogger(__name__)


class ExportEdge:
    def __init__(self, exports: PersonExport, notifier: Notifier, dispatch: Dispatcher, zone: ZoneInfo) -> None:
        self.exports = exports
        self.notifier = notifier
        self.dispatch = dispatch
        self.zone = zone

    def request(self, person: str, hr_id: str, tx: Texts) -> str:
        self.dispatch.publish(PersonExportRequested(person, hr_id, tx.lang))
        return tx("export.building")

    async def deliver(self, event: PersonExportRequested) -> None:
        """The follow-up: build the export and send HR the link (or why not) in their chat."""
        tx = Texts(event.language)
        try:
            export = await self.exports.build(event.person, event.hr_id)
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
            await self.notifier.to_person(event.hr_id, message(text))
        except DeliveryFailed:
            log.warning("person export message not delivered", extra=fields())
