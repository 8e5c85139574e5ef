"""The case card (Universal Actions): facts, evidence, every step and the decisions open now.

Drawn per viewer: leaders (leader, deputy, HR) get the decision inputs and buttons; the reporter
gets the same overview and answers the offer to join the police report on it. Only actions in
`view.available` are drawn, so a button never fails for being stale, and each step's inputs and
buttons are drawn from the action vocabulary (`bot.guideline.actions`): a new outcome needs no
code here. `refresh` makes Teams ask
for the current state when the card is opened by anyone on the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.guideline.actions import ActionSpec, InputKind, InputSpec, Prefill
from bot.guideline.model import FOLLOWUP_STEPS, UNDECIDED, Case, Role, StepId, StepStatus
from bot.guideline.serialize import LEGACY_ACK
from bot.texts import Texts
from cards.common import Card, Element, card, execute, facts, heading, text, title, user_link_label, user_text, when
from cards.takedown import TakedownView, police_elements, takedown_elements
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
    available: tuple[ActionSpec, ...]
    zone: ZoneInfo
    today: date
    evidence_links: dict[str, str] = field(default_factory=dict)
    prefill: Mapping[Prefill, str] = field(default_factory=dict)
    refresh_user_ids: tuple[str, ...] = ()
    notice: str = ""
    notice_is_error: bool = False
    history: tuple[HistoryLine, ...] | None = None
    leader_choices: tuple[tuple[str, str], ...] = ()  # (id, name) HR may hand the case to
    takedown: TakedownView | None = None  # the platform's route, the request text and the police's route
    ack_by: datetime | None = None  # when the leader's acknowledgement is due (while owed)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d-%m-%Y %H:%M") if moment else "–"


# Step fields shown on the state line: plain values, and choices shown by their text.
SHOWN_FIELDS = ("journal_number", "filed_by", "channel", "reference", "followup_date", "done_date", "still_there")
SHOWN_CHOICES = {"offered_via": "offered_via", "cause": "citizen_cause"}  # field -> the input it came from


def _step_state_line(view: CaseView, step: StepId, tx: Texts) -> str:
    state = view.case.steps[step]
    parts = [tx(f"stepstatus.{state.status.value}")]
    if state.outcome:
        parts.append(tx(f"outcome.{state.outcome}"))
    for key, input_id in SHOWN_CHOICES.items():
        if state.fields.get(key):
            parts.append(f"{tx('fieldname.' + key)}: {tx(f'choice.{input_id}.{state.fields[key]}')}")
    for key in SHOWN_FIELDS:
        if state.fields.get(key):
            parts.append(f"{tx('fieldname.' + key)}: {user_text(state.fields[key], 200)}")
    if state.status is StepStatus.WAIVED and state.fields.get("reason"):
        parts.append(f"{tx('fieldname.reason')}: {user_text(state.fields['reason'], 200)}")
    # A deadline matters while the step waits for a decision (a follow-up: its planned day).
    watched = state.status in UNDECIDED or (state.status is StepStatus.IN_PROGRESS and step in FOLLOWUP_STEPS)
    if watched and state.due_at:
        if view.case.paused(step):
            parts.append(tx("case.paused"))
        else:
            parts.append(tx("case.due", when=_when(state.due_at, view.zone)))
    return " · ".join(parts)


def _input(view: CaseView, tx: Texts, spec: InputSpec) -> Element | None:
    """One input drawn from its spec; None when it offers nothing to choose (no leaders known)."""
    element: Element = {"id": spec.id, "label": tx(spec.label_key)}
    if spec.kind is InputKind.DATE:
        element["type"] = "Input.Date"
    elif spec.kind is InputKind.CHOICE:
        element.update(type="Input.ChoiceSet", style="compact")
        element["choices"] = [{"title": tx(spec.choice_key(c)), "value": c} for c in spec.choices]
    elif spec.kind is InputKind.PERSON:
        leader = view.case.leader.aad_object_id if view.case.leader else None
        choices = [
            {"title": user_text(name, 60), "value": ident} for ident, name in view.leader_choices if ident != leader
        ]
        if not choices:
            return None
        element.update(type="Input.ChoiceSet", style="compact", choices=choices[:MAX_LEADER_CHOICES])
    else:
        element.update(type="Input.Text", isMultiline=spec.multiline, maxLength=spec.max_length)
    value = view.prefill.get(spec.prefill, "")
    if value:
        element["value"] = value
    return element


def _action_block(view: CaseView, tx: Texts, specs: list[ActionSpec], step: StepId | None) -> list[Element]:
    """The intros, inputs and buttons of the actions open now (one input drawn once if shared)."""
    inputs: dict[str, Element] = {}
    buttons: list[Element] = []
    for spec in specs:
        drawn = [(i.id, _input(view, tx, i)) for i in spec.inputs if i.id not in inputs]
        if any(element is None for _, element in drawn):
            continue  # an input with nothing to offer: the action cannot be taken from this card
        inputs.update({key: element for key, element in drawn if element is not None})
        style = "positive" if spec.primary else None
        buttons.append(execute(tx(spec.label_key), Verb.DECIDE, style=style, case_id=view.case.id, action=spec.name))
    if not buttons:
        return []
    out: list[Element] = []
    for key in dict.fromkeys(s.intro for s in specs if s.intro):
        out.append(text(f"**{tx(key)}**" if step is None else tx(key)))
    state = view.case.steps[step] if step is not None else None
    for quoted in dict.fromkeys(s.quote for s in specs if s.quote):
        if state is not None and state.fields.get(quoted):
            out.append(text(_shown(user_text(state.fields[quoted]), 600, tx), fontType="Monospace", size="Small"))
    return [*out, *inputs.values(), {"type": "ActionSet", "actions": buttons}]


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


def _helpers(view: CaseView, tx: Texts, step: StepId, specs: list[ActionSpec]) -> list[Element]:
    """What helps a leader act on a step: how to get the content removed; the police's online
    report with the evidence pack as its attachment."""
    if view.takedown is None or not specs:
        return []
    if step is StepId.REMOVAL:
        return takedown_elements(tx, view.takedown)
    if step is StepId.POLICE_REPORT and any(s.name == "police_reported" for s in specs):
        return police_elements(tx, view.takedown)
    return []


def _people_facts(view: CaseView, tx: Texts) -> list[tuple[str, str]]:
    """Who else is on the case: the deputy only once brought in; whether the case was seen."""
    case = view.case
    out: list[tuple[str, str]] = []
    if case.active_deputy is not None and case.deputy_in is not None:
        reason = tx(f"deputy_reason.{case.deputy_in.reason.value}")
        name = user_text(case.active_deputy.name, 80)
        out.append((tx("case.deputy"), tx("case.deputy_value", name=name, reason=reason)))
    ack = case.acknowledged
    if ack is not None and ack.by != LEGACY_ACK:
        names = {p.aad_object_id: p.name for p in (case.leader, case.active_deputy) if p}
        name, seen = user_text(names.get(ack.by, ""), 80), when(tx, ack.at, view.zone)
        out.append((tx("case.acknowledged"), tx("case.acknowledged_value", name=name, when=seen)))
    elif ack is None and view.ack_by is not None and case.leader is not None:
        out.append((tx("case.acknowledged"), tx("case.not_acknowledged", when=when(tx, view.ack_by, view.zone))))
    return out


# Step-free actions drawn in their own place on the card, not among the buttons at the bottom.
DRAWN_IN_PLACE = frozenset({"acknowledge", "bring_in_deputy"})


def _button(view: CaseView, tx: Texts, name: str) -> list[Element]:
    spec = next((s for s in view.available if s.name == name), None)
    if spec is None:
        return []
    style = "positive" if spec.primary else None
    return [
        {
            "type": "ActionSet",
            "actions": [execute(tx(spec.label_key), Verb.DECIDE, style=style, case_id=view.case.id, action=name)],
        }
    ]


def _acknowledgement(view: CaseView, tx: Texts) -> list[Element]:
    """The leader's first duty, on top: "Jeg har set sagen"."""
    button = _button(view, tx, "acknowledge")
    if not button or view.ack_by is None:
        return []
    prompt = text(tx("case.ack_prompt", when=when(tx, view.ack_by, view.zone)), weight="Bolder")
    return [{"type": "Container", "style": "attention", "items": [prompt, *button]}]


