"""HR's overview: open cases, overdue steps and escalations, each case one click away."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.guideline.due import overdue_steps
from bot.guideline.model import Case
from bot.texts import Texts
from cards.common import Card, Element, card, execute, heading, text, title, user_text
from cards.verbs import Verb

MAX_LISTED = 25


def hr_cases_card(tx: Texts, cases: list[Case], now: datetime, zone: ZoneInfo) -> Card:
    body: list[Element] = [title(tx("hr.title")), text(tx("hr.summary", open=len(cases)))]
    if not cases:
        body.append(text(tx("hr.none")))
    ordered = sorted(cases, key=lambda c: c.created_at)
    for case in ordered[:MAX_LISTED]:
        overdue = overdue_steps(case, now)
        leader = user_text(case.leader.name, 80) if case.leader else tx("case.no_leader")
        line = tx(
            "hr.line",
            number=case.number,
            category=tx(f"category.{case.facts.category.value}"),
            leader=leader,
            date=case.created_at.astimezone(zone).strftime("%d-%m-%Y"),
        )
        items: list[Element] = [text(f"**{line}**")]
        if overdue:
            items.append(
                text(
                    tx("hr.overdue", steps=", ".join(tx(f"step.{s.value}") for s in overdue)),
                    color="Attention",
                    spacing="None",
                )
            )
        items.append({"type": "ActionSet", "actions": [execute(tx("hr.open"), Verb.HR_OPEN_CASE, case_id=case.id)]})
        body.append({"type": "Container", "separator": True, "items": items})
    if len(ordered) > MAX_LISTED:
        body.append(heading(f"… +{len(ordered) - MAX_LISTED}"))
    return card(body)
