"""Unfinished reports: one document per employee, holding the draft's evidence list.

`drafts/{user}.json` says where the draft is (its case id, when it was touched) and which files
are recorded on it. Evidence is recorded here, not in the dialog state, with its own ETag-merged
write: turns of one conversation that run at the same time (on one instance or several) each add
their file to what is stored, instead of overwriting each other's dialog state. A file is
confirmed to the employee only after this write.

Files in flight are reserved before anything is downloaded (`reserve`), so the per-case cap holds
across concurrent messages; a reservation older than `RESERVATION_TTL` (a download that died with
its instance) no longer counts. A place is counted once: when a file is recorded (or found already
on the draft), the write that records it also takes it off its message's reservation, so a file is
never both on the draft and still "coming" while the rest of its message downloads; a file its
download refuses gives its place back at once (`give_back`). Submitting
closes the draft (`close`), after which no file is recorded on it. Discarding a draft (cancel,
expiry, a new draft replacing a lost one) deletes its files, this document and the dialog state
that holds the description.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import AlreadyExists, Conflict
from bot.guideline.errors import InvalidDecision
from bot.hosting.logs import fields
from bot.repositories.documents import Unchanged
from bot.repositories.drafts import DraftRecords, stamp
from bot.storage import names
from bot.storage.store import EvidenceMeta, Store

log = logging.getLogger(__name__)

_ATTEMPTS = 40  # a burst of messages with files all write this one document; each retry re-reads
RESERVATION_TTL = timedelta(minutes=10)  # longer than a download may take (Limits.total_timeout)


def meta_to_json(meta: EvidenceMeta) -> dict[str, Any]:
    return {
        "sha256": meta.sha256,
        "size": meta.size,
        "content_type": meta.content_type,
        "original_name": meta.original_name,
        "uploaded_by": meta.uploaded_by,
        "uploaded_at": meta.uploaded_at.isoformat(),
    }


def meta_from_json(data: dict[str, Any]) -> EvidenceMeta:
    return EvidenceMeta(
        data["sha256"],
        int(data["size"]),
        data["content_type"],
        data["original_name"],
        data["uploaded_by"],
        datetime.fromisoformat(data["uploaded_at"]),
    )


class DraftGone(Exception):
    """The draft was submitted, cancelled or expired (or replaced by a newer one)."""

    def __init__(self, submitted: bool) -> None:
        super().__init__("submitted" if submitted else "discarded")
        self.submitted = submitted


class StillReceiving(Exception):
    """Files are still being downloaded for this draft; submit must wait for them."""


@dataclass(frozen=True)
class Recorded:
    new: bool  # False: the same file was already on the draft
    count: int  # files on the draft now


@dataclass(frozen=True)
class Reservation:
    granted: int  # how many files of the message may be downloaded
    free_before: int  # room on the draft before this message


class DraftIndex:
    """Where unfinished reports are and what evidence they hold; found by tags, never by a scan."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.records = DraftRecords(store)

    # -- the draft's life ---------------------------------------------------------------------
    async def start(self, aad_object_id: str, case_id: str, now: datetime, state_doc: str = "") -> None:
        """A new draft. A document left by an older draft (its dialog state was lost) is discarded
        first, files included, so nothing of it stays orphaned."""
        fresh = {
            "user": aad_object_id,
            "case_id": case_id,
            "touched": stamp(now),
            "reminded": False,
            "state_doc": state_doc,
            "evidence": [],
            "pending": {},
            "closed": False,
        }
        with contextlib.suppress(AlreadyExists):
            await self.records.create(aad_object_id, fresh)
            return
        old = await self.records.get(aad_object_id)
        if old is not None and old.data.get("case_id") != case_id and not old.data.get("closed"):
            await self._delete_files(old.data)

        def replace(_current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            return fresh, None

        await self.records.change(aad_object_id, replace, attempts=_ATTEMPTS)

    async def touch(self, aad_object_id: str, case_id: str, now: datetime) -> None:
        def touched(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or current.get("case_id") != case_id:
                raise Unchanged  # discarded meanwhile: do not bring it back
            return {**current, "touched": stamp(now), "reminded": False}, None

        await self.records.change(aad_object_id, touched, attempts=_ATTEMPTS)

    async def get(self, aad_object_id: str, case_id: str) -> dict[str, Any] | None:
        doc = await self.records.get(aad_object_id)
        if doc is None or doc.data.get("case_id") != case_id:
            return None
        return doc.data

    async def evidence(self, aad_object_id: str, case_id: str) -> list[EvidenceMeta]:
        data = await self.get(aad_object_id, case_id)
        return [meta_from_json(e) for e in (data or {}).get("evidence", [])]

    # -- evidence -----------------------------------------------------------------------------
    async def reserve(
        self, aad_object_id: str, case_id: str, activity_id: str, count: int, cap: int, now: datetime
    ) -> Reservation:
        """Room for `count` files of one message, counted before any download: files on the draft
        plus live reservations of other messages must stay within `cap`."""

        def reserve(current: dict[str, Any] | None) -> tuple[dict[str, Any], Reservation]:
            _require_open(current, case_id)
            assert current is not None
            pending = _live(current.get("pending", {}), now)
            used = len(current.get("evidence", [])) + sum(int(p["n"]) for k, p in pending.items() if k != activity_id)
            free = max(0, cap - used)
            granted = min(count, free)
            if granted:
                pending[activity_id] = {"n": granted, "at": stamp(now)}
            elif activity_id not in pending:
                raise _NothingGranted(Reservation(0, free))
            touched = {"touched": stamp(now), "reminded": False}  # sending files is activity too
            return {**current, "pending": pending, **touched}, Reservation(granted, free)

        try:
            return await self.records.change(aad_object_id, reserve, attempts=_ATTEMPTS)
        except _NothingGranted as none:
            return none.reservation

    async def record(
        self, aad_object_id: str, case_id: str, meta: EvidenceMeta, cap: int, activity_id: str = ""
    ) -> Recorded:
        """Add one stored file to the draft (ETag-merged with every other writer). With the
        `activity_id` of the message that reserved room for it, the same write takes the file off
        that reservation (also when the file was on the draft already): otherwise, until the
        message's last download ended, its recorded files would count twice, and a message on
        another instance asking for room meanwhile would be refused places that are free."""

        def add(current: dict[str, Any] | None) -> tuple[dict[str, Any], Recorded]:
            _require_open(current, case_id)
            assert current is not None
            evidence = list(current.get("evidence", []))
            pending = one_taken(current.get("pending", {}), activity_id)
            if any(e["sha256"] == meta.sha256 for e in evidence):
                if pending is None:
                    raise _Known(len(evidence))
                return {**current, "pending": pending}, Recorded(False, len(evidence))
            if len(evidence) >= cap:
                raise InvalidDecision("evidence", "too_many")
            evidence.append(meta_to_json(meta))
            taken = {} if pending is None else {"pending": pending}
            return {**current, "evidence": evidence, **taken}, Recorded(True, len(evidence))

        try:
            return await self.records.change(aad_object_id, add, attempts=_ATTEMPTS)
        except _Known as known:
            return Recorded(False, known.count)

    async def give_back(self, aad_object_id: str, case_id: str, activity_id: str) -> None:
        """One file of the message was refused by its download: its place is free at once, not
        only when the message's last download ends (a message meanwhile would be refused room)."""

        def take_place(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or current.get("case_id") != case_id or current.get("closed"):
                raise Unchanged
            pending = one_taken(current.get("pending", {}), activity_id)
            if pending is None:
                raise Unchanged
            return {**current, "pending": pending}, None

        await self.records.change(aad_object_id, take_place, attempts=_ATTEMPTS)

    async def release(self, aad_object_id: str, case_id: str, activity_id: str) -> None:
        """The message's downloads are over: its reservation no longer counts."""

        def drop(current: dict[str, Any] | None) -> tuple[dict[str, Any], None]:
            if current is None or current.get("case_id") != case_id:
                raise Unchanged
            pending = dict(current.get("pending", {}))
            if pending.pop(activity_id, None) is None:
                raise Unchanged
            return {**current, "pending": pending}, None

        await self.records.change(aad_object_id, drop, attempts=_ATTEMPTS)

    async def close(self, aad_object_id: str, case_id: str, now: datetime) -> list[EvidenceMeta]:
        """Submit: no file is recorded on the draft after this. StillReceiving while files of a
        message are being downloaded; DraftGone when the draft no longer exists."""
        return (await self.close_once(aad_object_id, case_id, now))[0]

    async def close_once(self, aad_object_id: str, case_id: str, now: datetime) -> tuple[list[EvidenceMeta], bool]:
        """`close`, and whether this call closed the draft (False: an earlier submit had). A case
        is created only after its draft was closed, so a draft closed just now has no case yet."""

        def close(current: dict[str, Any] | None) -> tuple[dict[str, Any], list[EvidenceMeta]]:
            if current is None or current.get("case_id") != case_id:
                raise DraftGone(submitted=False)
            evidence = [meta_from_json(e) for e in current.get("evidence", [])]
            if current.get("closed"):
                raise _AlreadyClosed(evidence)
            if _live(current.get("pending", {}), now):
                raise StillReceiving()
            return {**current, "closed": True, "pending": {}}, evidence

        try:
            return await self.records.change(aad_object_id, close, attempts=_ATTEMPTS), True
        except _AlreadyClosed as closed:
            return closed.evidence, False

    # -- the end ------------------------------------------------------------------------------
    async def forget(self, aad_object_id: str) -> None:
        """The draft became a case: its files now belong to the case, only the index goes."""
        await self.records.delete(aad_object_id)

    async def discard(self, aad_object_id: str, case_id: str | None = None, *, with_state: bool = True) -> int:
        """Cancelled or expired: delete the draft's files, its dialog state and this document.
        With `case_id`, only that draft (a newer one is left alone). `with_state=False` inside
        the dialog's own turn, which ends the dialog and saves its state itself. Returns the
        files deleted."""
        doc = await self.records.get(aad_object_id)
        if doc is None or (case_id is not None and doc.data.get("case_id") != case_id):
            return 0
        if doc.data.get("closed"):  # submitted: the files are the case's now
            await self.forget(aad_object_id)
            return 0
        deleted = await self._delete_files(doc.data)
        if with_state:
            await self._delete_state(doc.data)
        try:
            await self.records.delete(aad_object_id, etag=doc.etag)
        except Conflict:  # a download recorded a file meanwhile: go again, on what is stored now
            return deleted + await self.discard(aad_object_id, str(doc.data.get("case_id")), with_state=with_state)
        log.info("draft discarded", extra=fields(case_id=doc.data.get("case_id"), files=deleted))
        return deleted

    async def _delete_files(self, data: dict[str, Any]) -> int:
        case_id = str(data.get("case_id") or "")
        if not case_id:
            return 0
        # List the prefix rather than trusting the document: a file stored just before its
        # record failed is on no list, and must go too.
        files = await self.store.list(names.evidence_prefix(case_id))
        for name in files:
            await self.store.delete_evidence(name)
        return len(files)

    async def _delete_state(self, data: dict[str, Any]) -> None:
        """The dialog state holds the description; delete it if it is still this draft's."""
        name = str(data.get("state_doc") or "")
        case_id = str(data.get("case_id") or "")
        if not name or not case_id:
            return
        state = await self.store.get(name)
        if state is None or case_id not in _flat(state.data):
            return  # gone, or the conversation has moved on to something else
        with contextlib.suppress(Conflict):
            await self.store.delete(name, etag=state.etag)

    async def untouched_since(self, moment: datetime) -> list[dict[str, Any]]:
        return await self.records.untouched_since(moment)


def _flat(data: dict[str, Any]) -> str:
    return json.dumps(data)


def _require_open(current: dict[str, Any] | None, case_id: str) -> None:
    if current is None or current.get("case_id") != case_id:
        raise DraftGone(submitted=False)
    if current.get("closed"):
        raise DraftGone(submitted=True)


def live_reservations(pending: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The reservations of downloads that may still be running (younger than RESERVATION_TTL)."""
    return _live(pending, now)


def reservation(count: int, now: datetime) -> dict[str, Any]:
    return {"n": count, "at": stamp(now)}


def one_taken(pending: dict[str, Any], activity_id: str) -> dict[str, Any] | None:
    """The reservations after one file of message `activity_id` was recorded (or found already
    there): that message holds one place less, and none once all its files are in. None when the
    message holds no reservation (nothing to take off)."""
    entry = pending.get(activity_id) if activity_id else None
    if entry is None:
        return None
    left = int(entry["n"]) - 1
    rest = {k: v for k, v in pending.items() if k != activity_id}
    return {**rest, activity_id: {**entry, "n": left}} if left > 0 else rest


def _live(pending: dict[str, Any], now: datetime) -> dict[str, Any]:
    out = {}
    for key, entry in pending.items():
        at = datetime.strptime(str(entry["at"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if now - at < RESERVATION_TTL:
            out[key] = dict(entry)
    return out


class _Known(Exception):
    def __init__(self, count: int) -> None:
        self.count = count


class _NothingGranted(Exception):
    def __init__(self, reservation: Reservation) -> None:
        self.reservation = reservation


class _AlreadyClosed(Exception):
    def __init__(self, evidence: list[EvidenceMeta]) -> None:
        self.evidence = evidence
