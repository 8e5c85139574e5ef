"""Who someone is to the bot, for what it shows them (`hjælp`); never for what they may do.

What a person may do on a case is decided by the domain from the case itself. This only answers
"should the help show the leader's part": someone who leads or deputises on any case, open or
closed, or whom the directory knows as a leader.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.directory import Directory, DirectoryUnavailable
from bot.repositories.cases import CaseRepository

log = logging.getLogger(__name__)


def leader_check(cases: CaseRepository, directory: Directory) -> Callable[[str], Awaitable[bool]]:
    async def is_leader(aad_object_id: str) -> bool:
        if not aad_object_id:
            return False
        if await cases.leads_any(aad_object_id):
            return True
        try:
            return await directory.is_leader(aad_object_id)
        except DirectoryUnavailable:
            log.warning("directory unavailable for the leader check")
            return False

    return is_leader
