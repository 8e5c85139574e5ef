"""Deadline policy: the numbers a municipality may tune without touching the rules.

Why a value object: the guideline says "straks" (at once) and gives no numbers, so every
deadline, reminder and escalation delay is configuration, validated once at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.guideline.calendar import DEFAULT_EXTRA_DAYS, DEFAULT_TZ


@dataclass(frozen=True)
class DeadlinePolicy:
    """Deadlines and reminder timing.

    - immediate_working_days: the immediate steps are due at closing time on this working day after
      the day the clock starts (1: the end of the next working day).
    - office_start, office_end: office hours (local time) on working days; "straks" is counted in them.
    - ack_working_hours: office hours the leader has to acknowledge a new case before the deputy is
      brought in; the same time again before HR is told.
    - remind_after_overdue_hours: an open step is reported overdue this long after its deadline.
    - escalate_after_days: working days past the deadline before HR and the leader's manager hear.
    - checkin_after_followup_days: working days after the follow-up with the employee before the
      bot asks the employee how things are.
    - offer_reminder_days: working days between the reminders to an employee who has not answered
      the offer to take part in the police report (at most two reminders).
    - removal_recheck_days: days (calendar) after a takedown request, or the last "still there",
      before the leader is asked whether the content is gone.
    - followup_reminder_time: local time of day at which date-only reminders fall due.
    - max_evidence_items: the most screenshots one case may hold.
    """

    immediate_working_days: int = 1
    office_start: time = time(8, 0)
    office_end: time = time(16, 0)
    ack_working_hours: int = 2
    remind_after_overdue_hours: int = 0
    escalate_after_days: int = 3
    checkin_after_followup_days: int = 1
    offer_reminder_days: int = 1
    removal_recheck_days: int = 3
    followup_reminder_time: time = time(8, 0)
    tz: str = DEFAULT_TZ
    extra_holidays: frozenset[tuple[int, int]] = field(default=DEFAULT_EXTRA_DAYS)
    max_evidence_items: int = 30

    def __post_init__(self) -> None:
        for name in (
            "immediate_working_days",
            "remind_after_overdue_hours",
            "escalate_after_days",
            "checkin_after_followup_days",
            "offer_reminder_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.immediate_working_days < 1:
            raise ValueError("immediate_working_days must be at least 1")
        if self.removal_recheck_days < 1:
            raise ValueError("removal_recheck_days must be at least 1")
        if self.offer_reminder_days < 1:
            raise ValueError("offer_reminder_days must be at least 1")
        if self.ack_working_hours < 1:
            raise ValueError("ack_working_hours must be at least 1")
        if self.office_start.tzinfo is not None or self.office_end.tzinfo is not None:
            raise ValueError("office hours must be naive local times")
        if not self.office_start < self.office_end:
            raise ValueError("office hours must start before they end")
        if self.max_evidence_items < 1:
            raise ValueError("max_evidence_items must be at least 1")
        if self.followup_reminder_time.tzinfo is not None:
            raise ValueError("followup_reminder_time must be a naive local time")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        object.__setattr__(self, "extra_holidays", frozenset(self.extra_holidays))
        for month, day in self.extra_holidays:
            try:
                date(2001, month, day)  # a common year: 29 February would break most years
            except ValueError as exc:
                raise ValueError(f"invalid extra holiday {(month, day)!r}") from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)
