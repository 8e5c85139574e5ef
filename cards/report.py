"""The report card: what happened, when, where, who. Its payload type is bot.chat.forms.ReportForm."""

from __future__ import annotations

from bot.chat.forms import MAX_DESCRIPTION, MAX_LINK, MAX_OFFENDER, ReportForm
from bot.guideline.definitions import Category, Platform
from bot.texts import Texts
from cards.common import Card, Element, card, submit, text, title
from cards.verbs import Verb


def report_card(tx: Texts, form: ReportForm, *, max_date: str, problem: str = "") -> Card:
    body: list[Element] = [title(tx("report.title")), text(tx("report.intro"), isSubtle=True)]
    if problem:
        body.append(text(tx("report.fix", problem=problem), color="Attention", weight="Bolder"))
    body += [
        {
            "type": "Input.ChoiceSet",
            "id": "category",
            "label": tx("report.category"),
            "style": "expanded",
            "isRequired": True,
            "errorMessage": tx("report.category.required"),
            "value": form.category,
            "choices": [{"title": tx(f"category.{c.value}"), "value": c.value} for c in Category],
        },
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.ShowCard",
                    "title": tx("report.definitions"),
                    "card": {
                        "type": "AdaptiveCard",
                        "body": [
                            text(
                                f"**{tx(f'category.{c.value}')}**: {tx(f'category.{c.value}.definition')}",
                                size="Small",
                            )
                            for c in Category
                        ],
                    },
                }
            ],
        },
        {
            "type": "Input.Text",
            "id": "description",
            "label": tx("report.description"),
            "isMultiline": True,
            "isRequired": True,
            "maxLength": MAX_DESCRIPTION,
            "errorMessage": tx("report.description.required"),
            "placeholder": tx("report.description.placeholder"),
            "value": form.description,
        },
        {
            "type": "ColumnSet",
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        {
                            "type": "Input.Date",
                            "id": "date",
                            "label": tx("report.when"),
                            "isRequired": True,
                            "max": max_date,
                            "value": form.date,
                            "errorMessage": tx("report.when.required"),
                        }
                    ],
                },
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [
                        {
                            "type": "Input.Time",
                            "id": "time",
                            "label": tx("report.time"),
                            "isRequired": True,
                            "value": form.time,
                            "errorMessage": tx("report.when.required"),
                        }
                    ],
                },
            ],
        },
        {
            "type": "Input.ChoiceSet",
            "id": "platform",
            "label": tx("report.platform"),
            "style": "compact",
            "isRequired": True,
            "errorMessage": tx("report.platform.required"),
            "value": form.platform,
            "choices": [{"title": tx(f"platform.{p.value}"), "value": p.value} for p in Platform],
        },
        {
            "type": "Input.Text",
            "id": "link",
            "label": tx("report.link"),
            "style": "Url",
            "maxLength": MAX_LINK,
            "regex": "^(https?://\\S+)?$",
            "errorMessage": tx("report.link.invalid"),
            "value": form.link,
        },
        {
            "type": "Input.Text",
            "id": "offender",
            "label": tx("report.offender"),
            "maxLength": MAX_OFFENDER,
            "value": form.offender,
        },
        {
            "type": "Input.Toggle",
            "id": "outside_hours",
            "title": tx("report.outside_hours"),
            "value": "true" if form.outside_hours else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
        {
            "type": "Input.Toggle",
            "id": "family",
            "title": tx("report.family"),
            "value": "true" if form.family else "false",
            "valueOn": "true",
            "valueOff": "false",
        },
    ]
    cancel = submit(tx("report.cancel"), Verb.REPORT_CANCEL)
    cancel["associatedInputs"] = "none"
    return card(body, [submit(tx("report.submit"), Verb.REPORT_FORM, style="positive"), cancel])
