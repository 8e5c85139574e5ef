"""The guideline's steps as transitions: one function per decision that changes a step.

Rules (the guideline's bullet list, made precise):

- REMOVAL: REMOVED and NOT_POSSIBLE settle the step; REQUESTED (a takedown request is pending)
  keeps it in progress. REMOVED is final; NOT_POSSIBLE may later become REQUESTED or REMOVED.
- CITIZEN_CONTACT: contacted, or not possible with a reason (e.g. an anonymous sender). A
  "not possible" may later become "contacted", never the other way round.
- POLICE_REPORT: reported (with a journal number) or declined by the employee.
  * Declining opens INSUBIZ_NOTE with a fresh immediate deadline counted from the decline, and
    makes a still-open POLICE_OFFER not applicable (there is no report to join).
  * A report cannot be un-reported: declining after "reported" is refused.
  * Reporting after a decline is allowed (the employee changed their mind; reporting is the
    guideline's default). INSUBIZ_NOTE then becomes not applicable again unless the note was
    already registered in InsuBiz: a registered note is a record in another system and stays DONE.
    A POLICE_OFFER made not applicable by the decline opens again.
  * A journal number may be corrected; the event keeps the old value.
- POLICE_OFFER (the employee's answer): refused while not applicable, and the answer is frozen
  once the report has been made.
- INSUBIZ_NOTE: only while applicable. Drafting puts the note text in the step (in progress);
  registering needs a drafted note and settles the step; a registered note cannot be redrafted,
  its reference may be corrected.
- APV_PLAN: measures first (in progress), then filed in DEFGO with a reference (done). Measures
  are frozen once filed; the reference may be corrected.
- FOLLOWUP_*: scheduling a date (today or later) puts the step in progress and makes it due that
  day at the policy's reminder time; done (a date not in the future and not before the case)
  settles it. A done follow-up cannot be rescheduled.
- StepWaived: any step that is neither done nor not applicable, with a reason. A later real
  decision replaces the waiver.

A decision that would leave a step exactly as it is changes nothing (and so causes no event).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.guideline.calendar import add_working_days
from bot.guideline.decisions import (
    KEEP,
    ApvFiled,
    ApvMeasuresSet,
    CitizenContacted,
    CitizenContactNotPossible,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    Keep,
    PoliceDeclinedByEmployee,
    PoliceOfferAnswered,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    StepWaived,
)
from bot.guideline.errors import InvalidDecision, InvalidTransition
from bot.guideline.model import Case, Outcome, StepId, StepState, StepStatus
from bot.guideline.policy import DeadlinePolicy

S = StepStatus


@dataclass(frozen=True)
class Ctx:
    actor: str
    now: datetime
    policy: DeadlinePolicy

    def immediate_deadline(self) -> datetime:
        p = self.policy
        return add_working_days(self.now, p.immediate_working_days, p.tz, p.extra_holidays)

    def today(self) -> date:
        return self.now.astimezone(self.policy.zone).date()


def put(
    case: Case,
    step: StepId,
    status: StepStatus,
    outcome: str | None,
    fields: dict[str, str],
    ctx: Ctx,
    *,
    due_at: datetime | Keep | None = KEEP,
    decided: bool = True,
) -> Case:
    """Set a step's content; a no-op returns `case` itself. `decided=False` marks a side effect."""
    cur = case.step(step)
    new_due = cur.due_at if isinstance(due_at, Keep) else due_at
    if (cur.status, cur.outcome, dict(cur.fields), cur.due_at) == (status, outcome, fields, new_due):
        return case
    after = replace(cur, status=status, outcome=outcome, fields=fields, due_at=new_due)
    if decided:
        first = cur.first_decided_at if cur.first_decided_at is not None else ctx.now
        after = replace(after, decided_by=ctx.actor, decided_at=ctx.now, first_decided_at=first)
    elif status is S.OPEN:
        after = replace(after, decided_by=None, decided_at=None, first_decided_at=None)
    return case.with_step(after)


def _fields(**values: str | None) -> dict[str, str]:
    return {k: val for k, val in values.items() if val is not None}


def _applicable(state: StepState) -> None:
    if state.status is S.NOT_APPLICABLE:
        raise InvalidTransition("step_not_applicable", state.step.value)


def removal(case: Case, d: RemovalDecided, ctx: Ctx) -> Case:
    cur = case.step(StepId.REMOVAL)
    if cur.status is S.DONE and cur.outcome == Outcome.REMOVED and d.outcome is not RemovalOutcome.REMOVED:
        raise InvalidTransition("removal_final")
    status = S.IN_PROGRESS if d.outcome is RemovalOutcome.REQUESTED else S.DONE
    return put(case, StepId.REMOVAL, status, d.outcome.value, _fields(note=d.note), ctx)


def citizen(case: Case, d: CitizenContacted | CitizenContactNotPossible, ctx: Ctx) -> Case:
    if isinstance(d, CitizenContacted):
        return put(case, StepId.CITIZEN_CONTACT, S.DONE, Outcome.CONTACTED.value, {"note": d.note}, ctx)
    cur = case.step(StepId.CITIZEN_CONTACT)
    if cur.status is S.DONE and cur.outcome == Outcome.CONTACTED:
        raise InvalidTransition("citizen_already_contacted")
    fields = {"reason": d.reason}
    return put(case, StepId.CITIZEN_CONTACT, S.DONE, Outcome.CONTACT_NOT_POSSIBLE.value, fields, ctx)


