"""MED evaluations: the twice-yearly reminder, the evaluation's life, and its figures.

Why here: "which workplaces get the MED reminder now" and "is this evaluation late" are pure
decisions like the case reminders; the scheduler shell only sends what `units_due` returns.
Periods and the schedule are in `med_period`, the anonymous figures in `med_figures`, units and
who may act for them in `med_units`; periods and figures are re-exported from this module.

An evaluation goes PENDING -> SENT (reminder posted) -> ON_AGENDA (a meeting date was set) ->
DONE. The guideline asks for "MED-møder eller personalemøder med MED-status", and that the local
plan be reviewed and adjusted: DONE records which kind of meeting it was, its date, the link to
its minutes (https only) and whether the local plan was reviewed and adjusted. It may skip ahead
(a committee can mark it done without putting it on an agenda first), a meeting may be moved,
and a done evaluation may be corrected, but never goes back. Every change appends a history
entry with who, when, the status before and after, and the new value.
`mark_sent` never regresses: re-sending after SENT changes nothing.

`needs_followup`: a sent evaluation is late `weeks` weeks after the reminder was sent; one on
the agenda is late `weeks` weeks after its meeting day. Pending and done ones are never late.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.guideline import _validate as v
from bot.guideline.calendar import DEFAULT_TZ
from bot.guideline.errors import InvalidDecision, InvalidTransition
from bot.guideline.med_figures import Anonymised as Anonymised
from bot.guideline.med_figures import DeletedCounts as DeletedCounts
from bot.guideline.med_figures import MedFigures as MedFigures
from bot.guideline.med_figures import anonymised as anonymised
from bot.guideline.med_figures import counts_until as counts_until
from bot.guideline.med_figures import figures as figures
from bot.guideline.med_period import MedPeriod as MedPeriod
from bot.guideline.med_period import MedSchedule as MedSchedule
from bot.guideline.med_units import https_link, unit_key
from bot.guideline.model import MAX_SHORT

DEFAULT_CATCH_UP_DAYS = 14


class MedStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    ON_AGENDA = "on_agenda"
    DONE = "done"


class MeetingKind(StrEnum):
    """The guideline's two meetings where the evaluation may take place."""

    MED_MEETING = "med_meeting"  # "MED-møde"
    STAFF_MEETING = "staff_meeting"  # "personalemøde med MED-status"


@dataclass(frozen=True)
class MedHistoryEntry:
    at: datetime
    actor: str | None
    action: str
    before: MedStatus
    after: MedStatus
    detail: str | None = None


@dataclass(frozen=True)
class MedEvaluation:
    unit: str
    period_id: str
    status: MedStatus = MedStatus.PENDING
    sent_at: datetime | None = None
    meeting_date: date | None = None
    done_date: date | None = None
    minutes_link: str | None = None
    meeting_kind: MeetingKind | None = None
    plan_reviewed: bool | None = None  # the local plan reviewed and adjusted at the meeting
    history: tuple[MedHistoryEntry, ...] = ()
    revision: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "history", tuple(self.history))


def new_evaluation(unit: str, period_id: str) -> MedEvaluation:
    return MedEvaluation(unit=v.text(unit, "unit", MAX_SHORT), period_id=v.text(period_id, "period_id", 20))


def _change(
    ev: MedEvaluation, now: datetime, actor: str | None, action: str, detail: str | None, **values: object
) -> MedEvaluation:
    after = replace(ev, **values)  # type: ignore[arg-type]
    if after == ev:
        return ev
    entry = MedHistoryEntry(now, actor, action, ev.status, after.status, detail)
    return replace(after, history=(*ev.history, entry), revision=ev.revision + 1)


def mark_sent(ev: MedEvaluation, now: datetime) -> MedEvaluation:
    v.aware(now, "now")
    if ev.status is not MedStatus.PENDING:
        return ev
    return _change(ev, now, None, "sent", None, status=MedStatus.SENT, sent_at=now)


