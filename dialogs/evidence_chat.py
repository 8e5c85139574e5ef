"""Screenshots sent in the chat, for both the report dialog and "add evidence".

Caps come before work: the files of one message are counted (and the surplus refused) and room is
reserved on the draft or case before anything is downloaded. The downloads run in the background;
the turn waits for them at most `turn_budget` seconds (Teams re-sends an activity whose turn takes
over 15 s). Done in time, the answers come in the turn; otherwise the employee is told at once that
the files are being received, and the answers come as a proactive message when they are stored.

A file its download refuses (too large, a type its bytes do not prove, a host not allowed...)
gives its place back at once (`Target.give_back`), so the room it held is free for other messages
while the rest of its message downloads.

Each file is confirmed only after it is recorded on the draft or the case (`Target.record`), so
"received" is never said about a file that could still drop out. What happens to a file (kept on
the draft, or added to the case) is the caller's `Target`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from botbuilder.core import TurnContext

from bot.chat.evidence_message import Parsed, admit, fit, rejected
from bot.chat.messages import message_for
from bot.chat.report_flow import spoken
from bot.errors import BotError, EvidenceRejected
from bot.guideline.errors import DomainError
from bot.hosting.background import Background
from bot.hosting.logs import fields
from bot.intake.evidence import AttachmentRef, EvidenceIntake, StoredEvidence, parse_attachment
from bot.services.drafts import DraftGone
from bot.services.ports import Notifier
from bot.texts import Texts
from cards.review import human_size

log = logging.getLogger(__name__)


class Target(Protocol):
    """Where a message's files go: a draft or a submitted case."""

    case_id: str

    async def reserve(self, count: int) -> tuple[int, int]:
        """Room for `count` files before any download: (granted, the cap). Refuses (DomainError,
        NotPermitted, DraftGone) when nothing may be added at all, e.g. a closed case."""

    async def record(self, stored: StoredEvidence) -> bool:
        """Record a stored file; True when new. Refusals raise; the caller deletes the bytes."""

    async def give_back(self) -> None:
        """One file of the message was refused before it was stored: its place is free at once."""

    async def release(self) -> None:
        """The message's downloads are over (its reservation no longer counts)."""

    async def discard(self, stored: StoredEvidence) -> None:
        """Delete the bytes of a file that was stored but could not be recorded."""


