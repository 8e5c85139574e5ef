"""The guideline's steps as transitions: one function per decision that changes a step.

Each step has only the outcomes the guideline allows ("skal": nothing can be waived):

- REMOVAL: removed, or not possible (why, and what was tried). A takedown request is progress
  (in progress), never an outcome. REMOVED is final; NOT_POSSIBLE may later become REQUESTED or
  REMOVED (content is sometimes removed after all).
- CITIZEN_CONTACT: contacted (with the channel the citizen was given for future contact), or not
  possible (the sender is unknown or anonymous, with why). "Not possible" may later become
  "contacted"; "contacted" is final.
- POLICE_OFFER, the leader's duty and the employee's answer, in this order:
  * the leader records that the offer was made (in person, by phone or in the bot): the step is
    in progress and the case waits for the employee (a `Wait`; the police report's deadline stops);
  * the employee answers: take part, the leader files without me, or no police report. The first
    two may be changed until the police step is decided; then any answer is too late.
- POLICE_REPORT: reported (journal number, who filed it) by a leader, only after the offer was
  made; or "the employee does not want a report", which only the employee's own answer NO_REPORT
  gives. That answer opens INSUBIZ_NOTE with a fresh immediate deadline. Both outcomes are final.
  A report filed while the answer is pending settles the offer as UNANSWERED.
- INSUBIZ_NOTE: only while applicable. Drafting puts the note text in the step (in progress);
  registering needs a drafted note and settles the step, for good.
- APV_PLAN: measures first (in progress), then filed in DEFGO with a reference (done, for good).
- FOLLOWUP_*: scheduling a date (today or later) puts the step in progress and makes it due that
  day at the policy's reminder time; done (a date not in the future and not before the case)
  settles it for good. For colleagues, "no colleagues affected" (with why) settles it too, and
  may still become a real follow-up.
- REMOVAL, re-checked: while a takedown request is pending, the leader is asked after
  `removal_recheck_days` whether the content is gone; "removed" settles the step, "still there"
  records the day in the step (still in progress), and the question comes again as many days later.
- SAVED_ON_CASE: the leader (deputy, HR) or the employee records the case or journal number under
  which the evidence was saved in the municipality's case system (the bot does not save it there).
  It settles the step; a later number replaces it (a correction, kept in the audit log).
- A step stored as WAIVED (before waivers were removed) counts as undecided: every decision that
  is open on an OPEN step is open on it.

Every transition checks its refusal (`why_not`, which also tells cards what is possible now)
only when the decision would change something: the same decision twice is a no-op, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.guideline.calendar import end_of_working_day, office_clock_start
from bot.guideline.decisions import (
    KEEP,
    ApvFiled,
    ApvMeasuresSet,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    Keep,
    NoColleaguesAffected,
    OfferAnswer,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalStillThere,
    SavedOnCase,
)
from bot.guideline.errors import InvalidDecision, InvalidTransition
from bot.guideline.model import PAUSED_BY, UNDECIDED, Case, Outcome, StepId, StepState, StepStatus, Wait
from bot.guideline.policy import DeadlinePolicy

S = StepStatus


@dataclass(frozen=True)
class Ctx:
    actor: str
    now: datetime
    policy: DeadlinePolicy

    def immediate_deadline(self) -> datetime:
        """Closing time on the nth working day after the day the office clock starts ("straks")."""
        p = self.policy
        start = office_clock_start(self.now, p.office_start, p.office_end, p.tz, p.extra_holidays)
        return end_of_working_day(start, p.immediate_working_days, p.office_end, p.tz, p.extra_holidays)

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


def _refuse(code: str | None, step: StepId | None = None) -> None:
    if code is not None:
        raise InvalidTransition(code, step.value if step else "")


def _changed(case: Case, new: Case, code: str | None, step: StepId) -> Case:
    """`new` if the decision changed something and nothing refuses it; `case` for a repeat."""
    if new is case:
        return case
    _refuse(code, step)
    return new


def _start_wait(case: Case, step: StepId, now: datetime) -> Case:
    if case.open_wait(step) is not None:
        return case
    return replace(case, waits=(*case.waits, Wait(step, now)))


def _end_wait(case: Case, step: StepId, now: datetime) -> Case:
    """End the wait on `step`: the paused steps' deadlines move on by the time it lasted."""
    wait = case.open_wait(step)
    if wait is None:
        return case
    end = max(now, wait.started_at)
    new = replace(case, waits=tuple(replace(w, ended_at=end) if w is wait else w for w in case.waits))
    length = end - wait.started_at
    for paused in PAUSED_BY.get(step, ()):
        state = new.step(paused)
        if state.due_at is not None and length > timedelta(0):
            new = new.with_step(replace(state, due_at=state.due_at + length))
    return new


