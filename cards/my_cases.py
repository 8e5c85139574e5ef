""" "Mine sager": the cases a leader leads (overdue first, each opening its card) and the person's own
reports, with status and the state of each step in plain words. Someone who is both sees two
clearly headed sections; an employee who leads nothing sees only their own reports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.guideline.model import Case, StepId
from bot.guideline.overview import NextDue
from bot.texts import Texts
from cards.case_list import case_lines
from cards.common import Card, Element, card, facts, heading, submit, text, title
from cards.verbs import Verb

MAX_LISTED = 10  # keeps the card well under 28 KB; older cases are summarised


def my_cases_card(
    tx: Texts, cases: list[Case], zone: ZoneInfo, led: list[tuple[Case, NextDue | None]] | None = None
) -> Card:
    """`cases`: the person's own reports, in any order; `led`: cases they lead, from `by_urgency`
    (None: not a leader). Of the own reports the open ones come first, then the closed ones, newest
    first in each, at most MAX_LISTED."""
    body: list[Element] = [title(tx("mycases.title"))]
    if led is not None:
        body.append(heading(tx("mycases.led_title")))
        body += case_lines(tx, led, zone) if led else [text(tx("mycases.led_none"))]
        if not cases:
            return card(body)
        body.append(heading(tx("mycases.own_title")))
    if not cases:
        body.append(text(tx("mycases.none")))
        return card(body, [submit(tx("action.report"), Verb.REPORT, style="positive")])
    # Open cases first (what a worried employee looks for), then closed ones; newest first in each.
    cases = sorted(cases, key=lambda c: (c.status.value != "open", -c.created_at.timestamp()))
    for case in cases[:MAX_LISTED]:
        created = case.created_at.astimezone(zone).strftime("%d-%m-%Y")
        body.append(heading(f"{case.number} · {tx(f'category.{case.facts.category.value}')} · {created}"))
        body.append(text(f"{tx('status.' + case.status.value)}", weight="Bolder", spacing="None"))
        body.append(
            facts([(tx(f"step.{step.value}"), tx(f"stepstatus.{case.steps[step].status.value}")) for step in StepId])
        )
        if case.status.value == "open":
            body.append(
                {
                    "type": "ActionSet",
                    "actions": [submit(tx("mycases.add_evidence"), Verb.ADD_EVIDENCE, case_id=case.id)],
                }
            )
    if len(cases) > MAX_LISTED:
        body.append(text(f"… +{len(cases) - MAX_LISTED}", isSubtle=True))
    return card(body)
