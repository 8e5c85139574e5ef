"""A recording `Notifier` (bot/services/ports.py): what was sent, updated or opened, to whom.

For service tests without botbuilder or HTTP. It keeps every message in `sent` with who it reached
(the person's Entra object id for a chat, the team and channel for a channel post), and can be
told to fail for a person or a channel, once or always, with a permanent failure (the chat or
channel is gone) or a transient one (throttled, down), as the real sender raises them.
It does not check Teams' limits: the connector fake (tests/fakes/connector.py) does.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.errors import DeliveryFailed
from bot.storage.store import Store
from bot.teams.channel_book import ChannelBook
from bot.teams.notifier import TeamsNotifier
from bot.teams.reference_book import ReferenceBook
from tests.fakes.teams_sender import RecordingSender


class FakeDeliveryFailed(DeliveryFailed):
    """What the fake raises; `permanent` and `gone` as the real sender's failures."""

    def __init__(self, to: str, permanent: bool, gone: bool) -> None:
        super().__init__(f"delivery to {to} failed")
        self.permanent = permanent or gone
        self.gone = gone


@dataclass(frozen=True)
class Message:
    to: str  # a person's object id (lower case), or "team/channel" for a channel post
    activity: dict[str, Any]
    activity_id: str
    reference: dict[str, Any] = field(repr=False)

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        attachments = self.activity.get("attachments") or []
        return dict(attachments[0]["content"]) if attachments else None


@dataclass(frozen=True)
class Update:
    to: str
    activity_id: str
    activity: dict[str, Any]


def user_reference(aad_object_id: str, conversation_id: str | None = None) -> dict[str, Any]:
    """A stored 1:1 chat reference, shaped as the bot stores them (Bot Framework JSON)."""
    return {
        "user": {"id": f"29:{aad_object_id}", "aadObjectId": aad_object_id},
        "conversation": {"id": conversation_id or f"a:{aad_object_id}", "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": "https://smba.example.test/emea/",
    }


def channel_reference(team_id: str, channel_id: str) -> dict[str, Any]:
    """A stored team channel reference."""
    return {
        "conversation": {"id": channel_id, "conversationType": "channel", "isGroup": True},
        "channelData": {"team": {"id": team_id}, "channel": {"id": channel_id}},
        "channelId": "msteams",
        "serviceUrl": "https://smba.example.test/emea/",
    }


def recipient(reference: Mapping[str, Any]) -> str:
    """Who a reference reaches: a person's object id, or "team/channel"."""
    data = reference.get("channelData") or {}
    team, channel = (data.get("team") or {}).get("id"), (data.get("channel") or {}).get("id")
    if team and channel:
        return f"{team}/{channel}"
    user = reference.get("user") or {}
    who = user.get("aadObjectId") or user.get("aad_object_id")
    if who:
        return str(who).lower()
    return str((reference.get("conversation") or {}).get("id") or "?")


class RecordingNotifier:
    """Records by conversation reference. People (`to_person`) and channels (`to_channel`) are
    resolved by the real Teams-side `TeamsNotifier`, over `store`'s references, its channel book
    (`channels`: kept channels, and unit records from before the book) and the service URLs they
    saw, so "never wrote to the bot", "a new chat" and "no such channel" behave as in production. Beneath
    it, `RecordingSender` stands for the Teams sender (send, update, open a chat at a service URL):
    the services' port has no service URL."""

    def __init__(self, store: Store | None = None, tenant_id: str = "tenant-1") -> None:
        self.store = store
        self.tenant_id = tenant_id
        self.sent: list[Message] = []
        self.updates: list[Update] = []
        self.opened: list[str] = []  # people a chat was opened with
        # The Teams side's channel book, as app.py wires it: MedService(channel_seen=....remember)
        # tells it each unit record's channel as it is read.
        self.channels = ChannelBook(store) if store is not None else None
        self.sender = RecordingSender(self)  # for tests of the Teams side's notifier itself
        self._failing: dict[str, tuple[bool, bool, int | None]] = {}  # who -> (permanent, gone, times left)
        self._ids = itertools.count(1)

    # -- telling it what to do ---------------------------------------------------------------------
    def fail_for(self, who: str, *, permanent: bool = False, gone: bool = False, times: int | None = None) -> None:
        """Fail every delivery to `who` (an object id, or "team/channel"), or the next `times`:
        `permanent` as a refused request, `gone` as Teams' 403/404 (also permanent)."""
        self._failing[who.lower() if "/" not in who else who] = (permanent, gone, times)

    def recover(self, who: str) -> None:
        self._failing.pop(who.lower() if "/" not in who else who, None)

    # -- what happened -----------------------------------------------------------------------------
    def to(self, who: str) -> list[Message]:
        key = who.lower() if "/" not in who else who
        return [m for m in self.sent if m.to == key]

    def texts_to(self, who: str) -> list[str]:
        return [m.text for m in self.to(who)]

    # -- the port ----------------------------------------------------------------------------------
    def _people(self) -> TeamsNotifier:
        assert self.store is not None, "RecordingNotifier(store) to send to people and channels"
        # A reference book that keeps nothing: every person is read from the store, as a second
        # instance would.
        return TeamsNotifier(self.sender, ReferenceBook(self.store, read_for=0), self.tenant_id, self.channels)

    async def to_channel(
        self, team_id: str, channel_id: str, activity: Mapping[str, Any]
    ) -> tuple[Mapping[str, Any], str]:
        return await self._people().to_channel(team_id, channel_id, activity)

    async def to_person(
        self, person: str, activity: Mapping[str, Any], *, open_from: str | None = None
    ) -> tuple[Mapping[str, Any], str]:
        return await self._people().to_person(person, activity, open_from=open_from)

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        return await self._record(reference, activity)

    async def _record(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        to = recipient(reference)
        self._maybe_fail(to)
        activity_id = f"act-{next(self._ids)}"
        self.sent.append(Message(to, dict(activity), activity_id, dict(reference)))
        return activity_id

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        to = recipient(reference)
        self._maybe_fail(to)
        self.updates.append(Update(to, activity_id, dict(activity)))

    async def open_chat(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """What Teams does when the Teams side opens a chat: a new 1:1 conversation, then the post."""
        reference = user_reference(user_aad_id)
        reference["serviceUrl"] = service_url
        reference["conversation"]["tenantId"] = tenant_id
        activity_id = await self._record(reference, activity)
        self.opened.append(user_aad_id.lower())
        return reference, activity_id

    def _maybe_fail(self, to: str) -> None:
        failing = self._failing.get(to)
        if failing is None:
            return
        permanent, gone, times = failing
        if times is not None:
            if times <= 1:
                del self._failing[to]
            else:
                self._failing[to] = (permanent, gone, times - 1)
        raise FakeDeliveryFailed(to, permanent, gone)
