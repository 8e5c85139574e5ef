"""MED cards: registering a channel, the evaluation reminder (in a channel or a leader's chat),
and HR's overview of every workplace.

Inputs carry no `isRequired`: Adaptive Cards validate every input of the card on any action, so a
required "done" field would block "on the agenda" and "save link". The server checks each action's
own inputs (bot/chat/med_input.py) and says what is missing.
"""

from __future__ import annotations

import json

from bot.chat.med_views import MedCardView as MedCardView
from bot.chat.med_views import OverviewRow as OverviewRow
from bot.guideline.definitions import Category
from bot.guideline.med import MedEvaluation, MedFigures, MedPeriod, MedStatus, MeetingKind
from bot.guideline.med_figures import Anonymised
from bot.texts import Texts
from cards.common import Card, Element, card, execute, facts, heading, text, title, user_link_label, user_text
from cards.verbs import Verb

OTHER_UNIT = "__other__"
UNIT_LIST_BUDGET = 16_000  # characters of unit choices; beyond it the unit is typed (28 KB a card)
FILTERED_FROM = 15  # longer lists get Teams' type-ahead choice set
MAX_OVERVIEW_ROWS = 60
HTTPS_ONLY = "^(https://\\S+)?$"


def _href(link: str) -> str:
    """A validated https link as a Markdown link's target: brackets, parentheses and angle
    brackets percent-encoded, so the link cannot close early and add one of its own."""
    return link.translate({ord(c): f"%{ord(c):02X}" for c in "()[]<>"})


def registration_card(tx: Texts, units: list[str], notice: str = "") -> Card:
    """Choose the workplace from the known units; a typed name is matched to them on the server."""
    choices: list[dict[str, str]] = []
    used = 0
    for unit in units:
        choice = {"title": user_text(unit, 60), "value": unit}
        used += len(json.dumps(choice, ensure_ascii=False))
        if used > UNIT_LIST_BUDGET:
            break
        choices.append(choice)
    body: list[Element] = [title(tx("med.register.title")), text(tx("med.register.body"))]
    if notice:
        body.append(text(notice, color="Attention", weight="Bolder"))
    if choices:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "unit",
                "label": tx("med.register.unit"),
                "style": "filtered" if len(choices) >= FILTERED_FROM else "compact",
                "choices": [*choices, {"title": tx("med.register.other"), "value": OTHER_UNIT}],
            }
        )
    body += [
        {"type": "Input.Text", "id": "unit_text", "label": tx("med.register.unit_text"), "maxLength": 200},
        {"type": "Input.Text", "id": "committee", "label": tx("med.register.committee"), "maxLength": 200},
        text(tx("med.register.who"), isSubtle=True, size="Small"),
    ]
    return card(body, [execute(tx("med.register.button"), Verb.MED_REGISTER, style="positive")])


def registered_card(tx: Texts, unit: str, committee: str, *, moved: bool = False, old_told: bool = True) -> Card:
    """`old_told`: the note about the move reached the unit's old channel (else the card says it did not)."""
    body = [
        title(tx("med.registered.title")),
        text(tx("med.registered.body", unit=user_text(unit, 200), committee=user_text(committee, 200) or "–")),
    ]
    if moved:
        body.append(text(tx("med.registered.moved" if old_told else "med.registered.moved_not_told"), weight="Bolder"))
    return card(body)


def count_text(tx: Texts, value: Anonymised) -> str:
    return tx("med.count.under", threshold=value.threshold) if value.hidden else str(value.count)


def _figures(tx: Texts, f: MedFigures) -> list[Element]:
    on_time = (
        tx("med.count.hidden")
        if f.on_time_hidden
        else f"{f.on_time_percent} %"
        if f.on_time_percent is not None
        else "–"
    )
    return [
        heading(tx("med.figures")),
        facts(
            [
                (tx("med.figures.total"), count_text(tx, f.total)),
                *(
                    [(tx("med.figures.by_category"), tx("med.count.withheld", threshold=f.total.threshold))]
                    if f.categories_withheld
                    else [(tx(f"category.{c.value}"), count_text(tx, f.by_category[c])) for c in Category]
                ),
                (tx("med.figures.on_time"), on_time),
                (tx("med.figures.open_apv"), count_text(tx, f.open_apv_plans)),
            ]
        ),
        text(tx("med.figures.note", threshold=f.total.threshold), isSubtle=True, size="Small"),
    ]


def _plan(tx: Texts, link: str | None) -> list[Element]:
    body: list[Element] = [heading(tx("med.plan"))]
    if link:
        body += [text(f"[{user_link_label(link, 80)}]({_href(link)})"), text(tx("med.plan.review"))]
    else:
        body.append(text(tx("med.plan.missing"), color="Attention", weight="Bolder"))
    body.append(
        {
            "type": "Input.Text",
            "id": "plan_link",
            "label": tx("med.plan.link"),
            "style": "Url",
            "maxLength": 2048,
            "regex": HTTPS_ONLY,
            "errorMessage": tx("med.https_only"),
        }
    )
    return body


