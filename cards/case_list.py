"""One line per case for the leader's "Mine sager" and HR's overview: the next due step and when.

The order is the domain's (`bot.guideline.by_urgency`: overdue first); each line opens the case
card in place (Action.Execute), where the server checks again who may see it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.guideline.model import Case
from bot.guideline.overview import NextDue
from bot.texts import Texts
from cards.common import Element, execute, text, user_text, when
from cards.verbs import Verb

MAX_LINES = 25  # keeps a list card well under 28 KB; the rest is counted


def due_line(tx: Texts, due: NextDue | None, zone: ZoneInfo) -> tuple[str, bool]:
    """("Overskredet: Politianmeldelse · frist ...", True), or the next step, or nothing dated."""
    if due is None:
        return tx("list.nothing_due"), False
    what = tx("list.acknowledge") if due.step is None else tx(f"step.{due.step.value}")
    key = "list.overdue" if due.overdue else "list.next"
    return tx(key, what=what, when=when(tx, due.due_at, zone)), due.overdue


def case_lines(tx: Texts, ordered: list[tuple[Case, NextDue | None]], zone: ZoneInfo) -> list[Element]:
    out: list[Element] = []
    for case, due in ordered[:MAX_LINES]:
        leader = user_text(case.leader.name, 60) if case.leader else tx("case.no_leader")
        line = tx(
            "hr.line",
            number=case.number,
            category=tx(f"category.{case.facts.category.value}"),
            leader=leader,
            date=case.created_at.astimezone(zone).strftime("%d-%m-%Y"),
        )
        next_text, overdue = due_line(tx, due, zone)
        extra = {"color": "Attention", "weight": "Bolder"} if overdue else {"isSubtle": True}
        out.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(f"**{line}**"),
                    text(next_text, spacing="None", **extra),
                    {"type": "ActionSet", "actions": [execute(tx("list.open"), Verb.OPEN_CASE, case_id=case.id)]},
                ],
            }
        )
    if len(ordered) > MAX_LINES:
        out.append(text(f"… +{len(ordered) - MAX_LINES}", isSubtle=True))
    return out
