"""Conversation references, stored so the bot can message people and channels proactively.

Written on install and on each message; read by the sender. Plain JSON dicts (the Bot Framework
ConversationReference shape), so this module needs no botbuilder import.
"""

from __future__ import annotations

import re
from typing import Any

from bot.services.docs import upsert
from bot.storage.store import Store

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _safe(part: str) -> str:
    """Ids from Teams are data, not paths: keep only a conservative character set."""
    cleaned = _SAFE.sub("_", part)[:200]
    if not cleaned or cleaned in (".", ".."):
        raise ValueError("empty id")
    return cleaned


def user_ref_name(aad_object_id: str) -> str:
    return f"refs/users/{_safe(aad_object_id.lower())}.json"


def channel_ref_name(team_id: str, channel_id: str) -> str:
    return f"refs/channels/{_safe(team_id)}/{_safe(channel_id)}.json"


class ReferenceBook:
    """Remembers conversation references; a small in-process memory of what was last written
    saves a store round trip on every message (another instance writing the same value is harmless)."""

    def __init__(self, store: Store, memory: int = 10_000) -> None:
        self.store = store
        self._written: dict[str, dict[str, Any]] = {}
        self._memory = memory

    async def remember(self, aad_object_id: str, reference: dict[str, Any], locale: str | None = None) -> None:
        data = {"aad_object_id": aad_object_id, "reference": reference, "locale": locale or ""}
        if self._written.get(aad_object_id) == data:
            return
        await remember_user(self.store, aad_object_id, reference, locale)
        if len(self._written) >= self._memory:
            self._written.clear()
        self._written[aad_object_id] = data


async def remember_user(store: Store, aad_object_id: str, reference: dict[str, Any], locale: str | None = None) -> None:
    data = {"aad_object_id": aad_object_id, "reference": reference, "locale": locale or ""}
    current = await store.get(user_ref_name(aad_object_id))
    if current and current.data == data:
        return  # unchanged: no write on every message
    await upsert(store, user_ref_name(aad_object_id), data)


async def user_locale(store: Store, aad_object_id: str) -> str:
    doc = await store.get(user_ref_name(aad_object_id))
    return str(doc.data.get("locale") or "") if doc else ""


async def user_reference(store: Store, aad_object_id: str) -> dict[str, Any] | None:
    doc = await store.get(user_ref_name(aad_object_id))
    return dict(doc.data["reference"]) if doc else None