def _bring_in_deputy(view: CaseView, tx: Texts) -> list[Element]:
    """HR's way to bring the deputy in (the deputy sees nothing of the case before)."""
    deputy = view.case.deputy
    button = _button(view, tx, "bring_in_deputy")
    if not button or deputy is None:
        return []
    label = text(f"**{tx('case.bring_in_deputy', name=user_text(deputy.name, 80))}**")
    return [{"type": "Container", "separator": True, "items": [label, *button]}]


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
                *_people_facts(view, tx),
                (tx("field.occurred_at"), _when(f.occurred_at, view.zone)),
                (tx("field.platform"), tx(f"platform.{f.platform.value}")),
                *([(tx("field.link"), user_text(f.link))] if f.link else []),
                *([(tx("field.offender"), user_text(f.offender))] if f.offender else []),
                (tx("case.reported_at"), _when(case.created_at, view.zone)),
            ]
        )
    )
    body += _acknowledgement(view, tx)
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
            text(_step_state_line(view, step, tx), isSubtle=True, spacing="None"),
        ]
        specs = [s for s in view.available if s.step is step]
        items += _helpers(view, tx, step, specs)
        items += _action_block(view, tx, specs, step)
        body.append({"type": "Container", "separator": True, "items": items})
    for spec in view.available:
        if spec.step is None and spec.inputs:
            block = _action_block(view, tx, [spec], None)
            if block:
                body.append({"type": "Container", "separator": True, "items": block})
    body += _bring_in_deputy(view, tx)
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
    actions: list[Element] = [
        execute(
            tx(spec.label_key),
            Verb.DECIDE,
            style="positive" if spec.primary else None,
            case_id=case.id,
            action=spec.name,
        )
        for spec in view.available
        if spec.step is None and not spec.inputs and spec.name not in DRAWN_IN_PLACE
    ]
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
