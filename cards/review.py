"""The review card (everything before sending) and the receipt (after)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.forms import ReportForm
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
    """`ack_by` .. `steps_due` are already formatted deadlines (see `bot.guideline.expectations`)."""

    number: str
    received_local: str
    evidence: list[EvidenceLine]
    leader_name: str | None
    clock_from: str = ""  # set only when the report came outside office hours
    ack_by: str = ""
    deputy_then_hr_at: str = ""  # set when a deputy can be brought in before HR is told
    absent_leader_deputy: str = ""  # the deputy's name when the leader is marked absent
    steps_due: str = ""


def _next_lines(tx: Texts, view: ReceiptView) -> list[str]:
    """What happens next and when, each moment one the bot acts on."""
    if not view.leader_name:
        return [tx("receipt.next.leader_unknown")]
    leader = user_text(view.leader_name, 80)
    if not view.ack_by:
        return [tx("receipt.next.leader", leader=leader)]
    lines = []
    if view.clock_from:
        lines.append(tx("receipt.next.outside_hours", when=view.clock_from))
    lines.append(tx("receipt.next.ack", leader=leader, when=view.ack_by))
    if view.absent_leader_deputy:
        lines.append(tx("receipt.next.deputy_absent", deputy=user_text(view.absent_leader_deputy, 80)))
    if view.deputy_then_hr_at:
        lines.append(tx("receipt.next.deputy_then_hr", when=view.deputy_then_hr_at))
    else:
        lines.append(tx("receipt.next.hr_after"))
    if view.steps_due:
        lines.append(tx("receipt.next.steps", when=view.steps_due))
    return lines


def receipt_card(tx: Texts, view: ReceiptView) -> Card:
    hashes = ", ".join(e.short_hash for e in view.evidence) or "–"
    next_lines = "\n".join(f"- {line}" for line in _next_lines(tx, view))
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
            f"{next_lines}\n- {tx('receipt.next.police')}\n- {tx('receipt.next.save')}\n- {tx('receipt.next.support')}"
        ),
    ]
    return card(body, [submit(tx("action.my_cases"), Verb.MY_CASES)])
