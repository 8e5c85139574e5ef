"""Conversation references, stored so the bot can message people and channels proactively.

Written on install and on each message; read by the sender; deleted when the person removes the
app from their personal scope (`forget`), or when a send into their chat finds the bot gone there.
Plain JSON dicts (the Bot Framework ConversationReference shape), so this module needs no
botbuilder import.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.repositories.references import References
from bot.services.bounded import Expiring
from bot.storage.store import Store

# Seconds after a person's last message that what this instance wrote of their reference is kept:
# a conversation's messages are seconds to minutes apart; past it, a message costs one read.
WRITTEN_FOR = 120.0


class ReferenceBook:
    """Remembers conversation references, with a small in-process memory.

    - What this instance last wrote is not written again: a store round trip saved on every message
      (another instance writing the same value is harmless).
    - What was read (or written here) is reused for `read_for` seconds, so one delivery (the
      texts' language, then the send) reads a person's reference once. A reference changed on
      another instance is seen here within that time; references change rarely (a new chat,
      another language).
    - That a person has none is not kept (they may write to the bot any moment), except for the
      one send that follows asking their language: `locale` finding nobody lets the next
      `reference` answer "none" without a read, once (within `read_for`). So a MED reminder or a
      notification to someone new costs one read for the language and the chat it opens.
    - The service URL of the last reference it saw: where Teams takes this bot's messages, which
      Teams needs to open a chat with someone new (the Notifier's `to_person`).

    Each memory drops an entry when it stops being of use, not only when the bound pushes it out:
    a reference read (and a "nobody" asked) after `read_for`, what was written after `written_for`
    without a message from that person. So under a steady stream of new people each holds the
    last minutes' people, not the last 10,000 (`bot/services/bounded.py: Expiring`). A person who
    writes again after `written_for` costs one read, which finds the reference unchanged.
    """

    def __init__(
        self,
        store: Store,
        *,
        memory: int = 10_000,
        read_for: float = 60.0,
        written_for: float = WRITTEN_FOR,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._written: Expiring[str, dict[str, Any]] = Expiring(
            memory, "references written", expire_after=written_for, idle=True, clock=monotonic
        )
        self._read: Expiring[str, dict[str, Any]] = Expiring(
            memory, "references read", expire_after=read_for, clock=monotonic
        )
        # locale() found no document: the send that follows may answer "nobody" without a read.
        self._asked_absent: Expiring[str, bool] = Expiring(
            memory, "references asked absent", expire_after=read_for, clock=monotonic
        )
        self.service_url = ""  # of the last reference seen (remembered or read), "" before any

    async def remember(
        self, aad_object_id: str, reference: dict[str, Any], locale: str | None = None, *, installed: bool = False
    ) -> None:
        """Keep the person's reference; an activity without a locale (an install event, a chat
        opened by the bot) keeps the locale stored before, so later messages stay in their language.

        `installed`: the turn is the app's install in their personal scope. Then what is stored
        decides, not this instance's memory of its last write: the person may have removed the
        app since (on another instance, which deleted the reference), and a re-install must write
        it again. Installs are rare; the one read is nothing."""
        if installed:
            self._forget_here(aad_object_id)
        if not locale:
            known = self._written.get(aad_object_id)
            locale = str(known.get("locale") or "") if known else await self.locale(aad_object_id)
        data = _user_doc(aad_object_id, reference, locale)
        if self._written.get(aad_object_id) == data:
            return
        await remember_user(self.store, aad_object_id, reference, locale)
        self._kept(aad_object_id, data)

    async def remember_opened(self, aad_object_id: str, reference: dict[str, Any]) -> None:
        """Keep the reference of a chat the bot just opened with someone it had no reference for:
        one create-only write, no read. If they wrote to the bot meanwhile, what that stored is
        kept (the same 1:1 chat, with their language)."""
        data = _user_doc(aad_object_id, reference, "")
        if not await References(self.store).create_user(aad_object_id, data):
            self._read.pop(aad_object_id)  # theirs is stored: read it next time
            return
        self._kept(aad_object_id, data)

    async def forget(self, aad_object_id: str, reference: dict[str, Any] | None = None) -> bool:
        """Delete the person's reference (they removed the app: the bot may no longer write to
        them there). With `reference`, only while the stored one is still that chat: a send into
        it found the bot gone, and a newer chat written meanwhile (a re-install) is kept. This
        instance's memories of the person go too, so a later install or message writes again.
        Another instance may still hold the reference it read for up to `read_for`: a send from
        there finds the bot gone and comes here with the reference (`TeamsNotifier`)."""
        self._forget_here(aad_object_id)
        return await References(self.store).delete_user(aad_object_id, reference)

    def _forget_here(self, aad_object_id: str) -> None:
        self._written.pop(aad_object_id)
        self._read.pop(aad_object_id)
        self._asked_absent.pop(aad_object_id)

    def _kept(self, aad_object_id: str, data: dict[str, Any]) -> None:
        self._written.put(aad_object_id, data)
        self._read.put(aad_object_id, data)
        self._asked_absent.pop(aad_object_id)
        self._saw(data)

    def _saw(self, data: dict[str, Any] | None) -> None:
        url = str(((data or {}).get("reference") or {}).get("serviceUrl") or "")
        if url:
            self.service_url = url

    async def reference(self, aad_object_id: str) -> dict[str, Any] | None:
        if self._asked_absent.pop(aad_object_id):
            return None  # the send right after asking their language: nobody, as just read
        doc = await self._user(aad_object_id)
        return dict(doc["reference"]) if doc else None

    async def locale(self, aad_object_id: str) -> str:
        """The person's stored locale, "" when unknown (the Languages port of the services)."""
        doc = await self._user(aad_object_id)
        if doc is None:
            self._asked_absent.put(aad_object_id, True)
        return str(doc.get("locale") or "") if doc else ""

    async def _user(self, aad_object_id: str) -> dict[str, Any] | None:
        cached = self._read.get(aad_object_id)
        if cached is not None:
            return cached
        data = await References(self.store).user(aad_object_id)
        if data is None:
            return None  # not remembered: the person may write to the bot any moment
        self._read.put(aad_object_id, data)
        self._saw(data)
        return data


def _user_doc(aad_object_id: str, reference: dict[str, Any], locale: str | None) -> dict[str, Any]:
    return {"aad_object_id": aad_object_id, "reference": reference, "locale": locale or ""}


async def remember_user(store: Store, aad_object_id: str, reference: dict[str, Any], locale: str | None = None) -> None:
    refs = References(store)
    current = await refs.user(aad_object_id)
    if not locale and current:
        locale = str(current.get("locale") or "")  # a turn without a locale keeps the stored one
    data = _user_doc(aad_object_id, reference, locale)
    if current == data:
        return  # unchanged: no write on every message
    await refs.put_user(aad_object_id, data)
