"""Screenshots sent in the chat, for both the report dialog and "add evidence": each file is
fetched safely, acknowledged with its size and short hash, or refused with a reason. What
happens to an accepted file (kept in the draft, or added to the case) is the caller's `accept`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from botbuilder.core import TurnContext

from bot.errors import EvidenceRejected
from bot.evidence import EvidenceIntake, StoredEvidence
from bot.guideline.errors import DomainError
from bot.teams.messages import message_for
from bot.texts import Texts
from cards.review import human_size

# accept(stored) -> True when it was new, False for a file already there; DomainError refuses.
Accept = Callable[[StoredEvidence], Awaitable[bool]]


async def take_attachments(
    context: TurnContext,
    intake: EvidenceIntake,
    case_id: str,
    uploader: str,
    now: datetime,
    tx: Texts,
    max_mb: int,
    accept: Accept,
) -> int:
    """Ingest every attachment of the message; returns how many were new."""
    added = 0
    for item in context.activity.attachments or []:
        raw = item.serialize() if hasattr(item, "serialize") else dict(item)
        try:
            stored = await intake.ingest(raw, case_id, uploader, now)
        except EvidenceRejected as exc:
            await context.send_activity(tx("evidence.rejected", reason=tx(exc.reason, max_mb=max_mb)))
            continue
        if stored is None:
            continue  # the text/html copy Teams sends beside inline images
        try:
            new = await accept(stored)
        except DomainError as exc:
            await context.send_activity(message_for(exc, tx))
            return added
        if not new:
            await context.send_activity(tx("evidence.duplicate"))
            continue
        added += 1
        meta = stored.meta
        await context.send_activity(
            tx("evidence.received", name=meta.original_name, size=human_size(meta.size), short_hash=meta.sha256[:12])
        )
    return added
