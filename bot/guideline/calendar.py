"""Danish working days: public holidays and deadlines counted in working days.

Why: the guideline says the leader must act "straks" (at once); the bot turns that into a
deadline of N working days, and a deadline that lands on a holiday is useless to a municipal
leader. Everything is computed from the year (Easter by the Gregorian computus), so no table
needs updating.

Statutory holidays: Nytårsdag, Skærtorsdag, Langfredag, Påskedag, 2. påskedag, Store Bededag
(only before 2024: abolished from 2024), Kristi Himmelfartsdag, Pinsedag, 2. pinsedag, Juledag,
2. juledag. Danish municipalities also treat Grundlovsdag (5 June), Juleaftensdag (24 December)
and Nytårsaftensdag (31 December) as days off; those are a configurable set of (month, day)
pairs, `DEFAULT_EXTRA_DAYS`.

Deadline semantics (`add_working_days`): the same local clock time on the nth working day after
the moment's local date. A report on Friday 14:30 with n=1 is due Monday 14:30 (Tuesday, if
Monday is 2. påskedag). The target is always a weekday and Danish clock changes happen on
Sundays, so the local time always exists exactly once on the target day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Copenhagen"

# Grundlovsdag, Juleaftensdag, Nytårsaftensdag: days off by agreement, not by statute.
DEFAULT_EXTRA_DAYS: frozenset[tuple[int, int]] = frozenset({(6, 5), (12, 24), (12, 31)})

STORE_BEDEDAG_LAST_YEAR = 2023


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm)."""
    golden = year % 19
    century, year_in_century = divmod(year, 100)
    leap_c, rem_c = divmod(century, 4)
    g = (century - (century + 8) // 25 + 1) // 3
    epact = (19 * golden + century - leap_c - g + 15) % 30
    leap_y, rem_y = divmod(year_in_century, 4)
    weekday_shift = (32 + 2 * rem_c + 2 * leap_y - epact - rem_y) % 7
    correction = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * correction + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def _holidays(year: int, extra_days: frozenset[tuple[int, int]]) -> dict[date, str]:
    easter = easter_sunday(year)
    days: dict[date, str] = {
        date(year, 1, 1): "Nytårsdag",
        easter - timedelta(days=3): "Skærtorsdag",
        easter - timedelta(days=2): "Langfredag",
        easter: "Påskedag",
        easter + timedelta(days=1): "2. påskedag",
        easter + timedelta(days=39): "Kristi Himmelfartsdag",
        easter + timedelta(days=49): "Pinsedag",
        easter + timedelta(days=50): "2. pinsedag",
        date(year, 12, 25): "Juledag",
        date(year, 12, 26): "2. juledag",
    }
    if year <= STORE_BEDEDAG_LAST_YEAR:
        days[easter + timedelta(days=26)] = "Store Bededag"
    for month, day in sorted(extra_days):
        days.setdefault(date(year, month, day), "Fridag")
    return days


def danish_holidays(year: int, extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS) -> dict[date, str]:
    """The non-working holidays of `year` (statutory plus `extra_days`), date -> Danish name."""
    return dict(_holidays(year, frozenset(extra_days)))


def is_working_day(day: date, extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS) -> bool:
    """Monday to Friday and neither a public holiday nor one of `extra_days`."""
    if day.weekday() >= 5:
        return False
    return day not in _holidays(day.year, frozenset(extra_days))


def add_working_days(
    moment: datetime,
    n: int,
    tz: str = DEFAULT_TZ,
    extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS,
) -> datetime:
    """The same local clock time on the nth working day after `moment`'s local date.

    n=0 returns `moment` unchanged. The result is in the zone `tz`.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    if n < 0:
        raise ValueError("n must not be negative")
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    if n == 0:
        return local
    extra = frozenset(extra_days)
    day = local.date()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day, extra):
            counted += 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=zone, fold=0)


# ---- office hours ----------------------------------------------------------------------------
# Why: "straks" (at once) is measured in the hours a leader is at work. A report at 22:55 starts
# the clock when the office opens next; two working hours from Friday 15:00 end on Monday 09:00
# (with office hours 08:00-16:00). Office hours never span a clock change (those happen at night
# on Sundays), so wall-clock arithmetic inside one office day is exact.


def _office_day(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, start, zone), datetime.combine(day, end, zone)


def _check_office(moment: datetime, start: time, end: time) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be timezone-aware")
    if not start < end:
        raise ValueError("office hours must start before they end")


def office_clock_start(
    moment: datetime,
    start: time,
    end: time,
    tz: str = DEFAULT_TZ,
    extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS,
) -> datetime:
    """When a clock counted in office hours starts for something that happens at `moment`:
    `moment` itself inside office hours on a working day, else the next office-hours start."""
    return add_office_time(moment, timedelta(0), start, end, tz, extra_days)


def add_office_time(
    moment: datetime,
    amount: timedelta,
    start: time,
    end: time,
    tz: str = DEFAULT_TZ,
    extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS,
) -> datetime:
    """`moment` plus `amount` of office time (working days, between `start` and `end` local time).

    Time outside office hours does not count. An amount that ends exactly at closing time ends
    at closing time, not at the next opening. The result is in the zone `tz`.
    """
    _check_office(moment, start, end)
    if amount < timedelta(0):
        raise ValueError("amount must not be negative")
    zone = ZoneInfo(tz)
    extra = frozenset(extra_days)
    local = moment.astimezone(zone)
    day = local.date()
    remaining = amount
    while True:
        if is_working_day(day, extra):
            opens, closes = _office_day(day, start, end, zone)
            begin = max(opens, local)
            if begin < closes:
                if begin + remaining <= closes:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)


def end_of_working_day(
    moment: datetime,
    n: int,
    end: time,
    tz: str = DEFAULT_TZ,
    extra_days: Iterable[tuple[int, int]] = DEFAULT_EXTRA_DAYS,
) -> datetime:
    """Closing time (`end`, local) on the nth working day after `moment`'s local date."""
    if n < 1:
        raise ValueError("n must be at least 1")
    zone = ZoneInfo(tz)
    day = add_working_days(moment, n, tz, extra_days).date()
    return datetime.combine(day, end, zone)
