"""Small ports that services talk to; implementations are plugged in by app.py.

Services never import the Teams edge: they call these Protocols. Tests plug in fakes that
record what happened (see tests/fakes/).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Notifier(Protocol):
    """Delivers a prepared message (an Activity as JSON) to a person or a channel."""

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        """Send into a stored conversation; returns the activity id."""

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        """Replace a sent message (a card) in place."""

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """Create the 1:1 conversation with a user who never wrote to the bot; returns (reference, id)."""
