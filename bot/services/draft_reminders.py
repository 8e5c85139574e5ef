"""Unfinished reports: one kind reminder before a draft expires, then the index entry goes.

The draft's description lives in the dialog state, its files under its case id: an expired draft
is discarded whole (files, dialog state, index entry), so nothing of it is left behind. This job
only finds drafts through the index (no scan).
"""

from __future__ import annotations

import functools
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.errors import DeliveryFailed, NotReachable
from bot.hosting.logs import fields
from bot.jobs.send_guard import ClaimLost, guarded
from bot.repositories.documents import Unchanged
from bot.services.drafts import DraftIndex
from bot.services.ports import Clock, Languages, Notifier
from bot.storage import names
from bot.texts import Texts, language_for

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)
CLAIM_MARGIN = timedelta(minutes=1)


async def remind_and_expire(
    drafts: DraftIndex,
    notifier: Notifier,
    clock: Clock,
    ttl: timedelta,
    default_language: str,
    languages: Languages,
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
        claim = await _claim(drafts, user, draft.get("touched"), now)
        if claim is None:
            continue  # reminded meanwhile, touched again, gone, or another instance is on it
        delivered = True
        tx = Texts(language_for(await languages.locale(user), default_language))
        text = reminder_text(tx, _time_left(draft.get("touched"), now, ttl, lead))
        try:
            with guarded(functools.partial(_still_ours, drafts, user, claim, clock)):
                await notifier.to_person(user, {"type": "message", "text": text})
            sent += 1
        except ClaimLost:
            continue  # another delivery took the claim over and sends it
        except NotReachable:
            pass  # no chat with the bot to remind them in: nothing is owed
        except DeliveryFailed:
            log.warning("draft reminder not delivered", extra=fields())
            delivered = False
        await _settle(drafts, user, claim, delivered)
    return sent


def _time_left(touched: object, now: datetime, ttl: timedelta, lead: timedelta) -> timedelta:
    """What is really left: the draft expires `ttl` after it was last touched (a late tick, or a
    restart, means less than `lead`)."""
    if not isinstance(touched, str) or not touched:
        return lead
    last = datetime.strptime(touched, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return max(timedelta(0), last + ttl - now)


def reminder_text(tx: Texts, left: timedelta) -> str:
    """The time left rounded down, so the promise holds: whole hours, or minutes under two hours."""
    if left >= timedelta(hours=2):
        return tx("report.draft_reminder", hours=int(left // timedelta(hours=1)))
    return tx("report.draft_reminder_minutes", minutes=max(1, int(left // timedelta(minutes=1))))


async def _claim(drafts: DraftIndex, user: str, touched: object, now: datetime) -> _DraftClaim | None:
    """Claim the reminder in the index entry with its ETag, as due items are claimed in a case:
    two instances (or a tick that lost its lease and its successor) never both send it."""
    claim = _DraftClaim(uuid.uuid4().hex, now + CLAIM_FOR)

    def take(current: dict[str, object] | None) -> tuple[dict[str, object], _DraftClaim]:
        if current is None or current.get("touched") != touched or current.get("reminded"):
            raise Unchanged
        until = current.get("claimed_until")
        if isinstance(until, str) and datetime.fromisoformat(until) > now:
            raise Unchanged  # another delivery holds it
        return {**current, "claimed_until": claim.until.isoformat(), "claimed_by": claim.token}, claim

    result: _DraftClaim | None = await drafts.records.change(user, take)
    return result


async def _still_ours(drafts: DraftIndex, user: str, claim: _DraftClaim, clock: Clock) -> None:
    """Before each send attempt: near its end the claim is extended if still ours, else ClaimLost."""
    now = clock.now()
    if now < claim.until - CLAIM_MARGIN:
        return
    until = now + CLAIM_FOR

    def extend(current: dict[str, object] | None) -> tuple[dict[str, object], None]:
        if current is None or current.get("claimed_by") != claim.token:
            raise ClaimLost(names.draft(user))
        return {**current, "claimed_until": until.isoformat()}, None

    await drafts.records.change(user, extend)
    claim.until = until


async def _settle(drafts: DraftIndex, user: str, claim: _DraftClaim, delivered: bool) -> None:
    """Record the reminder as sent (or, when it failed, only release the claim for the next tick)."""

    def done(current: dict[str, object] | None) -> tuple[dict[str, object], None]:
        if current is None or current.get("claimed_by") != claim.token:
            raise Unchanged  # gone (sent or discarded), or taken over
        kept = {k: v for k, v in current.items() if k not in ("claimed_until", "claimed_by")}
        return ({**kept, "reminded": True} if delivered else kept), None

    await drafts.records.change(user, done)


@dataclass
class _DraftClaim:
    token: str
    until: datetime
