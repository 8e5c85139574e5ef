"""The request text a leader sends to a platform to have the content taken down, filled from the case.

It names what, where and when, and the case number; it leaves out the employee's name and own
words, which a platform does not need (the leader may add them). It mentions the police report
only when the case records one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.guideline.model import Case, Outcome, StepId
from bot.takedown import TakedownRoutes
from bot.texts import Texts


def request_text(case: Case, routes: TakedownRoutes, tx: Texts, zone: ZoneInfo) -> str:
    f = case.facts
    route = routes.for_platform(f.platform)
    police = case.step(StepId.POLICE_REPORT)
    journal = police.fields.get("journal_number") if police.outcome == Outcome.REPORTED else None
    parts = [
        tx(
            "takedown.request.body",
            organisation=routes.organisation,
            platform=route.title(tx.lang),
            category=tx(f"category.{f.category.value}").lower(),
        ),
        tx("takedown.request.where", link=f.link or tx("takedown.request.no_link")),
        tx("takedown.request.when", when=f.occurred_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")),
    ]
    if f.offender:
        parts.append(tx("takedown.request.who", offender=f.offender))
    if journal:
        parts.append(tx("takedown.request.police", journal=journal))
    parts.append(tx("takedown.request.ask", number=case.number))
    return "\n".join(parts)
