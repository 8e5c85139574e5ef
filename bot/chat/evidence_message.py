"""One chat message's files before any download: which are taken, and what the sender is told.

Shared by the report (files onto the draft) and "add evidence" (files onto a submitted case).
Caps come before work: attachments that are not a file or an image are refused with their reason,
at most `per_message` files of one message are taken, and of those only as many as the draft or
case has room for (the room is reserved by the caller before this is asked). Pure, so each rule
is a unit test (tests/unit/test_evidence_message.py); `dialogs/evidence_chat.py` parses the
attachments, reserves the room, downloads and says the answers.

What the download itself refuses (a file too large, of a type its bytes do not prove) is decided
by `bot/intake/evidence.py` while it streams; its reason is said with `rejected` here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.report_flow import Say, say
from bot.errors import EvidenceRejected
from bot.intake.evidence import AttachmentRef

Parsed = AttachmentRef | EvidenceRejected | None  # None: the text/html copy Teams sends beside inline images


@dataclass(frozen=True)
class Admission:
    """The files to take, in the message's order, and what to say about the others."""

    refs: tuple[AttachmentRef, ...]
    said: tuple[Say, ...] = ()


def size_limit(max_bytes: int) -> str:
    """The largest file accepted (the EVIDENCE_MAX_BYTES setting) as a refusal names it: whole MB
    from 1 MB ("25 MB"), else whole KB ("4 KB"); never more than the limit, never "0 MB"."""
    mib = 1024 * 1024
    return f"{max_bytes // mib} MB" if max_bytes >= mib else f"{max(max_bytes // 1024, 1)} KB"


def rejected(reason: str, max_size: str) -> Say:
    """A file refused for its kind, type or size; `reason` is a text key (it may name the limit,
    `size_limit` of the setting)."""
    return say("evidence.rejected", reason=say(reason, max_size=max_size))


def admit(parsed: Sequence[Parsed], per_message: int, max_size: str) -> Admission:
    """The files of one message, refused attachments said, and no more than `per_message` taken."""
    refs: list[AttachmentRef] = []
    said: list[Say] = []
    for item in parsed:
        if isinstance(item, EvidenceRejected):
            said.append(rejected(item.reason, max_size))
        elif item is not None:
            refs.append(item)
    if len(refs) > per_message:
        said.append(say("evidence.too_many_in_message", max=per_message, skipped=len(refs) - per_message))
        refs = refs[:per_message]
    return Admission(tuple(refs), tuple(said))


def fit(admission: Admission, granted: int, cap: int) -> Admission:
    """Only the files the draft or case had room for (`granted` of them, under `cap` in all)."""
    if granted >= len(admission.refs):
        return admission
    skipped = len(admission.refs) - max(0, granted)
    full = say("evidence.case_full", max=cap, skipped=skipped)
    return Admission(admission.refs[: max(0, granted)], (*admission.said, full))
