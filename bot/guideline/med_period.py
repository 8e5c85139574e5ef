"""MED half-years: when the evaluation reminder goes out and which period it covers.

The guideline asks each workplace to evaluate its handling at MED meetings twice a year. The
schedule is a tuple of (month, day) reminder dates, by default 1 March and 1 September. Each
reminder date closes the period that began at the previous reminder date: the reminder of
1 March 2026 covers 1 September 2025 up to (not including) 1 March 2026. Period ids name the
reminder's year and its place in the schedule: "2026-H1" is the period evaluated at the first
reminder date of 2026 (with the defaults: 1 Sep 2025 - 1 Mar 2026), "2026-H2" the one evaluated
at the second (1 Mar - 1 Sep 2026). Boundaries are local midnight; the reminder falls due at
`reminder_time` local on the reminder date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.guideline.calendar import DEFAULT_TZ

_PERIOD_ID = re.compile(r"(\d{4})-H(\d{1,2})")


@dataclass(frozen=True)
class MedPeriod:
    id: str
    start: datetime
    end: datetime
    reminder_at: datetime


@dataclass(frozen=True)
class MedSchedule:
    dates: tuple[tuple[int, int], ...] = ((3, 1), (9, 1))
    tz: str = DEFAULT_TZ
    reminder_time: time = time(9, 0)

    def __post_init__(self) -> None:
        dates = tuple(tuple(d) for d in self.dates)
        if not dates:
            raise ValueError("a MED schedule needs at least one date")
        for month, day in dates:
            date(2001, month, day)  # raises ValueError for an impossible date or 29 February
        if list(dates) != sorted(set(dates)):
            raise ValueError("MED dates must be sorted and distinct")
        object.__setattr__(self, "dates", dates)
        ZoneInfo(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def _boundaries(self, *years: int) -> list[date]:
        return [date(y, m, d) for y in years for m, d in self.dates]

    def _period(self, start: date, end: date) -> MedPeriod:
        zone = self.zone
        index = self.dates.index((end.month, end.day)) + 1
        return MedPeriod(
            id=f"{end.year}-H{index}",
            start=datetime.combine(start, time(0), tzinfo=zone),
            end=datetime.combine(end, time(0), tzinfo=zone),
            reminder_at=datetime.combine(end, self.reminder_time, tzinfo=zone),
        )

    def period_for(self, moment: datetime) -> MedPeriod:
        """The period that contains `moment` (evaluated at its end)."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        day = moment.astimezone(self.zone).date()
        bounds = self._boundaries(day.year - 1, day.year, day.year + 1)
        start = max(b for b in bounds if b <= day)
        end = min(b for b in bounds if b > day)
        return self._period(start, end)

    def previous(self, period: MedPeriod) -> MedPeriod:
        return self.period_for(period.start - timedelta(microseconds=1))

    def due_period(self, moment: datetime) -> MedPeriod:
        """The latest period whose reminder is due at `moment`."""
        candidate = self.previous(self.period_for(moment))
        return candidate if moment >= candidate.reminder_at else self.previous(candidate)

    def period_by_id(self, period_id: str) -> MedPeriod:
        match = _PERIOD_ID.fullmatch(period_id)
        if match is None or not 1 <= int(match.group(2)) <= len(self.dates):
            raise ValueError(f"unknown MED period {period_id!r}")
        month, day = self.dates[int(match.group(2)) - 1]
        end = datetime.combine(date(int(match.group(1)), month, day), time(0), tzinfo=self.zone)
        return self.period_for(end - timedelta(microseconds=1))
