"""Activities already taken: Teams re-sends an activity whose turn took over 15 seconds.

A repeated activity id must not be processed twice (the files downloaded again, every answer
given twice). The ids live in the store, so a re-send that reaches another instance is recognised
too: one small document per conversation, holding the last `keep` ids, written with the ETag.
Bounded per conversation; a conversation's document costs what a conversation reference costs.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.services.docs import Unchanged, update
from bot.storage.store import Store


def seen_name(conversation_id: str) -> str:
    # Conversation ids hold ':' '@' ';' and more: name the document by a digest.
    return f"seen/{hashlib.sha256(conversation_id.encode()).hexdigest()[:40]}.json"


class SeenActivities:
    def __init__(self, store: Store, keep: int = 64) -> None:
        self._store = store
        self._keep = keep

    async def first_time(self, conversation_id: str, activity_id: str) -> bool:
        """Record the id; False when it was recorded before (a re-send)."""
        activity_id = activity_id[:200]

        def add(current: dict[str, Any] | None) -> tuple[dict[str, Any], bool]:
            ids = [str(i) for i in (current or {}).get("ids", [])]
            if activity_id in ids:
                raise Unchanged
            ids.append(activity_id)
            return {"ids": ids[-self._keep :]}, True

        return bool(await update(self._store, seen_name(conversation_id), add))