@dataclass
class EvidenceChat:
    intake: EvidenceIntake
    notifier: Notifier
    background: Background
    max_size: str  # the largest file accepted, as a refusal names it (evidence_message.size_limit)
    per_message: int
    turn_budget: float
    downloads_at_once: int = 8

    def __post_init__(self) -> None:
        # However many messages arrive, at most this many downloads run in this process at once;
        # the rest wait their turn (their files are already reserved, so they are counted).
        self._gate = asyncio.Semaphore(self.downloads_at_once)

    async def take(self, context: TurnContext, target: Target, tx: Texts, uploader: str, now: datetime) -> bool:
        """Take every attachment of the message. True when the answers were given in this turn
        (False: they follow as a proactive message, or nothing was taken)."""
        admission = admit(_parsed(context.activity.attachments or []), self.per_message, self.max_size)
        refusal: str | None = None  # nothing may be added at all (a closed case, a submitted draft)
        if admission.refs:
            try:
                granted, cap = await target.reserve(len(admission.refs))
            except (DomainError, BotError) as exc:
                refusal = message_for(exc, tx)
            except DraftGone as gone:
                refusal = tx("evidence.draft_submitted" if gone.submitted else "evidence.draft_gone")
            else:
                admission = fit(admission, granted, cap)
        answers = [spoken(tx, said) for said in admission.said]
        refs = list(admission.refs) if refusal is None else []
        if refusal is not None:
            answers.append(refusal)
        if not refs:
            await _say(context, answers)
            return False
        task = self.background.start(self._receive(refs, target, tx, uploader, now), "evidence")
        done, _ = await asyncio.wait({task}, timeout=self.turn_budget)
        if done:
            await _say(context, [*answers, *task.result()])
            return True
        await _say(context, [*answers, tx("evidence.receiving", count=len(refs))])
        reference = TurnContext.get_conversation_reference(context.activity).serialize()
        reference.pop("activityId", None)
        self.background.spawn(self._post_later(task, reference, target.case_id, tx), "evidence answers")
        return False

    async def _receive(
        self, refs: list[AttachmentRef], target: Target, tx: Texts, uploader: str, now: datetime
    ) -> list[str]:
        answers: list[str] = []
        try:
            for ref in refs:
                async with self._gate:
                    answers.append(await self._one(ref, target, tx, uploader, now))
        finally:
            try:
                await target.release()
            except Exception:  # the reservation then lapses by itself (RESERVATION_TTL)
                log.exception("evidence reservation not released", extra=fields(case_id=target.case_id))
        return answers

    async def _one(self, ref: AttachmentRef, target: Target, tx: Texts, uploader: str, now: datetime) -> str:
        try:
            stored = await self.intake.ingest_ref(ref, target.case_id, uploader, now)
        except EvidenceRejected as exc:
            await self._give_back(target)
            return spoken(tx, rejected(exc.reason, self.max_size))
        except Exception:
            log.exception("evidence download failed", extra=fields(case_id=target.case_id))
            await self._give_back(target)
            return tx("evidence.not_stored")
        try:
            new = await target.record(stored)
        except DraftGone as gone:
            await self._discard(target, stored)
            return tx("evidence.draft_submitted" if gone.submitted else "evidence.draft_gone")
        except (DomainError, BotError) as exc:
            await self._discard(target, stored)
            return message_for(exc, tx)
        except Exception:
            log.exception("evidence not recorded", extra=fields(case_id=target.case_id))
            await self._discard(target, stored)
            return tx("evidence.not_stored")
        if not new:
            return tx("evidence.duplicate")
        meta = stored.meta
        return tx("evidence.received", name=meta.original_name, size=human_size(meta.size))

    async def _give_back(self, target: Target) -> None:
        """A refused file's place is freed now, not when the message's last download ends: a
        message meanwhile (on any instance) must not be told "no room" for a place about to free."""
        try:
            await target.give_back()
        except Exception:  # it is freed with the rest of the message's (release, or RESERVATION_TTL)
            log.exception("refused file's place not freed", extra=fields(case_id=target.case_id))

    async def _discard(self, target: Target, stored: StoredEvidence) -> None:
        if stored.already_stored:
            return  # the bytes were there before this message: someone else's record holds them
        try:
            await target.discard(stored)
        except Exception:
            log.exception("unrecorded evidence not deleted", extra=fields(case_id=target.case_id))

    async def _post_later(
        self, task: asyncio.Task[list[str]], reference: dict[str, Any], case_id: str, tx: Texts
    ) -> None:
        """The answers of a message whose turn could not wait: "receiving" was a promise to tell."""
        try:
            answers = await task
        except Exception:
            log.exception("evidence work failed", extra=fields(case_id=case_id))
            answers = [tx("evidence.not_stored")]
        try:
            await self.notifier.send(reference, {"type": "message", "text": _one_message(answers)})
        except BotError:  # DeliveryFailed: the files are recorded; only the answer is lost
            log.warning("evidence answer not delivered", extra=fields(case_id=case_id))


def _one_message(answers: list[str]) -> str:
    # One message per message received, however many files: Teams allows a bot about 7 messages
    # a second in a conversation, and 11 separate answers to one message would be throttled.
    return "\n\n".join(answers)


async def _say(context: TurnContext, answers: list[str]) -> None:
    if answers:
        await context.send_activity(_one_message(answers))


def _parsed(attachments: list[Any]) -> list[Parsed]:
    """Each attachment as a file to fetch, its refusal, or None (the text/html copy of the message)."""
    parsed: list[Parsed] = []
    for item in attachments:
        raw = item.serialize() if hasattr(item, "serialize") else dict(item)
        try:
            parsed.append(parse_attachment(raw if isinstance(raw, Mapping) else {}))
        except EvidenceRejected as exc:
            parsed.append(exc)
    return parsed
