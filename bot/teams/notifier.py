"""The services' Notifier port for Teams: people by their Entra object id.

The services say *who* (a person's AAD object id) and hand a message as JSON; this edge resolves
the person to their stored 1:1 conversation reference (bot/services/refs.py, written on every
personal turn) and sends through `TeamsSender`. Someone who never wrote to the bot gets a new 1:1
chat: Teams creates it from their Entra id and the tenant, at the Bot Framework service named in
the chat of the person given as `open_from` (the case's reporter). Conversation references and
their `serviceUrl` stay on this side.

Channels are named by their team and channel id: the channel book (bot/teams/channel_book.py)
finds the reference. Opening a leader's chat for the MED reminder still passes a service URL
through (`send_to_user`): see docs/architecture.md, "The Notifier port".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.errors import NotReachable
from bot.services.refs import ReferenceBook
from bot.teams.channel_book import ChannelBook


class ConversationSender(Protocol):
    """What `TeamsSender` does: send into, update in and open conversations by reference."""

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str: ...

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None: ...

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]: ...


class TeamsNotifier:
    def __init__(
        self,
        sender: ConversationSender,
        references: ReferenceBook,
        tenant_id: str,
        channels: ChannelBook | None = None,
    ) -> None:
        self.sender = sender
        self.references = references
        self.tenant_id = tenant_id
        self.channels = channels

    # -- people ------------------------------------------------------------------------------------
    async def to_person(
        self, person: str, activity: Mapping[str, Any], *, open_from: str | None = None
    ) -> tuple[Mapping[str, Any], str]:
        """Returns the reference it was sent into (the services keep it, unread, to update the
        message in place: in the conversation it was sent to, whatever the person's chat is later)."""
        reference = await self.references.reference(person)
        if reference is not None:
            return reference, await self.sender.send(reference, activity)
        source = await self.references.reference(open_from) if open_from else None
        service_url = str((source or {}).get("serviceUrl") or "")
        if not service_url:
            raise NotReachable(person)
        reference, activity_id = await self.sender.send_to_user(person, self.tenant_id, service_url, activity)
        await self.references.remember(person, reference)
        return reference, activity_id

    # -- channels ----------------------------------------------------------------------------------
    async def to_channel(
        self, team_id: str, channel_id: str, activity: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], str]:
        """A new post in the channel; returns the channel's reference (kept, unread, by the
        services to update the post) and the activity id."""
        reference = await self.channels.reference(team_id, channel_id) if self.channels else None
        if reference is None:
            raise NotReachable(f"{team_id}/{channel_id}")
        return reference, await self.sender.send(reference, activity)

    # -- where an earlier send went, and opening a chat at a service URL (MED, for now) -------------
    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        return await self.sender.send(reference, activity)

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        await self.sender.update(reference, activity_id, activity)

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return await self.sender.send_to_user(user_aad_id, tenant_id, service_url, activity)
