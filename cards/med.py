"""MED cards for a workplace's channel: registration, the evaluation reminder, and HR's status."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.guideline.definitions import Category
from bot.guideline.med import MedEvaluation, MedFigures, MedPeriod, MedStatus
from bot.guideline.med_figures import Anonymised
from bot.texts import Texts
from cards.common import Card, Element, card, execute, facts, heading, text, title, user_text
from cards.verbs import Verb

OTHER_UNIT = "__other__"
MAX_UNITS = 50  # more than this: type the unit (keeps the card within 28 KB)
MAX_STATUS_ROWS = 60


def registration_card(tx: Texts, units: list[str], notice: str = "") -> Card:
    choices = [{"title": user_text(u, 60), "value": u} for u in units[:MAX_UNITS]]
    body: list[Element] = [title(tx("med.register.title")), text(tx("med.register.body"))]
    if notice:
        body.append(text(notice, color="Attention", weight="Bolder"))
    if choices:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "unit",
                "label": tx("med.register.unit"),
                "style": "compact",
                "choices": [*choices, {"title": tx("med.register.other"), "value": OTHER_UNIT}],
            }
        )
    body += [
        {"type": "Input.Text", "id": "unit_text", "label": tx("med.register.unit_text"), "maxLength": 200},
        {"type": "Input.Text", "id": "committee", "label": tx("med.register.committee"), "maxLength": 200},
    ]
    return card(body, [execute(tx("med.register.button"), Verb.MED_REGISTER, style="positive")])


def registered_card(tx: Texts, unit: str, committee: str) -> Card:
    return card(
        [
            title(tx("med.registered.title")),
            text(tx("med.registered.body", unit=user_text(unit), committee=user_text(committee) or "–")),
        ]
    )


@dataclass(frozen=True)
class MedCardView:
    unit: str
    period: MedPeriod
    figures: MedFigures
    evaluation: MedEvaluation
    zone: ZoneInfo
    notice: str = ""


def count_text(tx: Texts, value: Anonymised) -> str:
    return tx("med.count.under", threshold=value.threshold) if value.hidden else str(value.count)


def med_reminder_card(tx: Texts, view: MedCardView) -> Card:
    ev = view.evaluation
    start = view.period.start.astimezone(view.zone).strftime("%d-%m-%Y")
    end = view.period.end.astimezone(view.zone).strftime("%d-%m-%Y")
    f = view.figures
    on_time = (
        tx("med.count.hidden")
        if f.on_time_hidden
        else f"{f.on_time_percent} %"
        if f.on_time_percent is not None
        else "–"
    )
    body: list[Element] = [
        title(tx("med.title", unit=user_text(view.unit))),
        text(tx("med.period", start=start, end=end)),
    ]
    if view.notice:
        body.append(text(view.notice, color="Good", weight="Bolder"))
    body += [
        text(tx("med.guideline_text")),
        heading(tx("med.checklist")),
        text(tx("med.checklist.body")),
        heading(tx("med.figures")),
        facts(
            [
                (tx("med.figures.total"), count_text(tx, f.total)),
                *[(tx(f"category.{c.value}"), count_text(tx, f.by_category[c])) for c in Category],
                (tx("med.figures.on_time"), on_time),
                (tx("med.figures.open_apv"), count_text(tx, f.open_apv_plans)),
            ]
        ),
        text(tx("med.figures.note", threshold=f.total.threshold), isSubtle=True, size="Small"),
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
        {"type": "Input.Date", "id": "done_date", "label": tx("med.done_date")},
        {
            "type": "Input.Text",
            "id": "minutes_link",
            "label": tx("med.minutes_link"),
            "style": "Url",
            "maxLength": 2048,
            "regex": "^(https?://\\S+)?$",
            "errorMessage": tx("report.link.invalid"),
        },
    ]
    actions.append(execute(tx("med.done"), Verb.MED_DONE, style="positive", **data))
    return card(body, actions)


def _state_line(tx: Texts, ev: MedEvaluation) -> str:
    if ev.status is MedStatus.DONE and ev.done_date:
        line = tx("med.state.done", date=ev.done_date.strftime("%d-%m-%Y"))
        return f"{line} · {user_text(ev.minutes_link)}" if ev.minutes_link else line
    if ev.status is MedStatus.ON_AGENDA and ev.meeting_date:
        return tx("med.state.on_agenda", date=ev.meeting_date.strftime("%d-%m-%Y"))
    return tx(f"med.state.{ev.status.value}")


def med_status_card(tx: Texts, period: MedPeriod, rows: list[tuple[str, MedEvaluation]]) -> Card:
    """Counts per state first; then the workplaces still missing their evaluation (the ones HR
    chases), with those done listed only while there is room."""
    body: list[Element] = [title(tx("med.status.title", period=period.id))]
    if not rows:
        body.append(text(tx("med.status.none")))
        return card(body)
    counts = {status: sum(1 for _, ev in rows if ev.status is status) for status in MedStatus}
    body.append(facts([(tx(f"med.status.count.{s.value}"), str(n)) for s, n in counts.items()]))
    ordered = sorted(rows, key=lambda row: (row[1].status is MedStatus.DONE, row[0].casefold()))
    body.append(facts([(user_text(unit, 60), _state_line(tx, ev)) for unit, ev in ordered[:MAX_STATUS_ROWS]]))
    if len(ordered) > MAX_STATUS_ROWS:
        body.append(text(f"… +{len(ordered) - MAX_STATUS_ROWS}", isSubtle=True))
    return card(body)