# ---- why a decision is refused now (None: it is open) -----------------------------------------


def _not_applicable(state: StepState) -> str | None:
    return "step_not_applicable" if state.status is S.NOT_APPLICABLE else None


def why_not_removal(case: Case, outcome: Outcome) -> str | None:
    state = case.step(StepId.REMOVAL)
    if state.status is S.DONE and state.outcome == Outcome.REMOVED:
        return "removal_final"
    if outcome is Outcome.NOT_POSSIBLE and state.status is S.DONE:
        return "removal_decided"
    return None


def why_not_removal_recheck(case: Case) -> str | None:
    """ "Still there" answers a pending takedown request, and nothing else."""
    state = case.step(StepId.REMOVAL)
    if state.status is not S.IN_PROGRESS or state.outcome != Outcome.REQUESTED:
        return "removal_not_requested"
    return None


def why_not_saved_on_case(case: Case) -> str | None:
    return None  # open while the case is: a number may be recorded, or corrected, at any time


def why_not_citizen(case: Case, outcome: Outcome) -> str | None:
    state = case.step(StepId.CITIZEN_CONTACT)
    if state.status is S.DONE and state.outcome == Outcome.CONTACTED:
        return "citizen_already_contacted"
    if outcome is Outcome.CONTACT_NOT_POSSIBLE and state.status is S.DONE:
        return "citizen_decided"
    return None


def why_not_offer_made(case: Case) -> str | None:
    offer = case.step(StepId.POLICE_OFFER)
    if offer.status not in UNDECIDED:
        return _not_applicable(offer) or "offer_already_made"
    return None


def why_not_offer_answer(case: Case, answer: OfferAnswer | None = None) -> str | None:
    """Refused before the offer is made and once the police step is decided (a late answer)."""
    offer = case.step(StepId.POLICE_OFFER)
    if offer.status is S.NOT_APPLICABLE:
        return "step_not_applicable"
    if offer.status in UNDECIDED:
        return "offer_not_made"
    if case.step(StepId.POLICE_REPORT).status is S.DONE:
        return "offer_answer_too_late"
    if answer is not None and offer.status is S.DONE and offer.outcome == _ANSWERS[answer]:
        return "offer_same_answer"
    return None


def why_not_police_reported(case: Case) -> str | None:
    if case.step(StepId.POLICE_REPORT).status is S.DONE:
        return "police_decided"
    if case.step(StepId.POLICE_OFFER).status in UNDECIDED:
        return "police_offer_first"
    return None


def why_not_insubiz(case: Case, register: bool) -> str | None:
    state = case.step(StepId.INSUBIZ_NOTE)
    if state.status is S.NOT_APPLICABLE:
        return "step_not_applicable"
    if state.status is S.DONE:
        return "insubiz_registered"
    if register and "note" not in state.fields:
        return "insubiz_not_drafted"
    return None


def why_not_apv(case: Case, file: bool) -> str | None:
    state = case.step(StepId.APV_PLAN)
    if state.status is S.DONE:
        return "apv_filed"
    if file and "measures" not in state.fields:
        return "apv_no_measures"
    return None


def why_not_followup(case: Case, step: StepId, done: bool) -> str | None:
    state = case.step(step)
    if state.status is S.DONE and not (done and state.outcome == Outcome.NO_COLLEAGUES_AFFECTED):
        return "followup_done"
    return None


def why_not_close(case: Case) -> str | None:
    return "steps_open" if any(not state.settled for state in case.steps.values()) else None


def why_not(case: Case, decision: Any) -> str | None:
    """Why this decision's kind is refused on the case as it stands (None: it is open).

    The cards ask this (through `actions.available_actions`) to show only what is possible now;
    the transitions below ask it before they change anything.
    """
    check = _WHY_NOT.get(type(decision))
    return check(case, decision) if check is not None else None


_ANSWERS: dict[OfferAnswer, Outcome] = {
    OfferAnswer.TAKE_PART: Outcome.WANTS_TO_JOIN,
    OfferAnswer.FILE_WITHOUT_ME: Outcome.DECLINED_TO_JOIN,
    OfferAnswer.NO_REPORT: Outcome.NO_REPORT,
}

