"""What a service call did, as events the follow-up handlers act on (bot/services/dispatch.py).

The domain's own events (bot/guideline/events.py) say what one decision changed; these say what a
whole service call did, with what its handlers need and nothing of Teams: no card, no
conversation reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.guideline.events import Event
from bot.guideline.model import Case
from bot.services.med_units import Unit

if TYPE_CHECKING:
    from bot.services.notifications import FirstClaim


@dataclass(frozen=True)
class CaseSubmitted:
    """A new case was written (with the notifications it owes in it, and, with `claim`, their
    first delivery already claimed in that write)."""

    case: Case
    claim: FirstClaim | None = None


@dataclass(frozen=True)
class CaseDecided:
    """A decision changed a case: the other people's cards and what became due follow."""

    case: Case
    events: tuple[Event, ...]
    actor_id: str


@dataclass(frozen=True)
class MedEvaluationMarked:
    """A unit's evaluation changed: its reminder card where it was sent shows the new state,
    unless the change came from that very conversation (`shown_in`, a channel or chat id)."""

    unit: Unit
    shown_in: str


@dataclass(frozen=True)
class EvidencePackRequested:
    """A person on the case asked for its evidence pack: it is built and the links sent to their
    chat (`language`: the texts of the chat they asked in)."""

    case_id: str
    number: str
    person: str
    language: str


@dataclass(frozen=True)
class PersonExportRequested:
    """HR asked for everything stored about `person` (GDPR art. 15): built, then sent to HR's chat."""

    person: str
    hr_id: str
    language: str
