""" "Straks" means today: a new case is acknowledged within office hours, or others are told.

The leader acknowledges a new case on the card ("Jeg har set sagen"). The clock counts office
hours on working days only and starts when the leader gets the case (at the next office-hours
start when that is outside office hours). Not acknowledged after `policy.ack_working_hours`, the
deputy is brought in (and only then sees the case); after the same time again, HR is told. With no
deputy to bring in (none known, or already on the case), HR is told at the end of that time.

Pure: the scheduler asks `bring_in_deputy_if_due` on each delivery, and the employee's receipt
shows `expectations` computed from the same numbers, so the bot promises what it does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.guideline.calendar import add_office_time, office_clock_start
from bot.guideline.events import DeputyBroughtIn, Event
from bot.guideline.model import Case, CaseStatus, DeputyInvolvement, DeputyReason, StepId
from bot.guideline.policy import DeadlinePolicy

BOT = "bot"


@dataclass(frozen=True)
class AckSchedule:
    clock_from: datetime  # when the office clock started for the current leader
    ack_by: datetime  # when the acknowledgement is due
    deputy_at: datetime | None  # when the deputy is brought in (None: nobody to bring in)
    hr_at: datetime  # when HR is told, if the case is still not acknowledged


def _office(moment: datetime, hours: int, policy: DeadlinePolicy) -> datetime:
    p = policy
    return add_office_time(moment, timedelta(hours=hours), p.office_start, p.office_end, p.tz, p.extra_holidays)


def ack_schedule(case: Case, policy: DeadlinePolicy) -> AckSchedule | None:
    """The acknowledgement's deadlines for the case's current leader (None: no leader yet)."""
    if case.leader is None:
        return None
    p = policy
    start = office_clock_start(case.ack_clock_from, p.office_start, p.office_end, p.tz, p.extra_holidays)
    ack_by = _office(start, p.ack_working_hours, p)
    deputy_can_come = case.deputy is not None and (
        case.deputy_in is None or case.deputy_in.reason is DeputyReason.ACK_OVERDUE
    )
    if deputy_can_come:
        return AckSchedule(start, ack_by, ack_by, _office(ack_by, p.ack_working_hours, p))
    return AckSchedule(start, ack_by, None, ack_by)


def ack_owed(case: Case) -> bool:
    """An open case with a leader that nobody on it has acknowledged yet."""
    return case.status is CaseStatus.OPEN and case.leader is not None and case.acknowledged is None


def bring_in_deputy_if_due(case: Case, now: datetime, policy: DeadlinePolicy) -> tuple[Case, list[Event]]:
    """The deputy joins once the acknowledgement is overdue; otherwise the case is returned as is."""
    schedule = ack_schedule(case, policy)
    if not ack_owed(case) or schedule is None or schedule.deputy_at is None or case.deputy is None:
        return case, []
    if case.deputy_in is not None or now < schedule.deputy_at:
        return case, []
    new = replace(case, deputy_in=DeputyInvolvement(DeputyReason.ACK_OVERDUE, now), revision=case.revision + 1)
    event = DeputyBroughtIn(
        case_id=case.id, deputy=case.deputy, reason=DeputyReason.ACK_OVERDUE, actor=BOT, roles=(), at=now
    )
    return new, [event]


@dataclass(frozen=True)
class Expectations:
    """What the employee's receipt may promise: each moment is one the bot acts on."""

    outside_office_hours: bool  # the clock starts at the next office-hours start
    clock_from: datetime
    ack_by: datetime | None  # None: no leader known, HR has the case
    deputy_at: datetime | None
    hr_at: datetime | None
    steps_due: datetime | None  # removal, citizen contact, the police report


def expectations(case: Case, policy: DeadlinePolicy) -> Expectations:
    p = policy
    start = office_clock_start(case.ack_clock_from, p.office_start, p.office_end, p.tz, p.extra_holidays)
    schedule = ack_schedule(case, policy)
    return Expectations(
        outside_office_hours=start != case.ack_clock_from,
        clock_from=start,
        ack_by=schedule.ack_by if schedule else None,
        deputy_at=schedule.deputy_at if schedule else None,
        hr_at=schedule.hr_at if schedule else None,
        steps_due=case.step(StepId.REMOVAL).due_at,
    )


def why_not_acknowledge(case: Case) -> str | None:
    """Why "Jeg har set sagen" is not open on the case now (None: it is)."""
    if case.leader is None:
        return "no_leader"
    if case.acknowledged is not None:
        return "already_acknowledged"
    return None


def why_not_bring_in_deputy(case: Case) -> str | None:
    """Why HR cannot bring the deputy in now (None: it can)."""
    if case.deputy is None:
        return "no_deputy"
    if case.deputy_in is not None:
        return "deputy_already_in"
    return None