_WHY_NOT: dict[type[Any], Callable[[Case, Any], str | None]] = {
    RemovalDecided: lambda c, d: why_not_removal(c, Outcome(d.outcome.value)),
    RemovalNotPossible: lambda c, d: why_not_removal(c, Outcome.NOT_POSSIBLE),
    RemovalStillThere: lambda c, d: why_not_removal_recheck(c),
    SavedOnCase: lambda c, d: why_not_saved_on_case(c),
    CitizenContacted: lambda c, d: why_not_citizen(c, Outcome.CONTACTED),
    CitizenContactNotPossible: lambda c, d: why_not_citizen(c, Outcome.CONTACT_NOT_POSSIBLE),
    PoliceOfferMade: lambda c, d: why_not_offer_made(c),
    PoliceOfferAnswered: lambda c, d: why_not_offer_answer(c),
    PoliceReported: lambda c, d: why_not_police_reported(c),
    InsuBizNoteDrafted: lambda c, d: why_not_insubiz(c, register=False),
    InsuBizRegistered: lambda c, d: why_not_insubiz(c, register=True),
    ApvMeasuresSet: lambda c, d: why_not_apv(c, file=False),
    ApvFiled: lambda c, d: why_not_apv(c, file=True),
    FollowUpScheduled: lambda c, d: why_not_followup(c, d.step, done=False),
    FollowUpDone: lambda c, d: why_not_followup(c, d.step, done=True),
    NoColleaguesAffected: lambda c, d: why_not_followup(c, StepId.FOLLOWUP_COLLEAGUES, done=False),
    CaseClosed: lambda c, d: why_not_close(c),
}


# ---- the transitions ----------------------------------------------------------------------------


def removal(case: Case, d: RemovalDecided | RemovalNotPossible, ctx: Ctx) -> Case:
    if isinstance(d, RemovalNotPossible):
        fields = {"why": d.why, "tried": d.tried}
        new = put(case, StepId.REMOVAL, S.DONE, Outcome.NOT_POSSIBLE.value, fields, ctx)
        return _changed(case, new, why_not(case, d), StepId.REMOVAL)
    status = S.IN_PROGRESS if d.outcome.value == Outcome.REQUESTED else S.DONE
    new = put(case, StepId.REMOVAL, status, d.outcome.value, _fields(note=d.note), ctx)
    return _changed(case, new, why_not(case, d), StepId.REMOVAL)


def removal_still_there(case: Case, d: RemovalStillThere, ctx: Ctx) -> Case:
    """The day of the answer goes into the step; deciding again moves the next question on."""
    cur = case.step(StepId.REMOVAL)
    fields = {**cur.fields, "still_there": ctx.today().isoformat()}
    new = put(case, StepId.REMOVAL, S.IN_PROGRESS, Outcome.REQUESTED.value, fields, ctx)
    return _changed(case, new, why_not(case, d), StepId.REMOVAL)


def saved_on_case(case: Case, d: SavedOnCase, ctx: Ctx) -> Case:
    new = put(case, StepId.SAVED_ON_CASE, S.DONE, Outcome.SAVED.value, {"reference": d.reference}, ctx)
    return _changed(case, new, why_not(case, d), StepId.SAVED_ON_CASE)


def citizen(case: Case, d: CitizenContacted | CitizenContactNotPossible, ctx: Ctx) -> Case:
    if isinstance(d, CitizenContacted):
        new = put(case, StepId.CITIZEN_CONTACT, S.DONE, Outcome.CONTACTED.value, {"channel": d.channel}, ctx)
    else:
        fields = {"cause": d.cause.value, "reason": d.reason}
        new = put(case, StepId.CITIZEN_CONTACT, S.DONE, Outcome.CONTACT_NOT_POSSIBLE.value, fields, ctx)
    return _changed(case, new, why_not(case, d), StepId.CITIZEN_CONTACT)


def police_offer_made(case: Case, d: PoliceOfferMade, ctx: Ctx) -> Case:
    fields = {"offered_via": d.channel.value}
    if case.step(StepId.POLICE_REPORT).status is S.DONE:
        # Only in cases stored before the offer was recorded: the report exists, nothing to ask.
        new = put(case, StepId.POLICE_OFFER, S.DONE, Outcome.OFFERED.value, fields, ctx)
        return _changed(case, new, why_not(case, d), StepId.POLICE_OFFER)
    new = put(case, StepId.POLICE_OFFER, S.IN_PROGRESS, Outcome.OFFERED.value, fields, ctx)
    new = _changed(case, new, why_not(case, d), StepId.POLICE_OFFER)
    return new if new is case else _start_wait(new, StepId.POLICE_OFFER, ctx.now)


