"""One dispatcher for the follow-up work a service call causes.

A service call does its one job and returns what happened: the new state and the events
(bot/services/outcomes.py). The edge hands those events here right where the user's answer no
longer needs them, and the handlers registered for each event's type (bot/services/followups.py:
notify people, update the other parties' cards, refresh MED cards) run in the background, so the
answer does not wait for them.

A failing handler is logged (by `Background`) and never stops the others. Nothing here is the only
record of anything: what must not be lost is in the store before the event is published (the case
is its own outbox: due items are claimed with the ETag, sent and recorded, and retried by the
scheduler), so a handler lost to a crash is only late.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bot.hosting.background import Background

E = TypeVar("E")
Handler = Callable[[Any], Coroutine[Any, Any, None]]


class Dispatcher:
    def __init__(self, background: Background) -> None:
        self.background = background
        self._handlers: dict[type, list[Handler]] = {}

    def on(self, kind: type[E], handler: Callable[[E], Coroutine[Any, Any, None]]) -> None:
        """Run `handler` for every published event of type `kind` (in the order registered)."""
        self._handlers.setdefault(kind, []).append(handler)

    def publish(self, *events: object) -> None:
        """Start the handlers of each event in the background; returns at once."""
        for event in events:
            for handler in self._handlers.get(type(event), ()):
                self.background.spawn(handler(event), _name(event))


def _name(event: object) -> str:
    return type(event).__name__
