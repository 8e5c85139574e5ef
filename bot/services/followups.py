"""The follow-up handlers: which work each service outcome starts (bot/services/outcomes.py).

Wired once by app.py; the dispatcher runs them in the background after the service call. Each
handler is a service's own method: the edge never starts follow-up work itself.
"""

from __future__ import annotations

from bot.services.dispatch import Dispatcher
from bot.services.med import MedService
from bot.services.notifications import Notifications
from bot.services.outcomes import CaseDecided, CaseSubmitted, MedEvaluationMarked


def register(dispatch: Dispatcher, notifications: Notifications, med: MedService) -> Dispatcher:
    async def case_submitted(event: CaseSubmitted) -> None:
        # The case is already saved with the notification owed in it (claimed): deliver it now.
        await notifications.deliver_case(event.case.id, event.claim)

    async def case_decided(event: CaseDecided) -> None:
        await notifications.after_decision(event.case, list(event.events), event.actor_id)

    async def med_marked(event: MedEvaluationMarked) -> None:
        await med.refresh_elsewhere(event.unit, event.shown_in)

    dispatch.on(CaseSubmitted, case_submitted)
    dispatch.on(CaseDecided, case_decided)
    dispatch.on(MedEvaluationMarked, med_marked)
    return dispatch