def police_offer_answered(case: Case, d: PoliceOfferAnswered, ctx: Ctx) -> Case:
    offer = case.step(StepId.POLICE_OFFER)
    outcome = _ANSWERS[d.answer]
    new = put(case, StepId.POLICE_OFFER, S.DONE, outcome.value, dict(offer.fields), ctx)
    new = _changed(case, new, why_not(case, d), StepId.POLICE_OFFER)
    if new is case:
        return case
    new = _end_wait(new, StepId.POLICE_OFFER, ctx.now)
    if d.answer is OfferAnswer.NO_REPORT:
        new = put(new, StepId.POLICE_REPORT, S.DONE, Outcome.DECLINED_BY_EMPLOYEE.value, {}, ctx)
        if new.step(StepId.INSUBIZ_NOTE).status is S.NOT_APPLICABLE:
            due = ctx.immediate_deadline()
            new = put(new, StepId.INSUBIZ_NOTE, S.OPEN, None, {}, ctx, due_at=due, decided=False)
    return new


def police(case: Case, d: PoliceReported, ctx: Ctx) -> Case:
    fields = {"journal_number": d.journal_number, "filed_by": d.filed_by}
    new = put(case, StepId.POLICE_REPORT, S.DONE, Outcome.REPORTED.value, fields, ctx)
    new = _changed(case, new, why_not(case, d), StepId.POLICE_REPORT)
    if new is case:
        return case
    offer = new.step(StepId.POLICE_OFFER)
    if offer.status is S.IN_PROGRESS:
        unanswered = Outcome.UNANSWERED.value
        new = put(new, StepId.POLICE_OFFER, S.DONE, unanswered, dict(offer.fields), ctx, decided=False)
    return _end_wait(new, StepId.POLICE_OFFER, ctx.now)


def insubiz(case: Case, d: InsuBizNoteDrafted | InsuBizRegistered, ctx: Ctx) -> Case:
    cur = case.step(StepId.INSUBIZ_NOTE)
    if isinstance(d, InsuBizNoteDrafted):
        new = put(case, StepId.INSUBIZ_NOTE, S.IN_PROGRESS, Outcome.DRAFTED.value, {"note": d.text}, ctx)
    else:
        fields = {"note": cur.fields.get("note", ""), "reference": d.reference}
        new = put(case, StepId.INSUBIZ_NOTE, S.DONE, Outcome.REGISTERED.value, fields, ctx)
    return _changed(case, new, why_not(case, d), StepId.INSUBIZ_NOTE)


def apv(case: Case, d: ApvMeasuresSet | ApvFiled, ctx: Ctx) -> Case:
    cur = case.step(StepId.APV_PLAN)
    if isinstance(d, ApvMeasuresSet):
        fields = {"measures": d.measures}
        new = put(case, StepId.APV_PLAN, S.IN_PROGRESS, Outcome.MEASURES_SET.value, fields, ctx)
    else:
        fields = {"measures": cur.fields.get("measures", ""), "reference": d.reference}
        new = put(case, StepId.APV_PLAN, S.DONE, Outcome.FILED.value, fields, ctx)
    return _changed(case, new, why_not(case, d), StepId.APV_PLAN)


def followup(case: Case, d: FollowUpScheduled | FollowUpDone | NoColleaguesAffected, ctx: Ctx) -> Case:
    if isinstance(d, NoColleaguesAffected):
        step = StepId.FOLLOWUP_COLLEAGUES
        fields = {"reason": d.reason}
        new = put(case, step, S.DONE, Outcome.NO_COLLEAGUES_AFFECTED.value, fields, ctx)
        return _changed(case, new, why_not(case, d), step)
    cur = case.step(d.step)
    if isinstance(d, FollowUpScheduled):
        if d.date < ctx.today():
            raise InvalidDecision("date", "in_past")
        due = datetime.combine(d.date, ctx.policy.followup_reminder_time, tzinfo=ctx.policy.zone)
        fields = {"followup_date": d.date.isoformat()}
        new = put(case, d.step, S.IN_PROGRESS, Outcome.SCHEDULED.value, fields, ctx, due_at=due)
        return _changed(case, new, why_not(case, d), d.step)
    if d.date > ctx.today():
        raise InvalidDecision("date", "in_future")
    if d.date < case.created_at.astimezone(ctx.policy.zone).date():
        raise InvalidDecision("date", "before_case")
    fields = _fields(followup_date=cur.fields.get("followup_date"), done_date=d.date.isoformat(), note=d.note)
    new = put(case, d.step, S.DONE, Outcome.DONE.value, fields, ctx)
    return _changed(case, new, why_not(case, d), d.step)