def police(case: Case, d: PoliceReported | PoliceDeclinedByEmployee, ctx: Ctx) -> Case:
    cur = case.step(StepId.POLICE_REPORT)
    insubiz = case.step(StepId.INSUBIZ_NOTE)
    offer = case.step(StepId.POLICE_OFFER)
    if isinstance(d, PoliceReported):
        fields = {"journal_number": d.journal_number}
        new = put(case, StepId.POLICE_REPORT, S.DONE, Outcome.REPORTED.value, fields, ctx)
        if new is case:
            return case
        if insubiz.status is not S.DONE:
            new = put(new, StepId.INSUBIZ_NOTE, S.NOT_APPLICABLE, None, {}, ctx, due_at=None, decided=False)
        if offer.status is S.NOT_APPLICABLE:
            new = put(
                new,
                StepId.POLICE_OFFER,
                S.OPEN,
                None,
                {},
                ctx,
                due_at=ctx.immediate_deadline(),
                decided=False,
            )
        return new
    if cur.status is S.DONE and cur.outcome == Outcome.REPORTED:
        raise InvalidTransition("police_already_reported")
    new = put(case, StepId.POLICE_REPORT, S.DONE, Outcome.DECLINED_BY_EMPLOYEE.value, {}, ctx)
    if new is case:
        return case
    if insubiz.status is S.NOT_APPLICABLE:
        new = put(new, StepId.INSUBIZ_NOTE, S.OPEN, None, {}, ctx, due_at=ctx.immediate_deadline(), decided=False)
    if offer.status is S.OPEN:
        new = put(new, StepId.POLICE_OFFER, S.NOT_APPLICABLE, None, {}, ctx, due_at=None, decided=False)
    return new


def police_offer(case: Case, d: PoliceOfferAnswered, ctx: Ctx) -> Case:
    cur = case.step(StepId.POLICE_OFFER)
    _applicable(cur)
    outcome = (Outcome.WANTS_TO_JOIN if d.wants_to_join else Outcome.DECLINED_TO_JOIN).value
    report = case.step(StepId.POLICE_REPORT)
    reported = report.status is S.DONE and report.outcome == Outcome.REPORTED
    if reported and cur.status is S.DONE and cur.outcome != outcome:
        raise InvalidTransition("police_already_reported")
    return put(case, StepId.POLICE_OFFER, S.DONE, outcome, {}, ctx)


def insubiz(case: Case, d: InsuBizNoteDrafted | InsuBizRegistered, ctx: Ctx) -> Case:
    cur = case.step(StepId.INSUBIZ_NOTE)
    _applicable(cur)
    if isinstance(d, InsuBizNoteDrafted):
        if cur.status is S.DONE:
            raise InvalidTransition("insubiz_registered")
        return put(case, StepId.INSUBIZ_NOTE, S.IN_PROGRESS, Outcome.DRAFTED.value, {"note": d.text}, ctx)
    note = cur.fields.get("note")
    if note is None:
        raise InvalidTransition("insubiz_not_drafted")
    fields = {"note": note, "reference": d.reference}
    return put(case, StepId.INSUBIZ_NOTE, S.DONE, Outcome.REGISTERED.value, fields, ctx)


def apv(case: Case, d: ApvMeasuresSet | ApvFiled, ctx: Ctx) -> Case:
    cur = case.step(StepId.APV_PLAN)
    if isinstance(d, ApvMeasuresSet):
        if cur.status is S.DONE:
            raise InvalidTransition("apv_filed")
        return put(case, StepId.APV_PLAN, S.IN_PROGRESS, Outcome.MEASURES_SET.value, {"measures": d.measures}, ctx)
    measures = cur.fields.get("measures")
    if measures is None:
        raise InvalidTransition("apv_no_measures")
    fields = {"measures": measures, "reference": d.reference}
    return put(case, StepId.APV_PLAN, S.DONE, Outcome.FILED.value, fields, ctx)


def followup(case: Case, d: FollowUpScheduled | FollowUpDone, ctx: Ctx) -> Case:
    cur = case.step(d.step)
    if isinstance(d, FollowUpScheduled):
        if cur.status is S.DONE:
            raise InvalidTransition("followup_done")
        if d.date < ctx.today():
            raise InvalidDecision("date", "in_past")
        due = datetime.combine(d.date, ctx.policy.followup_reminder_time, tzinfo=ctx.policy.zone)
        fields = {"followup_date": d.date.isoformat()}
        return put(case, d.step, S.IN_PROGRESS, Outcome.SCHEDULED.value, fields, ctx, due_at=due)
    if d.date > ctx.today():
        raise InvalidDecision("date", "in_future")
    if d.date < case.created_at.astimezone(ctx.policy.zone).date():
        raise InvalidDecision("date", "before_case")
    fields = _fields(followup_date=cur.fields.get("followup_date"), done_date=d.date.isoformat(), note=d.note)
    return put(case, d.step, S.DONE, Outcome.DONE.value, fields, ctx)


def waive(case: Case, d: StepWaived, ctx: Ctx) -> Case:
    cur = case.step(d.step)
    _applicable(cur)
    if cur.status is S.DONE:
        raise InvalidTransition("step_done", d.step.value)
    fields = {**cur.fields, "reason": d.reason}
    return put(case, d.step, S.WAIVED, Outcome.WAIVED.value, fields, ctx)
