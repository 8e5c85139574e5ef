"""The conversation reference of an incoming activity, as botbuilder makes it, without msrest each turn.

Every personal turn stores the sender's reference for later proactive messages (the store is only
written when it changed). botbuilder makes it with `TurnContext.get_conversation_reference` and
msrest's `serialize`, a walk of five models on every turn for a result that is the same for every
message in a chat. Here it is made once per distinct sender, bot, chat, channel, locale and service
URL (everything it is made of but the message id, which is left out) and kept as JSON; each turn
gets its own copy. It is kept while the chat is in use: dropped `IDLE` seconds after its last turn
(a miss costs one msrest walk, ~0.3 ms), so under a steady stream of new people it holds the last
minutes' chats, not the last 4,096.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.services.bounded import Expiring

IDLE = 120.0  # seconds after a chat's last turn that its reference is kept


class TurnReferences:
    def __init__(self, size: int = 4096, idle: float = IDLE, clock: Callable[[], float] = time.monotonic) -> None:
        self._known: Expiring[str, str] = Expiring(size, "turn references", expire_after=idle, idle=True, clock=clock)

    def of(self, activity: Activity) -> dict[str, Any]:
        """botbuilder's reference for the activity, serialised by msrest, without "activityId"."""
        key = repr(
            (
                _fields(activity.from_property),
                _fields(activity.recipient),
                _fields(activity.conversation),
                activity.channel_id,
                activity.locale,
                activity.service_url,
            )
        )
        known = self._known.get(key)
        if known is None:
            reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
            # The message's own id changes every turn and is no use for a later proactive message.
            reference.pop("activityId", None)
            known = json.dumps(reference)
            self._known.put(key, known)
        copy: dict[str, Any] = json.loads(known)
        return copy


def _fields(model: Any) -> Any:
    """A model's attribute values (plain data in botbuilder's account models), for the key."""
    return None if model is None else sorted(vars(model).items())
