"""The sender beneath the Teams side's notifier in service tests (what `TeamsSender` does):
send, update, and open a 1:1 chat with someone new at the service URL the Teams side chose.

It records into the recording notifier (tests/fakes/notifier.py), whose port has no service URL:
only the Teams side, between the two, handles one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.notifier import RecordingNotifier


class RecordingSender:
    def __init__(self, owner: RecordingNotifier) -> None:
        self._owner = owner

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        return await self._owner.send(reference, activity)

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        await self._owner.update(reference, activity_id, activity)

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        return await self._owner.open_chat(user_aad_id, tenant_id, service_url, activity)
