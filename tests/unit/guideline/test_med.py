from dataclasses import replace
from datetime import date, datetime, time

import pytest

from bot.chat.med_views import MedCardView
from bot.guideline import (
    Anonymised,
    ApvFiled,
    ApvMeasuresSet,
    Case,
    Category,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    DeletedCounts,
    InvalidDecision,
    InvalidTransition,
    MedEvaluation,
    MedSchedule,
    MedStatus,
    MeetingKind,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    StepId,
    anonymised,
    counts_until,
    figures,
    mark_done,
    med_mark_sent,
    med_reminder_key,
    needs_followup,
    new_evaluation,
    put_on_agenda,
    reminder_due,
    units_due,
)
from bot.guideline.med_figures import hidden_count_deducible
from bot.texts import Texts
from cards.med import med_reminder_card
from tests.bot.chat import all_text
from tests.unit.guideline.builders import AS_LEADER, TZ, apply, at, offer, opened

SCHEDULE = MedSchedule()


def midnight(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=TZ)


# ---- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "period_id", "start", "end"),
    [
        (at(2026, 4, 10), "2026-H2", midnight(2026, 3, 1), midnight(2026, 9, 1)),
        (at(2026, 1, 15), "2026-H1", midnight(2025, 9, 1), midnight(2026, 3, 1)),
        (at(2026, 10, 1), "2027-H1", midnight(2026, 9, 1), midnight(2027, 3, 1)),
        (midnight(2026, 3, 1), "2026-H2", midnight(2026, 3, 1), midnight(2026, 9, 1)),
        (at(2026, 2, 28, 23, 59), "2026-H1", midnight(2025, 9, 1), midnight(2026, 3, 1)),
    ],
)
def test_period_for(moment: datetime, period_id: str, start: datetime, end: datetime) -> None:
    period = SCHEDULE.period_for(moment)
    assert (period.id, period.start, period.end) == (period_id, start, end)
    assert period.reminder_at == datetime.combine(end.date(), time(9), tzinfo=TZ)
    assert SCHEDULE.period_by_id(period_id) == period


def test_due_period_switches_at_reminder_time() -> None:
    assert SCHEDULE.due_period(at(2026, 3, 1, 8, 59)).id == "2025-H2"
    assert SCHEDULE.due_period(at(2026, 3, 1, 9)).id == "2026-H1"
    assert SCHEDULE.due_period(at(2026, 8, 31)).id == "2026-H1"
    assert SCHEDULE.due_period(at(2026, 9, 1, 9)).id == "2026-H2"


def test_custom_schedule() -> None:
    quarterly = MedSchedule(dates=((1, 15), (4, 15), (7, 15), (10, 15)))
    period = quarterly.period_for(at(2026, 5, 1))
    assert (period.id, period.start, period.end) == ("2026-H3", midnight(2026, 4, 15), midnight(2026, 7, 15))


