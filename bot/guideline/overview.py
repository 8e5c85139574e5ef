"""Case lists for leaders and HR: what is due next on each case, overdue cases first.

Pure, so "Mine sager" and HR's overview order cases the same way and the order is tested
without I/O. The next due item is the acknowledgement while it is owed, else the open step (or
scheduled follow-up) with the earliest deadline; a step whose deadline is paused while the case
waits for the employee's answer is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.guideline.acknowledgement import ack_owed, ack_schedule
from bot.guideline.model import FOLLOWUP_STEPS, Case, StepId, StepStatus
from bot.guideline.policy import DeadlinePolicy


@dataclass(frozen=True)
class NextDue:
    step: StepId | None  # None: the leader's acknowledgement of the case
    due_at: datetime
    overdue: bool


def next_due(case: Case, now: datetime, policy: DeadlinePolicy) -> NextDue | None:
    """The earliest thing the case waits for from its leader, or None (nothing dated)."""
    candidates: list[tuple[datetime, int, StepId | None]] = []
    schedule = ack_schedule(case, policy)
    if schedule is not None and ack_owed(case):
        candidates.append((schedule.ack_by, -1, None))
    for index, (step_id, state) in enumerate(case.steps.items()):
        scheduled = step_id in FOLLOWUP_STEPS and state.status is StepStatus.IN_PROGRESS
        waiting = state.status is StepStatus.OPEN or scheduled
        # A deadline paused while the case waits for the employee is not the leader's to meet now.
        if waiting and state.due_at is not None and not case.paused(step_id):
            candidates.append((state.due_at, index, step_id))
    if not candidates:
        return None
    due_at, _index, step = min(candidates, key=lambda c: (c[0], c[1]))
    return NextDue(step, due_at, due_at < now)


def by_urgency(cases: Iterable[Case], now: datetime, policy: DeadlinePolicy) -> list[tuple[Case, NextDue | None]]:
    """Overdue first (longest overdue on top), then by the next deadline, then undated by age."""

    def key(pair: tuple[Case, NextDue | None]) -> tuple[int, datetime, datetime, str]:
        case, due = pair
        if due is None:
            return (2, case.created_at, case.created_at, case.id)
        return (0 if due.overdue else 1, due.due_at, case.created_at, case.id)

    return sorted(((case, next_due(case, now, policy)) for case in cases), key=key)
