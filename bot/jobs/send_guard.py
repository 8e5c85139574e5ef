"""Whether the work in progress may still send: its scheduler lease and its claim must still hold.

A send can wait a long time before it goes out (a Retry-After of minutes, back-off, the rate
limiter). Meanwhile the scheduler lease this tick ran under may have passed to another instance,
or the claim on the item may have expired and been taken over. Sending then would duplicate the
other instance's message. So whoever holds a lease or a claim registers a check here for the
work it runs (a context variable: it follows the work into the tasks it starts), and the sender
calls `may_send()` right before every attempt, after any wait. A failed check raises `NotOurs`:
stop, send nothing more, and leave what is left to the instance that holds it now.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Awaitable, Callable, Iterator

Check = Callable[[], Awaitable[None]]

_checks: contextvars.ContextVar[tuple[Check, ...]] = contextvars.ContextVar("send_checks", default=())


class NotOurs(Exception):
    """The lease or claim this work ran under is gone. Not a delivery failure: nothing is retried
    or recorded as failed; the holder sends it."""


class LeaseLost(NotOurs):
    """The scheduler lease passed to another instance (or could not be renewed in time)."""


class ClaimLost(NotOurs):
    """The claim on the item expired and another delivery took it over."""


@contextlib.contextmanager
def guarded(check: Check, *, alone: bool = False) -> Iterator[None]:
    """Run the block with `check` added to the checks every send in it must pass; `alone` drops
    the checks of the surrounding work (a scheduler tick answers to its own lease only)."""
    token = _checks.set((check,) if alone else (*_checks.get(), check))
    try:
        yield
    finally:
        _checks.reset(token)


async def may_send() -> None:
    """Raise NotOurs if a lease or claim the current work runs under no longer holds."""
    for check in _checks.get():
        await check()


def lease_lost(error: BaseException) -> bool:
    """Whether an exception (or an exception group from concurrent sends) is a lost lease."""
    if isinstance(error, LeaseLost):
        return True
    if isinstance(error, BaseExceptionGroup):
        return error.subgroup(LeaseLost) is not None
    return False
