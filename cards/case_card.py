"""The case card (Universal Actions): facts, evidence, every step and the decisions open now.

Drawn per viewer: leaders (leader, deputy, HR) get the decision inputs and buttons; the reporter
gets the same overview and answers the offer to join the police report on it. Only actions in
`view.available` are drawn, so a button never fails for being stale. `refresh` makes Teams ask
for the current state when the card is opened by anyone on the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.guideline.model import Case, Role, StepId, StepState, StepStatus
from bot.texts import Texts
from cards.common import Card, Element, card, execute, facts, heading, text, title, user_link_label, user_text
from cards.verbs import Verb

LEADER_ROLES = frozenset({Role.LEADER, Role.DEPUTY, Role.HR})
# What one card may carry and still stay within 28 KB in the worst case (the card test checks it).
MAX_EVIDENCE_LINES = 15
MAX_DESCRIPTION_SHOWN = 2000
MAX_HISTORY_SHOWN = 20
MAX_LEADER_CHOICES = 25


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    what: str


@dataclass(frozen=True)
class CaseView:
    case: Case
    role: Role
    available: frozenset[str]
    zone: ZoneInfo
    today: date
    evidence_links: dict[str, str] = field(default_factory=dict)
    insubiz_draft: str = ""
    waivable: tuple[StepId, ...] = ()
    refresh_user_ids: tuple[str, ...] = ()
    notice: str = ""
    notice_is_error: bool = False
    history: tuple[HistoryLine, ...] | None = None
    leader_choices: tuple[tuple[str, str], ...] = ()  # (id, name) HR may hand the case to


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M") if moment else "–"


def _act(view: CaseView, tx: Texts, action: str, style: str | None = None) -> Element | None:
    if action not in view.available:
        return None
    return execute(tx(f"act.{action}"), Verb.DECIDE, style=style, case_id=view.case.id, action=action)


def _buttons(view: CaseView, tx: Texts, *actions: str) -> list[Element]:
    found = [a for a in (_act(view, tx, name, "positive" if i == 0 else None) for i, name in enumerate(actions)) if a]
    return [{"type": "ActionSet", "actions": found}] if found else []


def _input(
    input_id: str,
    label: str,
    *,
    multiline: bool = False,
    value: str = "",
    kind: str = "Input.Text",
    maxlen: int = 2000,
) -> Element:
    element: Element = {"type": kind, "id": input_id, "label": label}
    if kind == "Input.Text":
        element.update({"isMultiline": multiline, "maxLength": maxlen})
    if value:
        element["value"] = value
    return element


def _step_state_line(state: StepState, tx: Texts, zone: ZoneInfo) -> str:
    parts = [tx(f"stepstatus.{state.status.value}")]
    if state.outcome:
        parts.append(tx(f"outcome.{state.outcome}"))
    for key in ("journal_number", "reference", "followup_date", "done_date"):
        if state.fields.get(key):
            parts.append(f"{tx('fieldname.' + key)}: {user_text(state.fields[key], 200)}")
    if state.status in (StepStatus.OPEN, StepStatus.IN_PROGRESS) and state.due_at:
        parts.append(tx("case.due", when=_when(state.due_at, zone)))
    return " · ".join(parts)


def _step_inputs(view: CaseView, tx: Texts, step: StepId) -> list[Element]:
    """Inputs and buttons for one step, only where the viewer can act now."""
    today = view.today.isoformat()
    a = view.available
    out: list[Element] = []
    if step is StepId.REMOVAL and a & {"removal_removed", "removal_requested", "removal_not_possible"}:
        out += [
            _input("removal_note", tx("in.removal_note"), multiline=True),
            *_buttons(view, tx, "removal_removed", "removal_requested", "removal_not_possible"),
        ]
    elif step is StepId.CITIZEN_CONTACT and a & {"citizen_contacted", "citizen_not_possible"}:
        out += [
            _input("citizen_note", tx("in.citizen_note"), multiline=True),
            *_buttons(view, tx, "citizen_contacted", "citizen_not_possible"),
        ]
    elif step is StepId.POLICE_REPORT and a & {"police_reported", "police_declined"}:
        if "police_reported" in a:
            out.append(_input("police_journal", tx("in.police_journal"), maxlen=100))
        out += _buttons(view, tx, "police_reported", "police_declined")
    elif step is StepId.POLICE_OFFER and a & {"offer_join", "offer_decline"}:
        out += [text(tx("case.offer_question")), *_buttons(view, tx, "offer_join", "offer_decline")]
    elif step is StepId.INSUBIZ_NOTE and "insubiz_registered" in a:
        note = view.case.steps[step].fields.get("note", "")
        out += [
            text(tx("case.insubiz_copy")),
            text(_shown(user_text(note), 600, tx), fontType="Monospace", size="Small"),
            _input("insubiz_ref", tx("in.insubiz_ref"), maxlen=200),
            *_buttons(view, tx, "insubiz_registered"),
        ]
    elif step is StepId.INSUBIZ_NOTE and "insubiz_draft" in a:
        out += [
            _input("insubiz_text", tx("in.insubiz_text"), multiline=True, value=view.insubiz_draft, maxlen=4000),
            *_buttons(view, tx, "insubiz_draft"),
        ]
    elif step is StepId.APV_PLAN and "apv_measures" in a and "apv_filed" not in a:
        out += [
            _input("apv_measures", tx("in.apv_measures"), multiline=True),
            *_buttons(view, tx, "apv_measures"),
        ]
    elif step is StepId.APV_PLAN and "apv_filed" in a:
        out += [_input("apv_ref", tx("in.apv_ref"), maxlen=200), *_buttons(view, tx, "apv_filed")]
    elif step in (StepId.FOLLOWUP_EMPLOYEE, StepId.FOLLOWUP_COLLEAGUES):
        p = "fu_emp" if step is StepId.FOLLOWUP_EMPLOYEE else "fu_col"
        if f"{p}_schedule" in a:
            out += [
                _input(f"{p}_date", tx("in.followup_date"), kind="Input.Date"),
                *_buttons(view, tx, f"{p}_schedule"),
            ]
        if f"{p}_done" in a:
            out += [
                _input(f"{p}_done_date", tx("in.followup_done_date"), kind="Input.Date", value=today),
                _input(f"{p}_note", tx("in.followup_note"), multiline=True),
                *_buttons(view, tx, f"{p}_done"),
            ]
    return out


def _shown(value: str, limit: int, tx: Texts) -> str:
    return value if len(value) <= limit else value[:limit].rstrip() + " … " + tx("case.shortened")


def _evidence(view: CaseView, tx: Texts) -> list[Element]:
    if not view.case.evidence:
        return [text(tx("review.no_evidence"), isSubtle=True)]
    lines = []
    for i, item in enumerate(view.case.evidence[:MAX_EVIDENCE_LINES], 1):
        link = view.evidence_links.get(item.sha256)
        name = user_link_label(item.original_name, 40)
        label = f"[{name}]({link})" if link else name
        lines.append(f"{i}. {label} · {item.sha256[:12]} · {_when(item.uploaded_at, view.zone)}")
    hidden = len(view.case.evidence) - MAX_EVIDENCE_LINES
    if hidden > 0:
        lines.append(tx("case.more", count=hidden))
    return [text("\n".join(lines), size="Small")]


def case_card(tx: Texts, view: CaseView) -> Card:
    case = view.case
    f = case.facts
    leader_view = view.role in LEADER_ROLES
    body: list[Element] = [title(tx("case.title", number=case.number, category=tx(f"category.{f.category.value}")))]
    if view.notice:
        body.append(text(view.notice, color="Attention" if view.notice_is_error else "Good", weight="Bolder"))
    body.append(
        facts(
            [
                (tx("case.status"), tx(f"status.{case.status.value}")),
                (tx("case.reporter"), user_text(case.reporter.name, 80) or "–"),
                (tx("case.leader"), user_text(case.leader.name, 80) if case.leader else tx("case.no_leader")),
                (tx("field.occurred_at"), _when(f.occurred_at, view.zone)),
                (tx("field.platform"), tx(f"platform.{f.platform.value}")),
                *([(tx("field.link"), user_text(f.link))] if f.link else []),
                *([(tx("field.offender"), user_text(f.offender))] if f.offender else []),
                (tx("case.reported_at"), _when(case.created_at, view.zone)),
            ]
        )
    )
    if f.family_threatened:
        body.append(text(tx("case.family_warning"), color="Attention", weight="Bolder"))
    if f.outside_working_hours:
        body.append(text(tx("case.outside_hours"), isSubtle=True))
    body += [
        heading(tx("case.own_words")),
        text(f"“{_shown(user_text(f.description), MAX_DESCRIPTION_SHOWN, tx)}”", fontType="Default"),
        heading(tx("review.evidence", count=len(case.evidence))),
        *_evidence(view, tx),
        heading(tx("case.steps")),
    ]
    for step in StepId:
        state = case.steps[step]
        if state.status is StepStatus.NOT_APPLICABLE and not leader_view:
            continue
        items: list[Element] = [
            text(f"**{tx(f'step.{step.value}')}**", spacing="Small"),
            text(_step_state_line(state, tx, view.zone), isSubtle=True, spacing="None"),
        ]
        items += _step_inputs(view, tx, step)
        body.append({"type": "Container", "separator": True, "items": items})
    if "waive" in view.available and view.waivable:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(f"**{tx('case.waive')}**"),
                    {
                        "type": "Input.ChoiceSet",
                        "id": "waive_step",
                        "label": tx("in.waive_step"),
                        "style": "compact",
                        "choices": [{"title": tx(f"step.{s.value}"), "value": s.value} for s in view.waivable],
                    },
                    _input("waive_reason", tx("in.waive_reason"), multiline=True),
                    *_buttons(view, tx, "waive"),
                ],
            }
        )
    if "reassign" in view.available and view.leader_choices:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(f"**{tx('case.reassign')}**"),
                    {
                        "type": "Input.ChoiceSet",
                        "id": "reassign_leader",
                        "label": tx("in.reassign_leader"),
                        "style": "compact",
                        "choices": [
                            {"title": user_text(name, 60), "value": ident}
                            for ident, name in view.leader_choices
                            if not view.case.leader or ident != view.case.leader.aad_object_id
                        ][:MAX_LEADER_CHOICES],
                    },
                    *_buttons(view, tx, "reassign"),
                ],
            }
        )
    if view.history is not None:
        body.append(heading(tx("case.history")))
        body.append(
            text(
                "\n".join(
                    f"- {_when(h.at, view.zone)} · {user_text(h.actor, 40)} · {user_text(h.what, 80)}"
                    for h in view.history[-MAX_HISTORY_SHOWN:]
                )
                or "–",
                size="Small",
            )
        )
    actions: list[Element] = []
    if "close" in view.available:
        actions.append(execute(tx("act.close"), Verb.DECIDE, style="positive", case_id=case.id, action="close"))
    actions.append(execute(tx("case.history"), Verb.HISTORY, case_id=case.id))
    actions.append(execute(tx("act.evidence_pack"), Verb.EVIDENCE_PACK, case_id=case.id))
    if len(case.evidence) > MAX_EVIDENCE_LINES:
        actions.append(execute(tx("case.all_evidence"), Verb.EVIDENCE_LIST, case_id=case.id))
    extra = {}
    if view.refresh_user_ids:
        extra["refresh"] = {
            "action": {
                "type": "Action.Execute",
                "verb": Verb.REFRESH_CASE.value,
                "data": {"case_id": case.id},
            },
            "userIds": list(view.refresh_user_ids)[:60],
        }
    return card(body, actions, **extra)


def evidence_card(tx: Texts, view: CaseView) -> Card:
    """Every screenshot of a case with its view link (the case card lists the newest few)."""
    lines = []
    for i, item in enumerate(view.case.evidence, 1):
        link = view.evidence_links.get(item.sha256)
        name = user_link_label(item.original_name, 40)
        label = f"[{name}]({link})" if link else name
        lines.append(f"{i}. {label} · {item.sha256[:12]} · {_when(item.uploaded_at, view.zone)}")
    body: list[Element] = [
        title(tx("case.title", number=view.case.number, category=tx(f"category.{view.case.facts.category.value}"))),
        heading(tx("review.evidence", count=len(view.case.evidence))),
        text("\n".join(lines) or tx("review.no_evidence"), size="Small"),
    ]
    return card(body, [execute(tx("case.back"), Verb.REFRESH_CASE, case_id=view.case.id)])