@pytest.mark.parametrize("dates", [(), ((2, 29),), ((9, 1), (3, 1)), ((3, 1), (3, 1)), ((13, 1),)])
def test_schedule_validation(dates: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(ValueError):
        MedSchedule(dates=dates)


def test_period_by_id_validation() -> None:
    for bad in ("2026-H3", "2026", "H1-2026", "2026-H0"):
        with pytest.raises(ValueError):
            SCHEDULE.period_by_id(bad)


# ---- figures -------------------------------------------------------------------------------


def test_anonymised() -> None:
    assert anonymised(0) == Anonymised(0, 3)
    assert anonymised(1) == Anonymised(None, 3)
    assert anonymised(2).hidden and anonymised(2).text_key == "med.count.under"
    assert anonymised(3) == Anonymised(3, 3) and anonymised(3).text_key == "med.count.exact"
    assert anonymised(4, threshold=5).hidden
    with pytest.raises(ValueError):
        anonymised(-1)


def test_quiet_period_gives_zeros() -> None:
    period = SCHEDULE.period_by_id("2026-H2")
    result = figures([], "Borgerservice", period)
    assert result.total == Anonymised(0, 3)
    assert all(v == Anonymised(0, 3) for v in result.by_category.values())
    assert result.on_time_percent is None and not result.on_time_hidden
    assert result.open_apv_plans == Anonymised(0, 3)


def _case(n: int, when: datetime, category: Category = Category.THREAT, unit: str = "Borgerservice") -> Case:
    return opened(when, case_id=f"c{n}", unit=unit, category=category, occurred_at=when)


def test_figures_count_hide_and_measure() -> None:
    period = SCHEDULE.period_by_id("2026-H2")  # 1 Mar - 1 Sep 2026
    on_time = apply(
        offer(_case(1, at(2026, 3, 2)), now=at(2026, 3, 2, 12)),
        AS_LEADER,
        RemovalDecided(RemovalOutcome.REQUESTED),
        CitizenContactNotPossible(CitizenUnreachable.ANONYMOUS, "x"),
        PoliceReported("1", "Lene"),
        ApvMeasuresSet("m"),
        ApvFiled("r"),
        now=at(2026, 3, 2, 12),
    )
    late = apply(_case(2, at(2026, 3, 9)), AS_LEADER, CitizenContacted("ok"), now=at(2026, 3, 20))
    third = _case(3, at(2026, 8, 31, 23), Category.BULLYING)  # not yet due at period end
    outside = _case(4, at(2026, 9, 1, 0, 30))
    other_unit = _case(5, at(2026, 4, 1), unit="Skole")
    result = figures([on_time, late, third, outside, other_unit], "Borgerservice", period)
    assert result.period_id == "2026-H2"
    assert result.total == Anonymised(3, 3)
    assert result.by_category[Category.THREAT].hidden
    assert result.by_category[Category.BULLYING].hidden
    assert result.by_category[Category.HARASSMENT] == Anonymised(0, 3)
    # on_time: 5 steps in time; late: 5 steps late (one decided late, four never decided); third: left out.
    assert result.on_time_percent == 50
    assert not result.on_time_hidden
    # APV: filed in time (on_time) closed; late and third open; outside was created after the end.
    assert result.open_apv_plans.hidden
    few = figures([on_time, late], "Borgerservice", period)
    assert few.total.hidden and few.on_time_percent is None and few.on_time_hidden


def test_open_apv_counts_older_cases_and_filing_after_period_end() -> None:
    period = SCHEDULE.period_by_id("2026-H2")
    old = [_case(i, at(2025, 10, i)) for i in range(1, 4)]
    filed_late = [apply(c, AS_LEADER, ApvMeasuresSet("m"), ApvFiled("r"), now=at(2026, 9, 5)) for c in old]
    result = figures(filed_late, "Borgerservice", period)
    assert result.total == Anonymised(0, 3)
    assert result.open_apv_plans == Anonymised(3, 3)
    filed_early = [apply(c, AS_LEADER, ApvMeasuresSet("m"), ApvFiled("r"), now=at(2026, 5, 5)) for c in old]
    assert figures(filed_early, "Borgerservice", period).open_apv_plans == Anonymised(0, 3)


def _history() -> list[Case]:
    """Cases over three years: APV filed in their own half-year, filed years later, never filed."""
    cases = []
    for n in range(36):
        opened_at = at(2024 + n // 12, 1 + n % 12, 1 + n % 27)
        case = _case(n, opened_at, list(Category)[n % len(Category)])
        if n % 3 == 0:
            case = apply(
                case, AS_LEADER, ApvMeasuresSet("m"), ApvFiled("r"), now=at(opened_at.year, opened_at.month, 28)
            )
        elif n % 3 == 1 and opened_at.year < 2026:
            case = apply(case, AS_LEADER, ApvMeasuresSet("m"), ApvFiled("r"), now=at(2026, 10, 2))
        cases.append(case)
    return cases


def test_counts_until_keeps_every_case_a_period_counts() -> None:
    """The figures of every half-year are the same from all cases and from those whose
    `counts_until` is open or not before the period's start (what the index returns)."""
    cases = _history()
    assert any(counts_until(c) is None for c in cases) and any(counts_until(c) is not None for c in cases)
    for period_id in ("2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2", "2027-H1"):
        period = SCHEDULE.period_by_id(period_id)
        kept = [c for c in cases if (until := counts_until(c)) is None or until >= period.start]
        assert len(kept) < len(cases) or period_id == "2024-H1"
        assert figures(kept, "Borgerservice", period) == figures(cases, "Borgerservice", period)


def test_counts_until_is_open_while_the_apv_plan_is_and_then_the_later_of_opening_and_filing() -> None:
    case = _case(1, at(2026, 3, 2))
    assert counts_until(case) is None
    filed = apply(case, AS_LEADER, ApvMeasuresSet("m"), ApvFiled("r"), now=at(2026, 9, 5))
    assert counts_until(filed) == filed.step(StepId.APV_PLAN).decided_at


# ---- evaluations ---------------------------------------------------------------------------


def test_evaluation_lifecycle_and_history() -> None:
    ev = new_evaluation("Borgerservice", "2026-H1")
    assert ev.status is MedStatus.PENDING
    sent = med_mark_sent(ev, at(2026, 3, 1, 9))
    assert (sent.status, sent.sent_at, sent.revision) == (MedStatus.SENT, at(2026, 3, 1, 9), 2)
    assert med_mark_sent(sent, at(2026, 3, 2)) is sent
    agenda = put_on_agenda(sent, date(2026, 3, 20), "u-med", at(2026, 3, 3))
    assert (agenda.status, agenda.meeting_date) == (MedStatus.ON_AGENDA, date(2026, 3, 20))
    assert put_on_agenda(agenda, date(2026, 3, 20), "u-med", at(2026, 3, 4)) is agenda
    moved = put_on_agenda(agenda, date(2026, 3, 27), "u-med", at(2026, 3, 4))
    done = mark_done(
        moved,
        date(2026, 3, 27),
        " https://intra.example.invalid/referat ",
        "u-med",
        at(2026, 3, 27, 15),
        meeting_kind=MeetingKind.STAFF_MEETING,
        plan_reviewed=True,
    )
    assert (done.status, done.done_date, done.minutes_link, done.meeting_kind, done.plan_reviewed) == (
        MedStatus.DONE,
        date(2026, 3, 27),
        "https://intra.example.invalid/referat",
        MeetingKind.STAFF_MEETING,
        True,
    )
    assert med_mark_sent(done, at(2026, 3, 28)) is done
    assert [(h.action, h.before, h.after, h.actor) for h in done.history] == [
        ("sent", MedStatus.PENDING, MedStatus.SENT, None),
        ("on_agenda", MedStatus.SENT, MedStatus.ON_AGENDA, "u-med"),
        ("on_agenda", MedStatus.ON_AGENDA, MedStatus.ON_AGENDA, "u-med"),
        ("done", MedStatus.ON_AGENDA, MedStatus.DONE, "u-med"),
    ]
    with pytest.raises(InvalidTransition) as err:
        put_on_agenda(done, date(2026, 4, 1), "u-med", at(2026, 3, 28))
    assert err.value.code == "med_done"
    corrected = done_on(done, date(2026, 3, 27), "https://intra.example.invalid/ny", at(2026, 3, 28))
    assert corrected.minutes_link == "https://intra.example.invalid/ny" and corrected.status is MedStatus.DONE
    assert corrected.meeting_kind is MeetingKind.MED_MEETING and corrected.plan_reviewed is False


def done_on(ev: MedEvaluation, day: date, link: str | None, now: datetime) -> MedEvaluation:
    return mark_done(
        ev,
        day,
        link,  # type: ignore[arg-type]  # None on purpose: the missing-link test passes it
        "u-med",
        now,
        meeting_kind=MeetingKind.MED_MEETING,
        plan_reviewed=False,
    )


def test_done_straight_from_pending_records_kind_date_link_and_plan() -> None:
    done = done_on(new_evaluation("U", "2026-H1"), date(2026, 3, 5), "https://intra.example.invalid/r", at(2026, 3, 5))
    assert done.status is MedStatus.DONE
    assert done.history[-1].detail == "2026-03-05 med_meeting plan_reviewed=false https://intra.example.invalid/r"


@pytest.mark.parametrize(
    "link",
    [
        None,
        "  ",
        "http://intra.example.invalid/referat",
        "ftp://x.example.invalid/a",
        "javascript:alert(1)",
        "https://",
        "intra/referat",
        "https://a b.dk",
    ],
)
def test_minutes_link_is_required_and_https_only(link: str | None) -> None:
    with pytest.raises(InvalidDecision) as err:
        done_on(new_evaluation("U", "2026-H1"), date(2026, 3, 5), link, at(2026, 3, 5))
    assert err.value.field == "minutes_link" and err.value.code in ("not_https_link", "empty")


def test_done_needs_a_kind_of_meeting_and_the_plan_answer() -> None:
    with pytest.raises(InvalidDecision) as err:
        mark_done(
            new_evaluation("U", "2026-H1"), date(2026, 3, 5), "https://x.example.invalid/r", "u", at(2026, 3, 5),
            meeting_kind="med_meeting", plan_reviewed=True,  # type: ignore[arg-type]
        )  # fmt: skip
    assert err.value.field == "meeting_kind"
    with pytest.raises(InvalidDecision) as err:
        mark_done(
            new_evaluation("U", "2026-H1"), date(2026, 3, 5), "https://x.example.invalid/r", "u", at(2026, 3, 5),
            meeting_kind=MeetingKind.MED_MEETING, plan_reviewed="yes",  # type: ignore[arg-type]
        )  # fmt: skip
    assert err.value.field == "plan_reviewed"


def test_done_date_not_in_future() -> None:
    with pytest.raises(InvalidDecision) as err:
        done_on(new_evaluation("U", "2026-H1"), date(2026, 3, 6), "https://x.example.invalid/r", at(2026, 3, 5))
    assert err.value.code == "in_future"


def test_needs_followup() -> None:
    ev = new_evaluation("U", "2026-H1")
    assert not needs_followup(ev, at(2027, 1, 1))
    sent = med_mark_sent(ev, at(2026, 3, 1, 9))
    assert not needs_followup(sent, at(2026, 3, 15, 8, 59), weeks=2)
    assert needs_followup(sent, at(2026, 3, 15, 9), weeks=2)
    agenda = put_on_agenda(sent, date(2026, 3, 20), "u", at(2026, 3, 2))
    assert not needs_followup(agenda, at(2026, 4, 3, 23), weeks=2)
    assert needs_followup(agenda, datetime(2026, 4, 4, tzinfo=TZ), weeks=2)
    done = done_on(agenda, date(2026, 3, 20), "https://x.example.invalid/r", at(2026, 3, 20))
    assert not needs_followup(done, at(2027, 1, 1))


# ---- workplaces ----------------------------------------------------------------------------

UNITS = ["Borgerservice", "Skole"]


def test_units_due_at_reminder_and_not_twice() -> None:
    assert units_due(UNITS, set(), at(2026, 3, 1, 8, 59)) == []  # 2025-H2's reminder is months old
    assert units_due(UNITS, set(), at(2026, 3, 1, 9)) == ["borgerservice", "skole"]
    period = SCHEDULE.due_period(at(2026, 3, 1, 9))
    assert med_reminder_key(" BORGERSERVICE", period) == "med:borgerservice:2026-H1"
    assert units_due(UNITS, {"borgerservice "}, at(2026, 3, 2)) == ["skole"]  # settled under any spelling
    assert units_due(["Skole", " skole", "SKOLE"], set(), at(2026, 3, 2)) == ["skole"]  # one unit, once


def test_units_due_catch_up_window() -> None:
    assert len(units_due(UNITS, set(), at(2026, 3, 15, 9))) == 2
    assert units_due(UNITS, set(), at(2026, 3, 15, 9, 1)) == []
    assert units_due(UNITS, set(), at(2026, 4, 1), catch_up_days=40) != []
    assert units_due([], set(), at(2026, 3, 1, 9)) == []


def test_reminder_due_from_its_date_for_the_catch_up_days() -> None:
    assert not reminder_due(at(2026, 3, 1, 8, 59))  # 2025-H2's reminder is months old
    assert reminder_due(at(2026, 3, 1, 9))
    assert reminder_due(at(2026, 3, 15, 9)) and not reminder_due(at(2026, 3, 15, 9, 1))
    assert reminder_due(at(2026, 4, 1), SCHEDULE, catch_up_days=40)
    with pytest.raises(InvalidDecision):
        reminder_due(datetime(2026, 3, 1, 9))  # naive: refused


def test_evaluation_is_frozen() -> None:
    ev = new_evaluation("U", "2026-H1")
    with pytest.raises(AttributeError):
        ev.status = MedStatus.DONE  # type: ignore[misc]
    assert replace(ev, status=MedStatus.DONE).status is MedStatus.DONE


@pytest.mark.parametrize(
    ("threat", "bullying", "harassment", "deducible"),
    [
        (3, 1, 0, True),  # 4 in all, 3 threats shown: the "under 3" bullying is 1
        (3, 2, 0, True),  # 5 in all: the bullying is 2
        (2, 1, 0, False),  # 3 in all, two hidden: 2+1 or 1+2
        (1, 1, 0, True),  # total "under 3" and two categories at least 1 each: both are 1
        (1, 0, 0, False),  # total and threats both "under 3": 1 or 2
        (2, 0, 0, False),
        (3, 3, 0, False),  # nothing hidden
        (0, 0, 0, False),
    ],
)
def test_a_hidden_category_count_is_never_given_away_by_the_others(
    threat: int, bullying: int, harassment: int, deducible: bool
) -> None:
    counts = {Category.THREAT: threat, Category.BULLYING: bullying, Category.HARASSMENT: harassment}
    total = anonymised(threat + bullying + harassment)
    assert hidden_count_deducible(counts, total, 3) is deducible


def test_two_hidden_categories_that_can_only_be_one_each_are_given_away() -> None:
    counts = {Category.THREAT: 4, Category.BULLYING: 1, Category.HARASSMENT: 1}
    assert hidden_count_deducible(counts, anonymised(6), 3)  # 6 - 4 = 2 = 1 + 1


def test_figures_withhold_the_split_by_category_when_it_would_give_a_count_away() -> None:
    period = SCHEDULE.period_by_id("2026-H2")
    cases = [_case(n, at(2026, 4, n)) for n in range(1, 4)] + [_case(4, at(2026, 4, 4), Category.BULLYING)]
    result = figures(cases, "Borgerservice", period)
    assert result.total == Anonymised(4, 3)
    assert result.categories_withheld and not result.by_category  # not "3 threats, under 3 bullying, 0"
    card = all_text(
        med_reminder_card(
            Texts("da"), MedCardView("Borgerservice", period, result, new_evaluation("Borgerservice", period.id), TZ)
        )
    )
    assert "Fordelt på kategorier" in card and "Digital mobning" not in card
    kept = figures(cases[:2] + cases[3:], "Borgerservice", period)  # 2 threats, 1 bullying: 2+1 or 1+2
    assert not kept.categories_withheld and kept.by_category[Category.BULLYING].hidden


def test_figures_count_the_cases_erased_in_the_period_under_the_same_rules() -> None:
    period = SCHEDULE.period_by_id("2026-H2")
    cases = [replace(_case(n, at(2026, 4, n)), number=f"KH-{n}") for n in range(1, 4)]
    # One threat erased: 3 kept + 1 counted = 4 threats, shown.
    erased = DeletedCounts({Category.THREAT: 1}, frozenset({"KH-9"}))
    result = figures(cases, "Borgerservice", period, deleted=erased)
    assert result.total == Anonymised(4, 3) and result.by_category[Category.THREAT] == Anonymised(4, 3)
    # A case counted while its deletion is still under way (still stored) counts once.
    under_way = DeletedCounts({Category.THREAT: 1}, frozenset({"KH-1"}))
    assert figures(cases, "Borgerservice", period, deleted=under_way).total == Anonymised(3, 3)
    # The erased ones alone are under the threshold: hidden, never shown as their number.
    alone = figures([], "Borgerservice", period, deleted=DeletedCounts({Category.BULLYING: 2}))
    assert alone.total.hidden and alone.on_time_hidden
    # 3 threats kept + 1 bullying erased: "under 3" bullying would be given away by the total.
    mixed = figures(cases, "Borgerservice", period, deleted=DeletedCounts({Category.BULLYING: 1}))
    assert mixed.total == Anonymised(4, 3) and mixed.categories_withheld
    with pytest.raises(ValueError):
        DeletedCounts({Category.THREAT: -1})
