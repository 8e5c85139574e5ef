"""Small ports that services talk to; implementations are plugged in by app.py.

Services never import the Teams edge: they call these Protocols. Tests plug in fakes that
record what happened (see tests/fakes/).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.chat.med_views import MedCardView, OverviewRow
from bot.guideline.med import MedPeriod
from bot.guideline.model import Actor, Case
from bot.texts import Texts


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Notifier(Protocol):
    """Delivers a prepared message (an Activity as JSON) to a person or a channel.

    People are named by their Entra object id, channels by their team and channel id: the Teams
    side (bot/teams/notifier.py) finds the conversation. Both return where the message went,
    opaque to the services, kept only to `update` it in place or `send` into the same conversation.
    Where a new chat is opened, and how, is the Teams side's business (docs/architecture.md, "The
    Notifier port")."""

    async def to_person(
        self, person: str, activity: Mapping[str, Any], *, open_from: str | None = None
    ) -> tuple[Mapping[str, Any], str]:
        """Into the person's 1:1 chat with the bot. Someone who never wrote to the bot gets a new
        chat, opened where `open_from`'s chat is (the case's reporter) if given, else where the
        Teams side knows this bot is reached; bot.errors.NotReachable when it knows no such place.

        Returns where it went, opaque to the caller (kept only to `update` the message in place),
        and the activity id."""

    async def to_channel(
        self, team_id: str, channel_id: str, activity: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], str]:
        """A new post in a team channel (a MED channel the Teams side knows: registered, now or
        before; else bot.errors.NotReachable).
        Returns where it went (opaque, as `to_person`) and the activity id."""

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        """Send into the conversation an earlier `to_person` or `to_channel` returned; returns the
        activity id."""

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        """Replace a sent message (a card) in place; `reference` is where `to_person` or
        `to_channel` sent it."""


class ChannelReferences(Protocol):
    """Where the Teams side keeps MED channels' conversation references (bot/teams/channel_book.py).

    Services name a channel by its team and channel id and never hold its reference, with one
    exception: a channel record from before unit records carries one, and moving it into the new
    shape (`MedUnits.migrate`) hands it over here before the unit record is written without it."""

    async def keep(self, team_id: str, channel_id: str, reference: Mapping[str, Any]) -> None:
        """Keep the channel's reference durably, for every instance (written with the ETag; an
        equal entry is not written again, so handing the same one over twice is harmless)."""


class Languages(Protocol):
    """A person's language as Teams last told it (the Teams side keeps it with their chat):
    services write to someone in their language without seeing a conversation reference."""

    async def locale(self, aad_object_id: str) -> str:
        """The person's locale (e.g. "da-DK"), "" when unknown (then the default language)."""


class CasePainter(Protocol):
    """Draws a person's case card (bot/presenters/case_cards.py): the notifications send it, and
    services never import cards."""

    async def render(self, case: Case, actor: Actor, tx: Texts, now: datetime, *, notice: str = "") -> dict[str, Any]:
        """The case card as `actor` sees it now, with `notice` on top."""


class MedPainter(Protocol):
    """Draws the MED cards from their views (bot/presenters/med_cards.py): the MED services decide
    what a card shows, and never import cards."""

    def reminder(self, tx: Texts, view: MedCardView) -> dict[str, Any]:
        """A unit's evaluation reminder (in its channel or its leader's chat)."""

    def overview(self, tx: Texts, period: MedPeriod, rows: list[OverviewRow]) -> dict[str, Any]:
        """HR's overview of every workplace."""

    def registration(self, tx: Texts, units: list[str], notice: str = "") -> dict[str, Any]:
        """The card that registers a channel as a unit's MED channel."""

    def registered(
        self, tx: Texts, unit: str, committee: str, *, moved: bool = False, old_told: bool = True
    ) -> dict[str, Any]:
        """The answer to a registration."""
