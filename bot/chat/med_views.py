"""What a MED card shows, as typed views: built by the MED services, drawn by cards/med.py.

Here, not in cards/, so that services can build them without importing cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.guideline.med import MedEvaluation, MedFigures, MedPeriod


@dataclass(frozen=True)
class MedCardView:
    unit: str
    period: MedPeriod
    figures: MedFigures
    evaluation: MedEvaluation
    zone: ZoneInfo
    notice: str = ""
    plan_link: str | None = None  # the unit's local guideline and action plan
    in_chat: bool = False  # sent to the leader's chat: the unit has no MED channel
    warning: bool = False  # the notice says why an action was refused


@dataclass(frozen=True)
class OverviewRow:
    """One workplace in HR's overview."""

    unit: str
    evaluation: MedEvaluation
    has_channel: bool
    has_plan: bool
    reachable: bool  # a channel, or a leader whose chat gets the reminder
