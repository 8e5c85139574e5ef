"""Notices to HR that belong to no case (a MED channel gone or renamed, an evaluation overdue),
delivered like case notifications: never lost, never "delivered" to nobody.

Each notice is written to HR's outbox (`bot.repositories.hr_outbox`) before anything is sent, and deleted only when
at least one HR person (HR's group expanded) got it. Until then it stays, with back-off, for the
scheduler's next tick; after `alert_after` an ERROR says nobody was reached (no personal data:
the text key and counts). A delivery claims the notice with the ETag first, and every send
re-checks the claim (`bot.jobs.send_guard`), so two instances never both send it.
"""

from __future__ import annotations

import functools
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.chat.safe_text import user_text
from bot.errors import DeliveryFailed, NotReachable
from bot.hosting.logs import fields
from bot.hosting.telemetry import Telemetry
from bot.jobs.send_guard import ClaimLost, guarded
from bot.repositories.documents import Unchanged
from bot.repositories.hr_outbox import HrOutbox
from bot.services.hr_people import HrPeople, HrUnavailable
from bot.services.ports import Clock, Languages, Notifier
from bot.storage.store import Store
from bot.texts import Texts, language_for

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
CLAIM_MARGIN = timedelta(minutes=1)
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HrNotices:
    def __init__(
        self,
        store: Store,
        hr: HrPeople,
        languages: Languages,
        notifier: Notifier,
        clock: Clock,
        default_language: str,
        alert_after: timedelta,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.store = store
        self.outbox = HrOutbox(store)
        self.hr = hr
        self.languages = languages
        self.notifier = notifier
        self.clock = clock
        self.default_language = default_language
        self.alert_after = alert_after
        self.telemetry = telemetry or Telemetry()

    async def tell(self, key: str, values: dict[str, Any]) -> None:
        """Record the notice, then try to deliver it at once (the tick retries what is left)."""
        now = self.clock.now()
        data = {"key": key, "values": values, "at": now.isoformat(), "attempts": 0, "due": _stamp(now)}
        await self._deliver(await self.outbox.add(data))

    async def deliver_due(self) -> int:
        """The scheduler job: every notice due by now (index query)."""
        names = await self.outbox.due_by(_stamp(self.clock.now()))
        delivered = 0
        for name in names:
            delivered += await self._deliver(name)
        return delivered

    async def _deliver(self, name: str) -> int:
        now = self.clock.now()
        token = uuid.uuid4().hex
        until = now + CLAIM_FOR

        def claim(current: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
            if current is None or datetime.fromisoformat(str(current["due"])) > now:
                raise Unchanged  # delivered, or not due (backing off, or claimed by another delivery)
            return {**current, "claimed_by": token, "due": _stamp(until)}, current

        notice: dict[str, Any] | None = await self.outbox.change(name, claim)
        if notice is None:
            return 0
        mine = _Claim(token, until)
        try:
            reached, people = await self._send(name, notice, mine)
        except ClaimLost:
            return 0  # another delivery took it over
        if reached:
            doc = await self.outbox.get(name)
            if doc is not None and doc.data.get("claimed_by") == token:
                await self.outbox.delete(name, etag=doc.etag)
            return 1
        await self._not_reached(name, notice, token, people)
        return 0

    async def _send(self, name: str, notice: dict[str, Any], mine: _Claim) -> tuple[int, int]:
        try:
            people = await self.hr.ids()
        except HrUnavailable:
            log.warning("HR's group could not be read; the HR notice stays pending", extra=fields())
            return 0, 0
        reached = 0
        with guarded(functools.partial(self._keep_claim, name, mine)):
            for person in people:
                tx = Texts(language_for(await self.languages.locale(person), self.default_language))
                values = dict(notice.get("values") or {})
                # Unit and channel names are free text: no Markdown links, no bidi reordering.
                shown = {k: user_text(v) if isinstance(v, str) else v for k, v in values.items()}
                text = tx(str(notice["key"]), **shown)
                try:
                    await self.notifier.to_person(person, {"type": "message", "text": text})
                    reached += 1
                except NotReachable:
                    continue  # this HR person never wrote to the bot: no chat to post in
                except DeliveryFailed:
                    log.warning("HR notice not delivered to one HR person", extra=fields())
        return reached, len(people)

    async def _keep_claim(self, name: str, mine: _Claim) -> None:
        now = self.clock.now()
        if now < mine.until - CLAIM_MARGIN:
            return
        until = now + CLAIM_FOR

        def extend(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or current.get("claimed_by") != mine.token:
                raise ClaimLost(name)
            return {**current, "due": _stamp(until)}, None

        await self.outbox.change(name, extend)
        mine.until = until

    async def _not_reached(self, name: str, notice: dict[str, Any], token: str, people: int) -> None:
        now = self.clock.now()
        attempts = int(notice.get("attempts", 0)) + 1
        waited = now - datetime.fromisoformat(str(notice["at"]))
        alert = waited >= self.alert_after and not notice.get("alerted")
        if alert:
            self.telemetry.notification_undelivered("hr_notice")
            log.error(
                "notification undelivered: nobody reached",
                extra=fields(
                    kind="hr_notice", attempts=attempts, minutes=int(waited.total_seconds() // 60), hr_people=people
                ),
            )

        def later(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or current.get("claimed_by") != token:
                raise Unchanged  # taken over meanwhile
            wait = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
            kept = {k: v for k, v in current.items() if k != "claimed_by"}
            return {
                **kept,
                "attempts": attempts,
                "due": _stamp(now + wait),
                "alerted": bool(current.get("alerted") or alert),
            }, None

        await self.outbox.change(name, later)


class _Claim:
    def __init__(self, token: str, until: datetime) -> None:
        self.token = token
        self.until = until
