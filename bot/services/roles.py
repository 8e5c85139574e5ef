"""Who someone is to the bot, for what it shows them (`hjælp`); never for what they may do.

What a person may do on a case is decided by the domain from the case itself. This only answers
"should the help show the leader's part": someone who leads or deputises on any case, open or
closed, or whom the directory knows as a leader.

The answer is remembered per person for a few minutes (`LeaderCheck`). Asking the case index is
four tag queries (leader and deputy, open and closed), and for most people, who lead nothing, all
four come back empty: on every `hjælp`, that was the one part of a turn with nothing to do with
history whose cost grew with the store (Azurite answers a tag query by going through every blob).
A case this instance writes naming someone leader or deputy updates the memory at once
(`CaseRepository.named`); one written on another instance shows within `remember_for`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.directory import Directory, DirectoryUnavailable
from bot.repositories.cases import CaseRepository
from bot.services.bounded import Expiring

log = logging.getLogger(__name__)

REMEMBER_FOR = 300.0  # seconds an answer is reused
MEMORY = 10_000  # people remembered (least recently asked go first)


class LeaderCheck:
    """`await check(aad_object_id)`: whether the help shows the leader's part. It asks the
    repository to tell it of every leader and deputy it writes (`CaseRepository.named`)."""

    def __init__(
        self,
        cases: CaseRepository,
        directory: Directory,
        *,
        remember_for: float = REMEMBER_FOR,
        memory: int = MEMORY,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cases = cases
        self._directory = directory
        self._answers: Expiring[str, bool] = Expiring(
            memory, "help audience", expire_after=remember_for, clock=monotonic
        )  # dropped when they expire: a stream of new people fills it to what 5 minutes meet
        cases.named.append(self.named)

    async def __call__(self, aad_object_id: str) -> bool:
        if not aad_object_id:
            return False
        key = aad_object_id.lower()
        known = self._answers.get(key)
        if known is not None:
            return known
        if await self._cases.leads_any(aad_object_id):
            answer = True
        else:
            try:
                answer = await self._directory.is_leader(aad_object_id)
            except DirectoryUnavailable:
                log.warning("directory unavailable for the leader check")
                return False  # not remembered: asked again next time
        self._answers.put(key, answer)
        return answer

    def named(self, aad_object_id: str) -> None:
        """A case written here names the person leader or deputy: they lead from now on."""
        if aad_object_id and aad_object_id != "none":
            self._answers.put(aad_object_id.lower(), True)
