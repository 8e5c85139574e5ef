"""Unfinished reports: one kind reminder before a draft expires, then the index entry goes.

The draft's description lives in the dialog state, its files under its case id: an expired draft
is discarded whole (files, dialog state, index entry), so nothing of it is left behind. This job
only finds drafts through the index (no scan).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.errors import DeliveryFailed
from bot.logs import fields
from bot.ports import Clock, Notifier
from bot.services.docs import Unchanged, update
from bot.services.drafts import DraftIndex, draft_name
from bot.services.refs import user_locale, user_reference
from bot.texts import Texts, language_for

log = logging.getLogger(__name__)


async def remind_and_expire(
    drafts: DraftIndex, notifier: Notifier, clock: Clock, ttl: timedelta, default_language: str
) -> int:
    now = clock.now()
    lead = min(timedelta(hours=12), ttl / 4)
    sent = 0
    for draft in await drafts.untouched_since(now - ttl):
        # Its files, its dialog state (with the description) and the index entry go together.
        await drafts.discard(str(draft["user"]), str(draft.get("case_id") or "") or None)
    for draft in await drafts.untouched_since(now - ttl + lead):
        if draft.get("reminded"):
            continue
        user = str(draft["user"])
        reference = await user_reference(drafts.store, user)
        if reference is not None:
            tx = Texts(language_for(await user_locale(drafts.store, user), default_language))
            hours = max(1, round(lead.total_seconds() / 3600))
            try:
                await notifier.send(reference, {"type": "message", "text": tx("report.draft_reminder", hours=hours)})
                sent += 1
            except DeliveryFailed:
                log.warning("draft reminder not delivered", extra=fields())
                continue

        def reminded(
            current: dict[str, object] | None, touched: object = draft.get("touched")
        ) -> tuple[dict[str, object], None]:
            if current is None or current.get("touched") != touched:
                raise Unchanged  # gone, or touched again meanwhile
            return {**current, "reminded": True}, None

        await update(
            drafts.store,
            draft_name(user),
            reminded,
            tags=lambda d: {"kind": "draft", "touched": str(d["touched"])},
        )
    return sent
