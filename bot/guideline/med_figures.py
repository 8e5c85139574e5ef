"""Anonymous figures for a workplace's MED evaluation of one half-year.

Why anonymised: the figures are shown in a team channel. A count between 1 and threshold-1
could point at a person, so it is never shown (nor kept in the value): the Teams layer renders
the `text_key` as "under 3" / "færre end 3". Zero is shown as zero, so a quiet period gives
zeros. The on-time share is hidden whenever the case count is.

Hiding a count is not enough when the card's other numbers give it away: with 4 cases in all, 3
threats shown, "under 3" bullying and 0 harassment, the bullying count is 1. So the split by
category is withheld whole (`categories_withheld`) whenever a hidden category count could be
worked out from the total and the other categories.

"Decided within the deadline" is measured per immediate step (and the InsuBiz note when it
applied): the first decision on the step at or before its deadline. (A waiver stored before
waivers were removed was a first decision then and is still measured as one.) A step never
decided counts as late once its deadline has passed before the period's end; one that was not
yet due then is left out. Steps not applicable are left out. Time spent waiting for the
employee's answer to the police offer never counts against the leader: an ended wait has moved
the police report's deadline on by its length, and a wait still open at the period's end stops
the deadline until then.

A case erased before its period's figures are read (by HR, or by retention) is still one of the
unit's cases in the period it was opened in: what was kept of it for MED (`DeletedCounts`: its
unit, category and number, no names) counts in the total and by category, under the same
threshold and the same withholding. Its deadlines and APV plan went with it, so the on-time
share and the open plans are of the cases still kept. A case counted there but not yet gone (a
deletion under way) counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from bot.guideline.definitions import Category
from bot.guideline.med_period import MedPeriod
from bot.guideline.med_units import unit_key
from bot.guideline.model import IMMEDIATE_STEPS, Case, StepId, StepStatus

DEFAULT_THRESHOLD = 3


@dataclass(frozen=True)
class Anonymised:
    """A count safe to show: `count` is None when it was between 1 and threshold-1."""

    count: int | None
    threshold: int

    @property
    def hidden(self) -> bool:
        return self.count is None

    @property
    def text_key(self) -> str:
        return "med.count.under" if self.count is None else "med.count.exact"


def anonymised(count: int, threshold: int = DEFAULT_THRESHOLD) -> Anonymised:
    if count < 0 or threshold < 1:
        raise ValueError("count must be >= 0 and threshold >= 1")
    return Anonymised(None if 0 < count < threshold else count, threshold)


@dataclass(frozen=True)
class MedFigures:
    unit: str | None
    period_id: str
    total: Anonymised
    by_category: Mapping[Category, Anonymised]
    on_time_percent: int | None
    on_time_hidden: bool
    open_apv_plans: Anonymised
    categories_withheld: bool = False  # then `by_category` is empty: its counts would give one away


@dataclass(frozen=True)
class DeletedCounts:
    """What was kept for MED of the unit's cases erased in a period: counts by category, and the
    numbers of every case counted (so a case still stored while its deletion runs counts once)."""

    counts: Mapping[Category, int]
    numbers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if any(n < 0 for n in self.counts.values()):
            raise ValueError("a count of deleted cases is never negative")
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))


NO_DELETED = DeletedCounts({})


def hidden_count_deducible(counts: Mapping[Category, int], total: Anonymised, threshold: int) -> bool:
    """Could a reader of the card work out a category count that is shown as "under threshold"?

    What the reader knows: every shown count; that each hidden count lies in 1..threshold-1; that
    all counts add up to the total (exact when shown, else itself in 1..threshold-1). A hidden
    count is given away when it has the same value in every combination that fits."""
    hidden = [n for n in counts.values() if 0 < n < threshold]
    if not hidden:
        return False
    shown = sum(n for n in counts.values() if not 0 < n < threshold)
    sums = {total.count} if total.count is not None else set(range(1, threshold))
    combos: list[tuple[int, ...]] = [()]
    for _ in hidden:  # every value each hidden count could have (at most 3 categories)
        combos = [(*combo, n) for combo in combos for n in range(1, threshold)]
    fits = [combo for combo in combos if shown + sum(combo) in sums]
    return any(len({combo[i] for combo in fits}) <= 1 for i in range(len(hidden)))


def figures(
    cases: Iterable[Case],
    unit: str | None,
    period: MedPeriod,
    threshold: int = DEFAULT_THRESHOLD,
    deleted: DeletedCounts = NO_DELETED,
) -> MedFigures:
    """The figures of `unit` for `period`, from all the cases one has (others are ignored) and
    the counts kept of the unit's cases erased in that period (`deleted`).

    A case belongs to the unit when their canonical forms match (`med_units.unit_key`)."""
    key = unit_key(unit) if unit else None
    mine = [c for c in cases if (unit_key(c.unit) if c.unit else None) == key]
    in_period = [c for c in mine if period.start <= c.created_at < period.end]
    kept = [c for c in in_period if c.number not in deleted.numbers]
    counts = {cat: sum(1 for c in kept if c.facts.category is cat) + deleted.counts.get(cat, 0) for cat in Category}
    counted = on_time = 0
    for case in in_period:
        for step in (*IMMEDIATE_STEPS, StepId.INSUBIZ_NOTE):
            state = case.step(step)
            if state.status is StepStatus.NOT_APPLICABLE or state.due_at is None:
                continue
            if state.first_decided_at is not None:
                counted += 1
                on_time += state.first_decided_at <= state.due_at
            elif state.due_at + case.waited(step, period.end) < period.end:
                counted += 1
    open_apv = 0
    for case in mine:
        if case.created_at >= period.end:
            continue
        apv = case.step(StepId.APV_PLAN)
        settled_in_time = apv.settled and apv.decided_at is not None and apv.decided_at < period.end
        if not settled_in_time:
            open_apv += 1
    total = anonymised(sum(counts.values()), threshold)
    withheld = hidden_count_deducible(counts, total, threshold)
    percent = round(100 * on_time / counted) if counted else None
    return MedFigures(
        unit=unit,
        period_id=period.id,
        total=total,
        by_category=MappingProxyType({} if withheld else {cat: anonymised(n, threshold) for cat, n in counts.items()}),
        on_time_percent=None if total.hidden else percent,
        on_time_hidden=total.hidden,
        open_apv_plans=anonymised(open_apv, threshold),
        categories_withheld=withheld,
    )


def counts_until(case: Case) -> datetime | None:
    """The latest period start for which `figures` can count this case; None: no limit yet.

    A case counts in the period it was opened in, and as an open APV plan in every period that
    ends before its plan was settled. So the figures of a period starting at S need only the cases
    whose `counts_until` is None or at least S: an index of it answers a workplace's figures from
    its recent cases and its unsettled plans, however many years of closed cases lie behind them."""
    apv = case.step(StepId.APV_PLAN)
    if not apv.settled or apv.decided_at is None:
        return None
    return max(case.created_at, apv.decided_at)
