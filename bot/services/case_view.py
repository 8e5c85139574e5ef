"""What a person may do on a case right now, asked of the domain itself.

The card shows only actions the domain would accept at this moment for this viewer, so the bot
never shows a stale button that would fail: each candidate is tried on a copy of the case.
"""

from __future__ import annotations

from datetime import datetime

from bot.decision_input import ACTIONS, sample_decision, waive_sample
from bot.guideline import case as domain
from bot.guideline.errors import DomainError
from bot.guideline.model import Actor, Case, Role, StepId
from bot.guideline.policy import DeadlinePolicy


def _changes(case: Case, actor: Actor, decision: object, now: datetime, policy: DeadlinePolicy) -> bool:
    try:
        _new, events = domain.decide(case, actor, decision, now, policy)  # type: ignore[arg-type]
    except DomainError:
        return False
    return bool(events)


def available_actions(case: Case, actor: Actor, now: datetime, policy: DeadlinePolicy) -> frozenset[str]:
    today = now.astimezone(policy.zone).date()
    out = {
        name for name in ACTIONS if name != "waive" and _changes(case, actor, sample_decision(name, today), now, policy)
    }
    if waivable_steps(case, actor, now, policy):
        out.add("waive")
    return frozenset(out)


def waivable_steps(case: Case, actor: Actor, now: datetime, policy: DeadlinePolicy) -> list[StepId]:
    return [s for s in StepId if _changes(case, actor, waive_sample(s), now, policy)]


def viewer_role(case: Case, actor: Actor) -> Role | None:
    """The role a card is drawn for: the reporter sees the employee's card, leaders the leader's."""
    if case.reporter.aad_object_id == actor.aad_object_id:
        return Role.REPORTER
    for role, person in ((Role.LEADER, case.leader), (Role.DEPUTY, case.deputy)):
        if person is not None and person.aad_object_id == actor.aad_object_id:
            return role
    if actor.is_hr:
        return Role.HR
    return None
