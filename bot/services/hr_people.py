"""Who HR is right now: the object ids configured by hand plus the users of HR's Entra group.

Every HR message (a case without a leader, an unreachable leader, escalations, MED notices)
goes to this list. HR may be configured only as a group (`HR_GROUP_ID`): the group is expanded
through the directory (Graph, paged and cached there) each time, so a person who joins or leaves
HR is seen within the cache's lifetime. When the group cannot be read and nobody is configured
by hand, `HrUnavailable` is raised: the caller must keep its message pending, never record it as
delivered to nobody.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.directory.model import Directory, DirectoryUnavailable
from bot.errors import DeliveryFailed

log = logging.getLogger(__name__)


class HrUnavailable(DeliveryFailed):
    """HR's group could not be read and no HR person is configured by hand."""


class HrPeople:
    def __init__(self, ids: Iterable[str], group_id: str, directory: Directory) -> None:
        self._ids = frozenset(i.lower() for i in ids)
        self._group_id = group_id
        self._directory = directory

    @property
    def configured(self) -> bool:
        return bool(self._ids or self._group_id)

    async def ids(self) -> list[str]:
        """HR's object ids, sorted; may be empty (an empty group). Raises HrUnavailable."""
        people = set(self._ids)
        if self._group_id:
            try:
                people |= await self._directory.group_members(self._group_id)
            except DirectoryUnavailable as exc:
                if not people:
                    raise HrUnavailable("HR's group could not be read") from exc
                log.warning("HR group unreadable; using the HR people configured by hand")
        return sorted(people)
