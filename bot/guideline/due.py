"""What must be sent now: a pure function of the cases, the clock and the policy.

Why pure: the scheduler shell only sends what this returns and then records each item with
`mark_sent`; the decision of what is due is tested without any I/O, and two instances reading
the same cases agree. Every item has a stable `key`; an item whose key is already in
`case.reminders_sent` is not returned again, so a crash between send and record causes at most
one duplicate, never a lost reminder.

`pending_items(case)` lists what a case will need, now or later; `next_due_at(case)` is the
earliest of those moments (and of the moment the deputy is to be brought in), for a storage index
("which cases have something due by now").

Kinds and who receives them. The deputy receives nothing until brought in (`Case.deputy_in`):
- CASE_ASSIGNED: a case needs its leader's attention (sent once per leader and hand-over: a
  reassignment notifies the new leader, also one who led the case before, as HR's hand-over
  forgets the earlier send, see `case._reassign`). The leader; HR when the case has no leader.
- DEPUTY_IN: the deputy was brought in (leader absent, HR, or the acknowledgement overdue): the
  deputy gets the case card, once per deputy and time brought in (a hand-over that takes the
  deputy off the case forgets the earlier send).
- ACK_ESCALATION: the case is still not acknowledged when `acknowledgement.ack_schedule` says HR
  is told. HR.
- STEP_OVERDUE: an undecided step (OPEN, or WAIVED in a stored case) is
  `remind_after_overdue_hours` past its deadline. Leader and deputy once brought in (HR when there
  is no leader). Steps in progress have been acted on and are not overdue. A step whose deadline
  is paused (the case waits for the employee's answer to the police offer) is not overdue while
  it waits.
- ESCALATION: an undecided step is still undecided `escalate_after_days` working days past its
  deadline. HR and the leader's manager.
- OFFER_ASKED: the leader recorded the offer to take part in the police report: the employee gets
  the question on their card at once. The employee only.
- OFFER_REMINDER: the offer is still unanswered `offer_reminder_days` working days later, and
  again after as many more: at most OFFER_REMINDERS kind reminders. The employee only.
- OFFER_ANSWERED: the employee answered the recorded offer (each answer once). Leader and deputy
  (HR when there is no leader): "no police report" makes the InsuBiz note theirs.
- REMOVAL_RECHECK: a takedown request has been pending `removal_recheck_days` days since it was
  made or last checked: is the content gone? The leader (HR when none); answered on the card.
- FOLLOWUP_REMINDER: a scheduled follow-up's day has come. The leader (HR when none).
- EVIDENCE_ADDED: the reporter finished adding files to the submitted case
  (`Case.evidence_notice`): once per finish. Leader and deputy once brought in (HR when there is
  no leader).
- LEADER_REPLACED: HR handed the case to another leader (`Case.replaced_leaders`): the replaced
  leader is told the case is no longer theirs, once per replacement. Not a role on the case any
  more, so the item names the person (`DueItem.to`). Also produced for closed cases (a case may be
  closed before a failed notice gets through); never to someone who leads the case again.
- DEPUTY_REMOVED: HR's hand-over took a deputy who had been brought in off the case
  (`Case.removed_deputies`): the deputy is told they are no longer on it, once per removal, named
  on the item like a replaced leader. Also for closed cases; never to someone who leads the case
  or is its deputy brought in again.
- EMPLOYEE_CHECKIN: `checkin_after_followup_days` working days after the follow-up with the
  employee, the bot asks the employee how things are. This one is also produced for closed
  cases, since a case is often closed right after the follow-up; the shell decides how far back
  it loads closed cases. All other kinds concern open cases only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.guideline.acknowledgement import ack_owed, ack_schedule
from bot.guideline.calendar import add_working_days
from bot.guideline.model import (
    FOLLOWUP_STEPS,
    UNDECIDED,
    Case,
    CaseStatus,
    DeputyRemoved,
    EvidenceNotice,
    LeaderReplaced,
    Outcome,
    Person,
    Role,
    StepId,
    StepStatus,
)
from bot.guideline.policy import DeadlinePolicy


class DueKind(StrEnum):
    CASE_ASSIGNED = "case_assigned"
    DEPUTY_IN = "deputy_in"
    ACK_ESCALATION = "ack_escalation"
    STEP_OVERDUE = "step_overdue"
    ESCALATION = "escalation"
    FOLLOWUP_REMINDER = "followup_reminder"
    EMPLOYEE_CHECKIN = "employee_checkin"
    OFFER_ASKED = "offer_asked"
    OFFER_REMINDER = "offer_reminder"
    OFFER_ANSWERED = "offer_answered"
    REMOVAL_RECHECK = "removal_recheck"
    EVIDENCE_ADDED = "evidence_added"
    LEADER_REPLACED = "leader_replaced"
    DEPUTY_REMOVED = "deputy_removed"


OFFER_REMINDERS = 2  # the employee is reminded of an unanswered offer at most this often


@dataclass(frozen=True)
class DueItem:
    kind: DueKind
    case_id: str
    step: StepId | None
    key: str
    recipients: tuple[Role, ...]
    due_at: datetime
    to: Person | None = None  # someone the item is for who holds no role on the case (a replaced leader)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _leaders(case: Case, with_deputy: bool = True) -> tuple[Role, ...]:
    if case.leader is None:
        return (Role.HR,)
    if with_deputy and case.active_deputy is not None:
        return (Role.LEADER, Role.DEPUTY)
    return (Role.LEADER,)


def assigned_key(case_id: str, leader_id: str) -> str:
    """The stable key of the case card owed to its leader (CASE_ASSIGNED)."""
    return f"assigned:{case_id}:{leader_id}"


def deputy_key(case_id: str, deputy_id: str) -> str:
    """The stable key of the case card owed to a deputy brought in (DEPUTY_IN)."""
    return f"deputy:{case_id}:{deputy_id}"


def evidence_notice_key(case_id: str, notice: EvidenceNotice) -> str:
    """The stable key of the notice owed for files the reporter added (one per finish)."""
    return f"evidence:{case_id}:{_stamp(notice.at)}"


def leader_replaced_key(case_id: str, notice: LeaderReplaced) -> str:
    """The stable key of the notice owed to a replaced leader (one per replacement)."""
    return f"replaced:{case_id}:{notice.leader.aad_object_id}:{notice.successor.aad_object_id}:{_stamp(notice.at)}"


def deputy_removed_key(case_id: str, notice: DeputyRemoved) -> str:
    """The stable key of the notice owed to a deputy a hand-over took off the case."""
    return f"deputy_removed:{case_id}:{notice.deputy.aad_object_id}:{_stamp(notice.at)}"


def _replaced_items(case: Case) -> list[DueItem]:
    """The notices owed to replaced leaders and removed deputies; none to a person who leads the
    case again, nor to a removed deputy who is on it again (brought in anew)."""
    current = case.leader.aad_object_id if case.leader is not None else None
    deputy = case.active_deputy.aad_object_id if case.active_deputy is not None else None
    return [
        DueItem(DueKind.LEADER_REPLACED, case.id, None, leader_replaced_key(case.id, n), (), n.at, to=n.leader)
        for n in case.replaced_leaders
        if n.leader.aad_object_id != current
    ] + [
        DueItem(DueKind.DEPUTY_REMOVED, case.id, None, deputy_removed_key(case.id, n), (), n.at, to=n.deputy)
        for n in case.removed_deputies
        if n.deputy.aad_object_id not in (current, deputy)
    ]


def _open_case_items(case: Case, policy: DeadlinePolicy) -> list[DueItem]:
    items: list[DueItem] = []
    key = assigned_key(case.id, case.leader.aad_object_id) if case.leader is not None else f"unassigned:{case.id}"
    items.append(DueItem(DueKind.CASE_ASSIGNED, case.id, None, key, _leaders(case, False), case.created_at))
    deputy = case.active_deputy
    if deputy is not None and case.deputy_in is not None:
        key = deputy_key(case.id, deputy.aad_object_id)
        items.append(DueItem(DueKind.DEPUTY_IN, case.id, None, key, (Role.DEPUTY,), case.deputy_in.at))
    schedule = ack_schedule(case, policy)
    if schedule is not None and ack_owed(case) and case.leader is not None:
        key = f"ack_hr:{case.id}:{case.leader.aad_object_id}:{_stamp(schedule.clock_from)}"
        items.append(DueItem(DueKind.ACK_ESCALATION, case.id, None, key, (Role.HR,), schedule.hr_at))
    escalate_to = (Role.HR, Role.LEADER_MANAGER) if case.leader_manager is not None else (Role.HR,)
    for step, state in case.steps.items():
        if state.due_at is None:
            continue
        stamp = _stamp(state.due_at)
        if state.status in UNDECIDED and not case.paused(step):
            overdue_at = state.due_at + timedelta(hours=policy.remind_after_overdue_hours)
            key = f"overdue:{case.id}:{step.value}:{stamp}"
            items.append(DueItem(DueKind.STEP_OVERDUE, case.id, step, key, _leaders(case), overdue_at))
            escalate_at = add_working_days(state.due_at, policy.escalate_after_days, policy.tz, policy.extra_holidays)
            key = f"escalation:{case.id}:{step.value}:{stamp}"
            items.append(DueItem(DueKind.ESCALATION, case.id, step, key, escalate_to, escalate_at))
        elif step in FOLLOWUP_STEPS and state.status is StepStatus.IN_PROGRESS:
            key = f"followup:{case.id}:{step.value}:{stamp}"
            recipients = _leaders(case, with_deputy=False)
            items.append(DueItem(DueKind.FOLLOWUP_REMINDER, case.id, step, key, recipients, state.due_at))
    if case.evidence_notice is not None:
        key = evidence_notice_key(case.id, case.evidence_notice)
        items.append(DueItem(DueKind.EVIDENCE_ADDED, case.id, None, key, _leaders(case), case.evidence_notice.at))
    return items + _offer_items(case, policy) + _removal_recheck(case, policy)


def _removal_recheck(case: Case, policy: DeadlinePolicy) -> list[DueItem]:
    state = case.step(StepId.REMOVAL)
    if state.status is not StepStatus.IN_PROGRESS or state.outcome != Outcome.REQUESTED or state.decided_at is None:
        return []
    at = state.decided_at + timedelta(days=policy.removal_recheck_days)
    key = f"removal_recheck:{case.id}:{_stamp(state.decided_at)}"
    return [DueItem(DueKind.REMOVAL_RECHECK, case.id, StepId.REMOVAL, key, _leaders(case, with_deputy=False), at)]


def _offer_items(case: Case, policy: DeadlinePolicy) -> list[DueItem]:
    """The question to the employee, and at most OFFER_REMINDERS reminders while it is unanswered."""
    wait = case.open_wait(StepId.POLICE_OFFER)
    if wait is None:
        return _offer_answered(case)
    stamp = _stamp(wait.started_at)
    step = StepId.POLICE_OFFER
    items = [
        DueItem(DueKind.OFFER_ASKED, case.id, step, f"offer:{case.id}:{stamp}:asked", (Role.REPORTER,), wait.started_at)
    ]
    for n in range(1, OFFER_REMINDERS + 1):
        at = add_working_days(wait.started_at, n * policy.offer_reminder_days, policy.tz, policy.extra_holidays)
        key = f"offer:{case.id}:{stamp}:reminder{n}"
        items.append(DueItem(DueKind.OFFER_REMINDER, case.id, step, key, (Role.REPORTER,), at))
    return items


def _offer_answered(case: Case) -> list[DueItem]:
    offer = case.step(StepId.POLICE_OFFER)
    answered = offer.status is StepStatus.DONE and offer.decided_by == case.reporter.aad_object_id
    # Only answers to an offer the leader recorded (cases stored before that have no waits).
    recorded = any(w.step is StepId.POLICE_OFFER for w in case.waits)
    if not (answered and recorded) or offer.decided_at is None:
        return []
    key = f"offer:{case.id}:answered:{_stamp(offer.decided_at)}"
    return [DueItem(DueKind.OFFER_ANSWERED, case.id, StepId.POLICE_OFFER, key, _leaders(case), offer.decided_at)]


def _checkin(case: Case, policy: DeadlinePolicy) -> DueItem | None:
    state = case.step(StepId.FOLLOWUP_EMPLOYEE)
    done = state.fields.get("done_date")
    if state.status is not StepStatus.DONE or done is None:
        return None
    start = datetime.combine(date.fromisoformat(done), policy.followup_reminder_time, tzinfo=policy.zone)
    at = add_working_days(start, policy.checkin_after_followup_days, policy.tz, policy.extra_holidays)
    key = f"checkin:{case.id}:{done}"
    return DueItem(DueKind.EMPLOYEE_CHECKIN, case.id, StepId.FOLLOWUP_EMPLOYEE, key, (Role.REPORTER,), at)


def overdue_steps(case: Case, now: datetime) -> list[StepId]:
    """The steps past their deadline and still undecided (a step waiting for the employee is not)."""
    return [
        step
        for step, state in case.steps.items()
        if state.status in UNDECIDED and state.due_at is not None and state.due_at < now and not case.paused(step)
    ]


def pending_items(case: Case, policy: DeadlinePolicy | None = None) -> list[DueItem]:
    """Every item the case will need, due now or later, that has not been sent; oldest first."""
    policy = policy or DeadlinePolicy()
    items = _open_case_items(case, policy) if case.status is CaseStatus.OPEN else []
    checkin = _checkin(case, policy)
    if checkin is not None:
        items.append(checkin)
    items += _replaced_items(case)
    pending = [item for item in items if item.key not in case.reminders_sent]
    pending.sort(key=lambda item: (item.due_at, item.key))
    return pending


def next_due_at(case: Case, policy: DeadlinePolicy | None = None) -> datetime | None:
    """When `due_items` will next return something for this case (None: never, as it stands).

    For a storage index ("cases due by now") so the scheduler need not read every case.
    """
    moments = [item.due_at for item in pending_items(case, policy)[:1]]
    schedule = ack_schedule(case, policy or DeadlinePolicy())
    if schedule is not None and schedule.deputy_at is not None and ack_owed(case) and case.deputy_in is None:
        moments.append(schedule.deputy_at)  # the deputy is brought in then (see acknowledgement)
    return min(moments) if moments else None


def due_items(cases: Iterable[Case], now: datetime, policy: DeadlinePolicy | None = None) -> list[DueItem]:
    """Everything due at `now` and not yet sent, oldest first."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    result = [item for case in cases for item in pending_items(case, policy) if item.due_at <= now]
    result.sort(key=lambda item: (item.due_at, item.key))
    return result


def mark_sent(case: Case, key: str) -> Case:
    """Record a sent item; recording it twice changes nothing."""
    if key in case.reminders_sent:
        return case
    return replace(case, reminders_sent=case.reminders_sent | {key}, revision=case.revision + 1)