def put_on_agenda(ev: MedEvaluation, meeting_date: date, actor: str, now: datetime) -> MedEvaluation:
    v.aware(now, "now")
    if ev.status is MedStatus.DONE:
        raise InvalidTransition("med_done")
    if not isinstance(meeting_date, date) or isinstance(meeting_date, datetime):
        raise InvalidDecision("meeting_date", "not_date")
    actor = v.text(actor, "actor", MAX_SHORT)
    detail = meeting_date.isoformat()
    return _change(ev, now, actor, "on_agenda", detail, status=MedStatus.ON_AGENDA, meeting_date=meeting_date)


def mark_done(
    ev: MedEvaluation,
    done_date: date,
    minutes_link: str,
    actor: str,
    now: datetime,
    tz: str = DEFAULT_TZ,
    *,
    meeting_kind: MeetingKind,
    plan_reviewed: bool,
) -> MedEvaluation:
    v.aware(now, "now")
    if not isinstance(done_date, date) or isinstance(done_date, datetime):
        raise InvalidDecision("done_date", "not_date")
    if done_date > now.astimezone(ZoneInfo(tz)).date():
        raise InvalidDecision("done_date", "in_future")
    if not isinstance(meeting_kind, MeetingKind):
        raise InvalidDecision("meeting_kind", "invalid_choice")
    if not isinstance(plan_reviewed, bool):
        raise InvalidDecision("plan_reviewed", "invalid_choice")
    link = https_link(minutes_link, "minutes_link")
    actor = v.text(actor, "actor", MAX_SHORT)
    detail = f"{done_date.isoformat()} {meeting_kind.value} plan_reviewed={str(plan_reviewed).lower()} {link}"
    return _change(
        ev,
        now,
        actor,
        "done",
        detail,
        status=MedStatus.DONE,
        done_date=done_date,
        minutes_link=link,
        meeting_kind=meeting_kind,
        plan_reviewed=plan_reviewed,
    )


def needs_followup(ev: MedEvaluation, now: datetime, weeks: int = 2, tz: str = DEFAULT_TZ) -> bool:
    if ev.status is MedStatus.SENT and ev.sent_at is not None:
        return now >= ev.sent_at + timedelta(weeks=weeks)
    if ev.status is MedStatus.ON_AGENDA and ev.meeting_date is not None:
        day_after = datetime.combine(ev.meeting_date + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
        return now >= day_after + timedelta(weeks=weeks)
    return False


def med_reminder_key(unit: str, period: MedPeriod) -> str:
    """One reminder per workplace and half-year, wherever it is delivered (channel or chat)."""
    return f"med:{unit_key(unit)}:{period.id}"


def reminder_due(
    now: datetime, schedule: MedSchedule | None = None, catch_up_days: int = DEFAULT_CATCH_UP_DAYS
) -> bool:
    """Whether the latest period's reminder may still go out: from its date for `catch_up_days`
    (a bot that was down for a while catches up; a workplace added months later waits)."""
    v.aware(now, "now")
    period = (schedule or MedSchedule()).due_period(now)
    return now - period.reminder_at <= timedelta(days=catch_up_days)


def units_due(
    units: Iterable[str],
    settled: Collection[str],
    now: datetime,
    schedule: MedSchedule | None = None,
    catch_up_days: int = DEFAULT_CATCH_UP_DAYS,
) -> list[str]:
    """The workplaces to remind now (canonical keys): each once for the latest due period.

    `settled` holds the keys of units whose reminder for that period is sent or under way. A
    reminder more than `catch_up_days` old is no longer sent (a bot that was down for a while
    catches up; a workplace added months later waits for the next date).
    """
    if not reminder_due(now, schedule, catch_up_days):
        return []
    done = {unit_key(u) for u in settled}
    due: list[str] = []
    for unit in units:
        key = unit_key(unit)
        if key and key not in done:
            done.add(key)
            due.append(key)
    return due
