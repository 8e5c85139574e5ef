from datetime import UTC, date, datetime, timedelta

import pytest

from bot.guideline import DEFAULT_EXTRA_DAYS, add_working_days, danish_holidays, easter_sunday, is_working_day
from tests.unit.guideline.builders import TZ, at


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2000, date(2000, 4, 23)),
        (2019, date(2019, 4, 21)),
        (2023, date(2023, 4, 9)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday_known_years(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_easter_is_always_a_sunday_in_its_window() -> None:
    for year in range(1900, 2200):
        easter = easter_sunday(year)
        assert easter.weekday() == 6
        assert date(year, 3, 22) <= easter <= date(year, 4, 25)


def test_holidays_2026_exactly() -> None:
    assert danish_holidays(2026) == {
        date(2026, 1, 1): "Nytårsdag",
        date(2026, 4, 2): "Skærtorsdag",
        date(2026, 4, 3): "Langfredag",
        date(2026, 4, 5): "Påskedag",
        date(2026, 4, 6): "2. påskedag",
        date(2026, 5, 14): "Kristi Himmelfartsdag",
        date(2026, 5, 24): "Pinsedag",
        date(2026, 5, 25): "2. pinsedag",
        date(2026, 6, 5): "Fridag",
        date(2026, 12, 24): "Fridag",
        date(2026, 12, 25): "Juledag",
        date(2026, 12, 26): "2. juledag",
        date(2026, 12, 31): "Fridag",
    }


def test_store_bededag_only_before_2024() -> None:
    assert danish_holidays(2023)[date(2023, 5, 5)] == "Store Bededag"
    assert not is_working_day(date(2023, 5, 5))
    assert date(2024, 4, 26) not in danish_holidays(2024)
    assert is_working_day(date(2024, 4, 26))


def test_extra_days_are_configurable() -> None:
    grundlovsdag = date(2026, 6, 5)  # a Friday
    assert not is_working_day(grundlovsdag)
    assert is_working_day(grundlovsdag, extra_days=())
    assert not is_working_day(date(2026, 3, 3), extra_days={(3, 3)})
    assert (6, 5) in DEFAULT_EXTRA_DAYS


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2026, 3, 6))
    assert not is_working_day(date(2026, 3, 7))
    assert not is_working_day(date(2026, 3, 8))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (at(2026, 3, 2, 10), 1, at(2026, 3, 3, 10)),  # Monday -> Tuesday
        (at(2026, 3, 6, 14, 30), 1, at(2026, 3, 9, 14, 30)),  # Friday -> Monday
        (at(2026, 3, 7, 9), 1, at(2026, 3, 9, 9)),  # Saturday -> Monday
        (at(2026, 3, 8, 23, 59), 1, at(2026, 3, 9, 23, 59)),  # Sunday night -> Monday
        (at(2026, 4, 1, 8), 1, at(2026, 4, 7, 8)),  # before Easter -> Tuesday after 2. påskedag
        (at(2026, 5, 13, 12), 1, at(2026, 5, 15, 12)),  # over Kristi Himmelfartsdag
        (at(2026, 5, 22, 12), 1, at(2026, 5, 26, 12)),  # over Pinse
        (at(2026, 6, 4, 12), 1, at(2026, 6, 8, 12)),  # over Grundlovsdag (Friday)
        (at(2026, 12, 23, 12), 1, at(2026, 12, 28, 12)),  # over Christmas
        (at(2026, 12, 30, 12), 1, at(2027, 1, 4, 12)),  # over New Year
        (at(2023, 5, 4, 12), 1, at(2023, 5, 8, 12)),  # over Store Bededag 2023
        (at(2024, 4, 25, 12), 1, at(2024, 4, 26, 12)),  # no Store Bededag in 2024
        (at(2026, 3, 2, 10), 5, at(2026, 3, 9, 10)),  # a whole week
        (at(2026, 3, 31, 10), 3, at(2026, 4, 8, 10)),  # Easter eats three working days
    ],
)
def test_add_working_days(start: datetime, n: int, expected: datetime) -> None:
    result = add_working_days(start, n)
    assert result == expected
    assert result.astimezone(TZ).time() == expected.time()


def test_add_working_days_keeps_local_clock_across_dst() -> None:
    friday = at(2026, 3, 27, 10)  # CET, +01:00; clocks go forward Sunday 29 March
    monday = add_working_days(friday, 1)
    assert monday.utcoffset() == timedelta(hours=2)
    assert (monday.hour, monday.minute) == (10, 0)
    assert monday.astimezone(UTC) - friday.astimezone(UTC) == timedelta(days=3, hours=-1)


def test_add_working_days_uses_local_date_of_utc_moment() -> None:
    sunday_night_utc = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Monday 00:30 in Copenhagen
    assert add_working_days(sunday_night_utc, 1) == at(2026, 3, 10, 0, 30)


def test_add_working_days_with_custom_extra_days() -> None:
    assert add_working_days(at(2026, 6, 4), 1, extra_days=()) == at(2026, 6, 5)


def test_add_working_days_zero_and_errors() -> None:
    moment = at(2026, 3, 7, 9)
    assert add_working_days(moment, 0) == moment
    with pytest.raises(ValueError):
        add_working_days(moment, -1)
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 3, 2, 10), 1)
