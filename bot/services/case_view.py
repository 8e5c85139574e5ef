"""Whose card a viewer gets on a case (what they may do comes from `bot.guideline.actions`)."""

from __future__ import annotations

from bot.guideline.model import Actor, Case, Role


def viewer_role(case: Case, actor: Actor) -> Role | None:
    """The role a card is drawn for: the reporter sees the employee's card, leaders the leader's.

    A deputy who has not been brought in is nobody on the case (None), like any outsider."""
    if case.reporter.aad_object_id == actor.aad_object_id:
        return Role.REPORTER
    for role, person in ((Role.LEADER, case.leader), (Role.DEPUTY, case.active_deputy)):
        if person is not None and person.aad_object_id == actor.aad_object_id:
            return role
    if actor.is_hr:
        return Role.HR
    return None
