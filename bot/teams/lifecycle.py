"""The app's install and removal in Teams: what the bot keeps to reach a person or a channel
follows them.

Teams tells the bot when it may no longer post somewhere (checked against Microsoft's Teams
platform documentation, "Conversation events in your Teams bot"):

- A person removes the app from their personal scope: `installationUpdate` with `action`
  "remove" (or "remove-upgrade") in their personal conversation, `from.aadObjectId` the person.
  Their conversation reference is deleted; a later install (`installationUpdate` "add", then
  `conversationUpdate` with the bot in `membersAdded`) writes it again.
- The bot is removed from a team: `conversationUpdate` with the bot in `membersRemoved`
  (`channelData.eventType` "teamMemberRemoved") and `installationUpdate` "remove", both with
  `channelData.team`. The team is deleted: `conversationUpdate` with `channelData.eventType`
  "teamDeleted" (or "teamHardDeleted"). Either way the units served by the team's channels lose
  their channel (HR is told, their reminder goes to the leader's chat), then the team's channel
  references are deleted. A channel deleted (`channelDeleted`): the same for that channel alone.

Each step is idempotent: Teams sends two events for one removal, and may send one again.
"""

from __future__ import annotations

import logging

from botbuilder.schema import Activity, ActivityTypes

from bot.hosting.logs import fields
from bot.services.med import MedService
from bot.teams.channel_book import ChannelBook
from bot.teams.reference_book import ReferenceBook

log = logging.getLogger(__name__)

REMOVED = frozenset({"remove", "remove-upgrade"})
ADDED = frozenset({"add", "add-upgrade"})


def _bot_among(activity: Activity, members: list[object] | None) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    return bool(bot_id) and any(getattr(member, "id", None) == bot_id for member in members or [])


def is_install(activity: Activity) -> bool:
    """The app was just installed in this conversation (or installed again)."""
    if activity.type == ActivityTypes.installation_update:
        return activity.action in ADDED
    return activity.type == ActivityTypes.conversation_update and _bot_among(activity, activity.members_added)


def is_removal(activity: Activity) -> bool:
    """The app was removed from this conversation: nothing of it may be remembered now."""
    if activity.type == ActivityTypes.installation_update:
        return activity.action in REMOVED
    return activity.type == ActivityTypes.conversation_update and _bot_among(activity, activity.members_removed)


class Lifecycle:
    def __init__(self, references: ReferenceBook, channels: ChannelBook, med: MedService) -> None:
        self.references = references
        self.channels = channels
        self.med = med

    async def person_removed_app(self, aad_object_id: str) -> None:
        deleted = await self.references.forget(aad_object_id)
        log.info("app removed from a personal scope; reference forgotten", extra=fields(deleted=deleted))

    async def team_gone(self, team_id: str, reason: str, channel_id: str | None = None) -> None:
        """The bot can no longer post in the team (or in its one channel `channel_id`, deleted).
        The units first, then the references: a crash between leaves a reference no unit uses
        (deleted when Teams sends the event again), never a unit whose channel cannot be found."""
        units = await self.med.deactivate(team_id, channel_id, reason)
        channels = await self.channels.forget(team_id, channel_id)
        log.info("bot gone from a team or channel", extra=fields(reason=reason, units=units, channels=len(channels)))
