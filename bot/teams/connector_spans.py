"""A dependency span for each Bot Connector call a turn makes while it answers (its replies).

Proactive messages are spanned by the sender, once per attempt. Replies within a turn go through
botbuilder's own connector client, and botbuilder's send hooks run before the send rather than
around it, so the client's operations are wrapped instead: one span per call, named by the
operation, never with the conversation id or the service URL (both identify a person's chat).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from bot.hosting.telemetry import METRICS, Telemetry

CATEGORY = "bot-connector"
_OPERATIONS = ("reply_to_activity", "send_to_conversation", "update_activity", "delete_activity", "create_conversation")


def traced(client: Any, telemetry: Telemetry = METRICS) -> Any:
    """The same connector client, its conversation operations each in a dependency span."""
    operations = getattr(client, "conversations", None)
    if operations is None:
        return client
    for name in _OPERATIONS:
        original = getattr(operations, name, None)
        if original is not None:
            setattr(operations, name, _in_span(telemetry, name, original))
    return client


def _in_span(telemetry: Telemetry, name: str, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(call)
    async def spanned(*args: Any, **kwargs: Any) -> Any:
        with telemetry.dependency(CATEGORY, name):
            return await call(*args, **kwargs)

    return spanned
