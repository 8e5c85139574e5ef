"""The review card (everything before sending) and the receipt (after)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.forms import ReportForm
from bot.texts import Texts
from cards.common import Card, Element, card, facts, heading, submit, text, title, user_text
from cards.verbs import Verb


@dataclass(frozen=True)
class EvidenceLine:
    name: str
    size: int
    sha256: str

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _yes_no(tx: Texts, value: bool) -> str:
    return tx("review.yes") if value else tx("review.no")


def report_facts(tx: Texts, form: ReportForm) -> Element:
    pairs = [
        (tx("field.category"), tx(f"category.{form.category}") if form.category else "–"),
        (tx("field.occurred_at"), f"{form.date} {form.time}"),
        (tx("field.platform"), tx(f"platform.{form.platform}") if form.platform else "–"),
    ]
    if form.link:
        pairs.append((tx("field.link"), user_text(form.link)))
    if form.offender:
        pairs.append((tx("field.offender"), user_text(form.offender)))
    pairs += [
        (tx("review.outside_hours"), _yes_no(tx, form.outside_hours)),
        (tx("review.family"), _yes_no(tx, form.family)),
    ]
    return facts(pairs)


def evidence_list(tx: Texts, evidence: list[EvidenceLine]) -> list[Element]:
    if not evidence:
        return [text(tx("review.no_evidence"), isSubtle=True)]
    return [
        facts(
            [
                (f"{i}. {user_text(e.name, 80)}", f"{human_size(e.size)} · {e.short_hash}")
                for i, e in enumerate(evidence, 1)
            ]
        )
    ]


def review_card(
    tx: Texts,
    form: ReportForm,
    evidence: list[EvidenceLine],
    leader_choices: list[tuple[str, str]] | None = None,
) -> Card:
    """`leader_choices` (id, name) is given when no directory knows the employee's leader."""
    body: list[Element] = [
        title(tx("review.title")),
        report_facts(tx, form),
        heading(tx("field.description")),
        text(user_text(form.description)),
        heading(tx("review.evidence", count=len(evidence))),
        *evidence_list(tx, evidence),
    ]
    if leader_choices is not None:
        body.append(heading(tx("review.leader")))
        body.append(text(tx("review.leader.why"), isSubtle=True))
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "leader",
                "label": tx("review.leader.label"),
                "style": "compact",
                "choices": [{"title": user_text(name, 80), "value": ident} for ident, name in leader_choices[:100]]
                + [{"title": tx("review.leader.unknown"), "value": "unknown"}],
                "isRequired": True,
                "errorMessage": tx("review.leader.required"),
            }
        )
    return card(
        body,
        [
            submit(tx("review.submit"), Verb.REVIEW_SUBMIT, style="positive"),
            submit(tx("review.edit"), Verb.REVIEW_EDIT),
            submit(tx("report.cancel"), Verb.REPORT_CANCEL),
        ],
    )


@dataclass(frozen=True)
class ReceiptView:
    number: str
    received_local: str
    evidence: list[EvidenceLine]
    leader_name: str | None


def receipt_card(tx: Texts, view: ReceiptView) -> Card:
    hashes = ", ".join(e.short_hash for e in view.evidence) or "–"
    leader_line = (
        tx("receipt.next.leader", leader=user_text(view.leader_name, 80))
        if view.leader_name
        else tx("receipt.next.leader_unknown")
    )
    body: list[Element] = [
        title(tx("receipt.title", number=view.number)),
        facts(
            [
                (tx("receipt.time"), view.received_local),
                (
                    tx("receipt.evidence"),
                    tx("receipt.evidence_line", count=len(view.evidence), hashes=hashes),
                ),
            ]
        ),
        heading(tx("receipt.next")),
        text(
            f"- {leader_line}\n- {tx('receipt.next.police')}\n- {tx('receipt.next.save')}\n"
            f"- {tx('receipt.next.support')}"
        ),
    ]
    return card(body, [submit(tx("action.my_cases"), Verb.MY_CASES)])
