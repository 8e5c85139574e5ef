"""Opening a case and deciding on it: the one door through which a case changes.

`decide(case, actor, decision, now, policy)` checks, in this order:
1. the role: the actor's roles are derived from the case (reporter, leader, deputy) plus HR
   membership; the deputy holds a role only once brought in. Leader steps (including recording
   that the police offer was made) and closing: leader, deputy or HR. Acknowledging the case:
   leader or deputy. Bringing in the deputy: HR. The answer to the police offer (and so "no police
   report") and new evidence: the reporter only. Where the evidence was saved in the case system:
   the leader's roles or the reporter (the guideline gives the employee that duty). Reassigning the
   leader: HR only. The reporter never decides a leader's step nor reassigns their own case, even
   when HR.
   A refusal raises RoleRefused, so a forwarded or forged card changes nothing.
2. the case: on a closed case everything is refused (CaseAlreadyClosed) except a repeated close.
3. the transition (see `steps` for the step rules), raising InvalidTransition.
A decision that changes nothing (the same decision twice with the same values) returns the very
same case and no events. Any change bumps `revision` by one and yields events that carry the
before and after values for the audit log.

Closing requires every step to be DONE (with one of the outcomes the guideline allows, see
`steps`) or NOT_APPLICABLE; a step stored as WAIVED is not settled. The refusal lists the others
in `open_steps`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.guideline import _validate as v
from bot.guideline import steps
from bot.guideline.acknowledgement import BOT, ack_schedule, why_not_acknowledge, why_not_bring_in_deputy
from bot.guideline.decisions import (
    Acknowledge,
    ApvFiled,
    ApvMeasuresSet,
    BringInDeputy,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    Decision,
    EvidenceAdded,
    EvidenceFinished,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    Keep,
    LeaderReassigned,
    NoColleaguesAffected,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalStillThere,
    SavedOnCase,
)
from bot.guideline.due import assigned_key, deputy_key, deputy_removed_key, evidence_notice_key, leader_replaced_key
from bot.guideline.errors import CaseAlreadyClosed, InvalidDecision, InvalidTransition, RoleRefused
from bot.guideline.events import (
    Acknowledged,
    CaseClosedEvent,
    CaseOpened,
    DeputyBroughtIn,
    Event,
    EvidenceAttached,
    EvidenceNoticeOwed,
    LeaderChanged,
    Leadership,
    StepDecided,
)
from bot.guideline.model import (
    FOLLOWUP_STEPS,
    IMMEDIATE_STEPS,
    MAX_SHORT,
    Acknowledgement,
    Actor,
    Case,
    CaseStatus,
    DeputyInvolvement,
    DeputyReason,
    DeputyRemoved,
    EvidenceItem,
    EvidenceNotice,
    Facts,
    LeaderReplaced,
    Person,
    Role,
    StepId,
    StepState,
    StepStatus,
    roles_of,
)
from bot.guideline.policy import DeadlinePolicy

LEADER_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.HR})
LEADER_ONLY = frozenset({Role.LEADER, Role.DEPUTY})  # the deputy only once brought in
REPORTER_ONLY = frozenset({Role.REPORTER})
HR_ONLY = frozenset({Role.HR})
CLOCK_SKEW = timedelta(minutes=5)

Handler = Callable[[Case, Any, steps.Ctx], Case]


def _close(case: Case, d: CaseClosed, ctx: steps.Ctx) -> Case:
    if steps.why_not(case, d) is not None:
        open_steps = tuple(s.value for s, state in case.steps.items() if not state.settled)
        raise InvalidTransition("steps_open", ", ".join(open_steps), open_steps=open_steps)
    return replace(case, status=CaseStatus.CLOSED, closed_at=ctx.now)


def _check_leadership(reporter: Person, leader: Person | None, deputy: Person | None) -> None:
    if leader is not None and leader.aad_object_id == reporter.aad_object_id:
        raise InvalidDecision("leader", "leader_is_reporter")
    if deputy is not None and deputy.aad_object_id == reporter.aad_object_id:
        raise InvalidDecision("deputy", "deputy_is_reporter")
    if deputy is not None and leader is not None and deputy.aad_object_id == leader.aad_object_id:
        raise InvalidDecision("deputy", "deputy_is_leader")


def _reassign(case: Case, d: LeaderReassigned, ctx: steps.Ctx) -> Case:
    """A new leader gets a fresh acknowledgement clock; a new deputy is not on the case until brought in.

    A leader replaced by another person is owed a notice, kept in the case (`replaced_leaders`)
    until sent. Kept with it: the notices still owed to others, except to the new leader (the case
    is theirs again); notices already sent are dropped (their keys stay in `reminders_sent`).
    Likewise a deputy brought in whom the hand-over takes off the case (`removed_deputies`).

    The hand-over forgets that the new leader's case card was sent (and the new deputy's, when
    the deputy leaves the case): someone who led the case before and gets it back owes a new
    acknowledgement and must get a card to act on, not silence because a card went out once."""
    _check_leadership(case.reporter, d.new_leader, d.new_deputy)
    manager = case.leader_manager if isinstance(d.new_leader_manager, Keep) else d.new_leader_manager
    new = replace(case, leader=d.new_leader, deputy=d.new_deputy, leader_manager=manager)
    if new.leader != case.leader:
        new = replace(new, replaced_leaders=_replaced(case, d.new_leader, ctx.now))
        if case.leader is None or case.leader.aad_object_id != d.new_leader.aad_object_id:
            new = _forget_sent(new, assigned_key(case.id, d.new_leader.aad_object_id))
        new = replace(new, assigned_at=ctx.now, acknowledged=None)
    elif new.deputy == case.deputy:
        return new
    if d.new_deputy is not None:
        new = _forget_sent(new, deputy_key(case.id, d.new_deputy.aad_object_id))
    return replace(new, deputy_in=None, removed_deputies=_removed(case, d.new_leader, ctx.now))


def _removed(case: Case, leader: Person, now: datetime) -> tuple[DeputyRemoved, ...]:
    """`case.removed_deputies` after a hand-over to `leader` that takes the deputy off the case:
    the deputy brought in is owed a notice, unless they now lead the case. Kept with it: the
    notices still owed to others (not to the new leader; one per person, the latest)."""
    gone = case.active_deputy
    if gone is not None and gone.aad_object_id == leader.aad_object_id:
        gone = None
    skip = {leader.aad_object_id} | ({gone.aad_object_id} if gone is not None else set())
    owed = [
        n
        for n in case.removed_deputies
        if n.deputy.aad_object_id not in skip and deputy_removed_key(case.id, n) not in case.reminders_sent
    ]
    if gone is not None:
        owed.append(DeputyRemoved(gone, leader, now))
    return tuple(owed)


def _forget_sent(case: Case, key: str) -> Case:
    """`case` with the item under `key` no longer recorded as sent, so it is owed again."""
    return replace(case, reminders_sent=case.reminders_sent - {key})


def _replaced(case: Case, successor: Person, now: datetime) -> tuple[LeaderReplaced, ...]:
    """`case.replaced_leaders` after HR hands the case to `successor` (see `_reassign`)."""
    to = successor.aad_object_id
    owed = [
        n
        for n in case.replaced_leaders
        if n.leader.aad_object_id != to and leader_replaced_key(case.id, n) not in case.reminders_sent
    ]
    old = case.leader
    if old is not None and old.aad_object_id != to:
        owed.append(LeaderReplaced(old, successor, now))
    return tuple(owed)


def _acknowledge(case: Case, _d: Acknowledge, ctx: steps.Ctx) -> Case:
    why = why_not_acknowledge(case)
    if why == "already_acknowledged":
        return case  # a second click changes nothing
    if why is not None:
        raise InvalidTransition(why)
    return replace(case, acknowledged=Acknowledgement(ctx.actor, ctx.now))


def _bring_in_deputy(case: Case, _d: BringInDeputy, ctx: steps.Ctx) -> Case:
    why = why_not_bring_in_deputy(case)
    if why == "deputy_already_in":
        return case
    if why is not None:
        raise InvalidTransition(why)
    return replace(case, deputy_in=DeputyInvolvement(DeputyReason.HR, ctx.now))


def _add_evidence(case: Case, d: EvidenceAdded, ctx: steps.Ctx) -> Case:
    if any(item.sha256 == d.item.sha256 for item in case.evidence):
        return case
    if d.item.uploaded_by != ctx.actor:
        raise InvalidDecision("uploaded_by", "not_uploader")
    if len(case.evidence) >= ctx.policy.max_evidence_items:
        raise InvalidDecision("evidence", "too_many")
    return replace(case, evidence=(*case.evidence, d.item))


def _finish_evidence(case: Case, d: EvidenceFinished, ctx: steps.Ctx) -> Case:
    """The notice owed for files added since the leader was last told: a notice not sent yet is
    replaced by one that counts its files too, so no file goes untold."""
    owed = case.evidence_notice
    count = d.count
    if owed is not None and evidence_notice_key(case.id, owed) not in case.reminders_sent:
        count += owed.count
    return replace(case, evidence_notice=EvidenceNotice(ctx.now, count))


_RULES: dict[type[Any], tuple[frozenset[Role], Handler]] = {
    RemovalDecided: (LEADER_ROLES, steps.removal),
    RemovalNotPossible: (LEADER_ROLES, steps.removal),
    RemovalStillThere: (LEADER_ROLES, steps.removal_still_there),
    SavedOnCase: (LEADER_ROLES | REPORTER_ONLY, steps.saved_on_case),
    CitizenContacted: (LEADER_ROLES, steps.citizen),
    CitizenContactNotPossible: (LEADER_ROLES, steps.citizen),
    PoliceOfferMade: (LEADER_ROLES, steps.police_offer_made),
    PoliceOfferAnswered: (REPORTER_ONLY, steps.police_offer_answered),
    PoliceReported: (LEADER_ROLES, steps.police),
    InsuBizNoteDrafted: (LEADER_ROLES, steps.insubiz),
    InsuBizRegistered: (LEADER_ROLES, steps.insubiz),
    ApvMeasuresSet: (LEADER_ROLES, steps.apv),
    ApvFiled: (LEADER_ROLES, steps.apv),
    FollowUpScheduled: (LEADER_ROLES, steps.followup),
    FollowUpDone: (LEADER_ROLES, steps.followup),
    NoColleaguesAffected: (LEADER_ROLES, steps.followup),
    Acknowledge: (LEADER_ONLY, _acknowledge),
    BringInDeputy: (HR_ONLY, _bring_in_deputy),
    CaseClosed: (LEADER_ROLES, _close),
    LeaderReassigned: (HR_ONLY, _reassign),
    EvidenceAdded: (REPORTER_ONLY, _add_evidence),
    EvidenceFinished: (REPORTER_ONLY, _finish_evidence),
}


def allowed_roles(decision: Decision | type[Decision]) -> frozenset[Role]:
    """The roles that may take this decision (for cards: show an action only to them)."""
    return _RULES[decision if isinstance(decision, type) else type(decision)][0]


def may_decide(case: Case, actor: Actor, decision: Decision | type[Decision]) -> bool:
    """Whether the role check of `decide` would pass (the transition may still be refused)."""
    allowed = allowed_roles(decision)
    roles = roles_of(case, actor)
    if Role.REPORTER not in allowed and Role.REPORTER in roles:
        return False
    return bool(roles & allowed)


def _leadership(case: Case) -> Leadership:
    return Leadership(case.leader, case.deputy, case.leader_manager)


def decide(
    case: Case,
    actor: Actor,
    decision: Decision,
    now: datetime,
    policy: DeadlinePolicy | None = None,
) -> tuple[Case, list[Event]]:
    """Apply one decision: the new case and the events it caused, or a DomainError."""
    v.aware(now, "now")
    policy = policy or DeadlinePolicy()
    rule = _RULES.get(type(decision))
    if rule is None:
        raise TypeError(f"not a decision: {type(decision).__name__}")
    allowed, handler = rule
    if not may_decide(case, actor, decision):
        raise RoleRefused(tuple(sorted(r.value for r in allowed)))
    if case.status is CaseStatus.CLOSED:
        if isinstance(decision, CaseClosed):
            return case, []
        raise CaseAlreadyClosed(case.id)
    ctx = steps.Ctx(actor=actor.aad_object_id, now=now, policy=policy)
    new = handler(case, decision, ctx)
    if new == case:
        return case, []
    new = replace(new, revision=case.revision + 1)
    roles = tuple(sorted(roles_of(case, actor) & allowed))
    return new, _events(case, new, ctx, roles, type(decision).__name__)


def _events(before: Case, after: Case, ctx: steps.Ctx, roles: tuple[Role, ...], name: str) -> list[Event]:
    common: dict[str, Any] = {"actor": ctx.actor, "roles": roles, "at": ctx.now}
    events: list[Event] = []
    if _leadership(before) != _leadership(after):
        events.append(LeaderChanged(case_id=before.id, before=_leadership(before), after=_leadership(after), **common))
    if after.acknowledged is not None and before.acknowledged != after.acknowledged:
        schedule = ack_schedule(before, ctx.policy)
        deadline = schedule.ack_by if schedule else ctx.now
        events.append(Acknowledged(case_id=before.id, deadline=deadline, in_time=ctx.now <= deadline, **common))
    if after.deputy_in is not None and after.deputy is not None and before.deputy_in != after.deputy_in:
        events.append(DeputyBroughtIn(case_id=before.id, deputy=after.deputy, reason=after.deputy_in.reason, **common))
    for index, item in enumerate(after.evidence[len(before.evidence) :], start=len(before.evidence)):
        events.append(
            EvidenceAttached(case_id=before.id, item=item, count_before=index, count_after=index + 1, **common)
        )
    owed = after.evidence_notice
    if owed is not None and before.evidence_notice != owed:
        events.append(EvidenceNoticeOwed(case_id=before.id, count=owed.count, **common))
    for step in StepId:
        if before.steps[step] != after.steps[step]:
            events.append(
                StepDecided(
                    case_id=before.id,
                    step=step,
                    before=before.steps[step],
                    after=after.steps[step],
                    decision=name,
                    **common,
                )
            )
    if before.status is not after.status:
        events.append(CaseClosedEvent(case_id=before.id, before=before.status, after=after.status, **common))
    return events


def new_case(
    id: str,
    number: str,
    reporter: Person,
    leader: Person | None,
    deputy: Person | None,
    unit: str | None,
    facts: Facts,
    evidence: Iterable[EvidenceItem],
    now: datetime,
    policy: DeadlinePolicy | None = None,
    leader_manager: Person | None = None,
    leader_absent: bool = False,
) -> tuple[Case, list[Event]]:
    """A new open case with every step in place and the immediate steps due.

    The deputy is on the case from the start only when the leader is marked absent
    (`leader_absent`); otherwise the leader handles it alone until the deputy is brought in.
    Immediate steps are due at closing time `policy.immediate_working_days` working days after the
    day the office clock starts (see `steps.Ctx.immediate_deadline`);
    INSUBIZ_NOTE is not applicable until the police report is declined; the follow-ups are open
    with no deadline until a date is set. Duplicate screenshots (same SHA-256) are kept once.
    """
    v.aware(now, "now")
    policy = policy or DeadlinePolicy()
    case_id = v.text(id, "id", MAX_SHORT)
    case_number = v.text(number, "number", MAX_SHORT)
    case_unit = v.optional_text(unit, "unit", MAX_SHORT)
    _check_leadership(reporter, leader, deputy)
    if facts.occurred_at > now + CLOCK_SKEW:
        raise InvalidDecision("occurred_at", "in_future")
    items: list[EvidenceItem] = []
    for item in evidence:
        if item.uploaded_by != reporter.aad_object_id:
            raise InvalidDecision("uploaded_by", "not_uploader")
        if all(item.sha256 != seen.sha256 for seen in items):
            items.append(item)
    if len(items) > policy.max_evidence_items:
        raise InvalidDecision("evidence", "too_many")
    due = steps.Ctx(reporter.aad_object_id, now, policy).immediate_deadline()
    states = {s: StepState(s, StepStatus.OPEN, due_at=due) for s in IMMEDIATE_STEPS}
    states[StepId.INSUBIZ_NOTE] = StepState(StepId.INSUBIZ_NOTE, StepStatus.NOT_APPLICABLE)
    for s in FOLLOWUP_STEPS:
        states[s] = StepState(s, StepStatus.OPEN)
    states[StepId.SAVED_ON_CASE] = StepState(StepId.SAVED_ON_CASE, StepStatus.OPEN)  # no deadline of its own
    case = Case(
        id=case_id,
        number=case_number,
        unit=case_unit,
        reporter=reporter,
        leader=leader,
        deputy=deputy,
        leader_manager=leader_manager,
        facts=facts,
        evidence=tuple(items),
        steps=states,
        status=CaseStatus.OPEN,
        created_at=now,
        deputy_in=DeputyInvolvement(DeputyReason.LEADER_ABSENT, now) if leader_absent and deputy else None,
    )
    opened = CaseOpened(
        case_id=case.id,
        number=case.number,
        actor=reporter.aad_object_id,
        roles=(Role.REPORTER,),
        at=now,
        category=facts.category,
        unit=case.unit,
        leadership=_leadership(case),
        evidence_count=len(items),
        immediate_due_at=due,
    )
    if case.deputy_in is None or deputy is None:
        return case, [opened]
    joined = DeputyBroughtIn(
        case_id=case.id, deputy=deputy, reason=DeputyReason.LEADER_ABSENT, actor=BOT, roles=(), at=now
    )
    return case, [opened, joined]