def med_reminder_card(tx: Texts, view: MedCardView) -> Card:
    ev = view.evaluation
    start = view.period.start.astimezone(view.zone).strftime("%d-%m-%Y")
    end = view.period.end.astimezone(view.zone).strftime("%d-%m-%Y")
    body: list[Element] = [
        title(tx("med.title", unit=user_text(view.unit, 200))),
        text(tx("med.period", start=start, end=end)),
    ]
    if view.notice:
        body.append(text(view.notice, color="Attention" if view.warning else "Good", weight="Bolder"))
    if view.in_chat:
        body.append(text(tx("med.chat.intro"), weight="Bolder"))
    body += [
        text(tx("med.guideline_text")),
        heading(tx("med.checklist")),
        text(tx("med.checklist.body")),
        *_plan(tx, view.plan_link),
        *_figures(tx, view.figures),
        heading(tx("med.state")),
        text(_state_line(tx, ev), weight="Bolder"),
    ]
    data = {"unit": view.unit, "period": view.period.id}
    actions: list[Element] = []
    if ev.status is not MedStatus.DONE:
        body.append(
            {
                "type": "Input.Date",
                "id": "meeting_date",
                "label": tx("med.meeting_date"),
                **({"value": ev.meeting_date.isoformat()} if ev.meeting_date else {}),
            }
        )
        actions.append(execute(tx("med.on_agenda"), Verb.MED_AGENDA, **data))
    body += [
        heading(tx("med.done.heading")),
        {
            "type": "Input.ChoiceSet",
            "id": "meeting_kind",
            "label": tx("med.meeting_kind"),
            "style": "expanded",
            "choices": [{"title": tx(f"med.meeting_kind.{k.value}"), "value": k.value} for k in MeetingKind],
            **({"value": ev.meeting_kind.value} if ev.meeting_kind else {}),
        },
        {"type": "Input.Date", "id": "done_date", "label": tx("med.done_date")},
        {
            "type": "Input.Text",
            "id": "minutes_link",
            "label": tx("med.minutes_link"),
            "style": "Url",
            "maxLength": 2048,
            "regex": HTTPS_ONLY,
            "errorMessage": tx("med.https_only"),
        },
        {
            "type": "Input.Toggle",
            "id": "plan_reviewed",
            "title": tx("med.plan_reviewed"),
            "valueOn": "true",
            "valueOff": "false",
            "value": "true" if ev.plan_reviewed else "false",
        },
    ]
    actions.append(execute(tx("med.done"), Verb.MED_DONE, style="positive", **data))
    actions.append(execute(tx("med.plan.save"), Verb.MED_PLAN, unit=view.unit))
    if view.in_chat:
        actions.append(
            {
                "type": "Action.ShowCard",
                "title": tx("med.chat.register"),
                "card": card([text(tx("med.chat.register.how"))]),
            }
        )
    return card(body, actions)


def _state_line(tx: Texts, ev: MedEvaluation) -> str:
    if ev.status is MedStatus.DONE and ev.done_date:
        line = tx("med.state.done", date=ev.done_date.strftime("%d-%m-%Y"))
        if ev.meeting_kind:
            line += f" · {tx(f'med.meeting_kind.{ev.meeting_kind.value}')}"
        if ev.plan_reviewed is not None:
            line += " · " + tx("med.state.plan_reviewed" if ev.plan_reviewed else "med.state.plan_not_reviewed")
        return f"{line} · {user_text(ev.minutes_link)}" if ev.minutes_link else line
    if ev.status is MedStatus.ON_AGENDA and ev.meeting_date:
        return tx("med.state.on_agenda", date=ev.meeting_date.strftime("%d-%m-%Y"))
    return tx(f"med.state.{ev.status.value}")


def _row_line(tx: Texts, row: OverviewRow) -> str:
    parts = [_state_line(tx, row.evaluation)]
    if not row.has_channel:
        parts.append(tx("med.overview.chat") if row.reachable else tx("med.overview.unreachable"))
    if not row.has_plan:
        parts.append(tx("med.overview.no_plan"))
    return " · ".join(parts)


def med_overview_card(tx: Texts, period: MedPeriod, rows: list[OverviewRow]) -> Card:
    """Counts first (states, units without a MED channel, without a local plan); then the
    workplaces that need HR's attention, those done listed only while there is room."""
    body: list[Element] = [title(tx("med.overview.title", period=period.id))]
    if not rows:
        body.append(text(tx("med.overview.none")))
        return card(body)
    counts = {status: sum(1 for r in rows if r.evaluation.status is status) for status in MedStatus}
    body.append(
        facts(
            [
                *[(tx(f"med.status.count.{s.value}"), str(n)) for s, n in counts.items()],
                (tx("med.overview.count.no_channel"), str(sum(1 for r in rows if not r.has_channel))),
                (tx("med.overview.count.no_plan"), str(sum(1 for r in rows if not r.has_plan))),
            ]
        )
    )

    def attention(row: OverviewRow) -> tuple[bool, bool, str]:
        return (row.evaluation.status is MedStatus.DONE, row.has_channel and row.has_plan, row.unit.casefold())

    ordered = sorted(rows, key=attention)
    body.append(facts([(user_text(r.unit, 60), _row_line(tx, r)) for r in ordered[:MAX_OVERVIEW_ROWS]]))
    if len(ordered) > MAX_OVERVIEW_ROWS:
        body.append(text(f"… +{len(ordered) - MAX_OVERVIEW_ROWS}", isSubtle=True))
    return card(body)
