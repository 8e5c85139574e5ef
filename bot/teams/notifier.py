"""The services' Notifier port for Teams: people by their Entra object id.

The services say *who* (a person's AAD object id) and hand a message as JSON; this edge resolves
the person to their stored 1:1 conversation reference (bot/teams/reference_book.py, written on every
personal turn) and sends through `TeamsSender`. Someone who never wrote to the bot gets a new 1:1
chat: Teams creates it from their Entra id and the tenant, at a Bot Framework service URL this
side knows (`service_url`): the chat of the person given as `open_from` (the case's reporter),
else the last reference the reference book or the channel book saw (a turn, a MED unit record
read), else the stored chat of one of `service_url_from` (HR), else any registered MED channel.
Conversation references and their `serviceUrl` stay on this side.

A person's stored chat that Teams answers with 403/404 (the app removed, the chat gone) is
forgotten (`ReferenceBook.forget`, only while it is still the stored one), so the next attempt
is like for someone who never wrote to the bot: a new chat, or, when Teams refuses that too, the
services' fallback (a leader's case goes to HR). The uninstall event deletes it the same way;
this covers an event missed, or another instance still holding the reference in memory.

Channels are named by their team and channel id: the channel book (bot/teams/channel_book.py)
finds the reference. See docs/architecture.md, "The Notifier port".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from bot.errors import DeliveryFailed, NotReachable
from bot.teams.channel_book import ChannelBook
from bot.teams.reference_book import ReferenceBook


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
        service_url_from: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        self.sender = sender
        self.references = references
        self.tenant_id = tenant_id
        self.channels = channels
        self.service_url_from = service_url_from  # people likely to have a chat (HR), asked last
        self._looking = asyncio.Lock()  # chats opened side by side look for a service URL once

    # -- people ------------------------------------------------------------------------------------
    async def to_person(
        self, person: str, activity: Mapping[str, Any], *, open_from: str | None = None
    ) -> tuple[Mapping[str, Any], str]:
        """Returns the reference it was sent into (the services keep it, unread, to update the
        message in place: in the conversation it was sent to, whatever the person's chat is later)."""
        reference = await self.references.reference(person)
        if reference is not None:
            try:
                return reference, await self.sender.send(reference, activity)
            except DeliveryFailed as error:
                if error.gone:
                    await self.references.forget(person, dict(reference))
                raise
        service_url = await self.service_url(open_from)
        if not service_url:
            raise NotReachable(person)
        reference, activity_id = await self.sender.send_to_user(person, self.tenant_id, service_url, activity)
        # One create-only write, no read: what the person's own turn stored meanwhile is kept.
        await self.references.remember_opened(person, reference)
        return reference, activity_id

    async def service_url(self, open_from: str | None = None) -> str:
        """Where Teams takes this bot's messages, which it needs to open a chat with someone new;
        "" when no stored conversation says. Known in memory after any turn or MED unit record
        read, so a round that opens many chats reads nothing more for it."""
        source = await self.references.reference(open_from) if open_from else None
        url = str((source or {}).get("serviceUrl") or "") or self._seen()
        if url:
            return url
        async with self._looking:
            url = self._seen()  # found by another send while this one waited
            for person in () if url else self.service_url_from():
                url = str((await self.references.reference(person) or {}).get("serviceUrl") or "")
                if url:
                    break
            if not url and self.channels is not None:
                url = await self.channels.any_service_url()
        return url

    def _seen(self) -> str:
        return self.references.service_url or (self.channels.service_url if self.channels else "")

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

    # -- where an earlier send went --------------------------------------------------------------------
    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        return await self.sender.send(reference, activity)

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        await self.sender.update(reference, activity_id, activity)
