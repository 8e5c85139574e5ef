"""One vocabulary for case actions: what a person can do on a case card, as typed specifications.

Why one table: an action's name, who may take it, its inputs and limits, the decision it becomes
and its texts used to live in the card, the card-input parser, a sample filler and both text
files, matched by string. Here each action is one `ActionSpec`; the card draws a step's inputs
and buttons from it, the invoke parser validates against it, the text test checks its keys, and
`available_actions` answers "what may this person do now" from the domain's own refusal rules
(`steps.why_not_*`), without trying decisions on a copy of the case.

Adding a step is: domain code (the decision and its transition in `steps`), one entry below and
its texts (`act.<name>`, `in.<input>`, `choice.<input>.<value>`) in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from bot.guideline import _validate as v
from bot.guideline import steps
from bot.guideline.acknowledgement import why_not_acknowledge, why_not_bring_in_deputy
from bot.guideline.case import may_decide
from bot.guideline.decisions import (
    MAX_JOURNAL,
    MAX_REFERENCE,
    Acknowledge,
    ApvFiled,
    ApvMeasuresSet,
    BringInDeputy,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    Decision,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    LeaderReassigned,
    NoColleaguesAffected,
    OfferAnswer,
    OfferChannel,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalOutcome,
    RemovalStillThere,
    SavedOnCase,
)
from bot.guideline.errors import InvalidDecision
from bot.guideline.model import MAX_NOTE, MAX_SHORT, Actor, Case, CaseStatus, Outcome, Person, StepId
from bot.guideline.policy import DeadlinePolicy

MAX_LONG_INPUT = 4000  # a card's long texts (InsuBiz note, APV measures): what a card can carry


class InputKind(StrEnum):
    TEXT = "text"
    DATE = "date"  # an ISO date, as Teams' date picker sends it
    CHOICE = "choice"  # one of `choices`
    PERSON = "person"  # an Entra object id the edge checks against the directory


class Prefill(StrEnum):
    """What the card puts into an input before the person types (the card's view supplies it)."""

    NONE = "none"
    TODAY = "today"
    INSUBIZ_DRAFT = "insubiz_draft"


@dataclass(frozen=True)
class InputSpec:
    id: str
    kind: InputKind = InputKind.TEXT
    max_length: int = MAX_NOTE
    required: bool = True
    choices: tuple[str, ...] = ()
    multiline: bool = False
    prefill: Prefill = Prefill.NONE
    label: str = ""  # a label shared by several inputs (default: the input's own id)

    @property
    def label_key(self) -> str:
        return f"in.{self.label or self.id}"

    def choice_key(self, value: str) -> str:
        return f"choice.{self.id}.{value}"


class Inputs:
    """An action's input values after validation against its specs (the parser builds it)."""

    def __init__(self, values: Mapping[str, str | date | None]) -> None:
        self._values = MappingProxyType(dict(values))

    def optional(self, key: str) -> str | None:
        value = self._values.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidDecision(key, "not_text")
        return value

    def text(self, key: str) -> str:
        value = self.optional(key)
        if value is None:
            raise InvalidDecision(key, "empty")
        return value

    def day(self, key: str) -> date:
        value = self._values.get(key)
        if not isinstance(value, date):
            raise InvalidDecision(key, "not_date")
        return value


@dataclass(frozen=True)
class ActionSpec:
    """One thing a person can do on a case.

    - `decision`: the domain decision's class (its roles come from the domain's rule table);
    - `refusal`: the domain's reason why it is not open on the case now (None: open);
    - `build`: the decision from validated inputs (the decision validates its own values);
    - `intro`: a text key shown above the step's inputs; `quote`: a step field shown for copying.
    """

    name: str
    step: StepId | None
    decision: type[Decision]
    build: Callable[[Inputs], Decision]
    refusal: Callable[[Case], str | None]
    inputs: tuple[InputSpec, ...] = ()
    primary: bool = False
    intro: str | None = None
    quote: str | None = None

    @property
    def label_key(self) -> str:
        return f"act.{self.name}"

    def text_keys(self) -> frozenset[str]:
        """Every text this action's card parts need (the texts test checks both languages)."""
        keys = {self.label_key, *(i.label_key for i in self.inputs)}
        keys |= {i.choice_key(c) for i in self.inputs for c in i.choices}
        if self.intro:
            keys.add(self.intro)
        return frozenset(keys)


def _text(key: str, max_length: int = MAX_NOTE, *, required: bool = True, multiline: bool = True) -> InputSpec:
    return InputSpec(key, InputKind.TEXT, max_length, required, multiline=multiline)


def _choice(key: str, values: type[StrEnum]) -> InputSpec:
    return InputSpec(key, InputKind.CHOICE, MAX_SHORT, choices=tuple(m.value for m in values))


def _followups(step: StepId, prefix: str) -> list[ActionSpec]:
    return [
        ActionSpec(
            f"{prefix}_schedule",
            step,
            FollowUpScheduled,
            lambda i: FollowUpScheduled(step, i.day(f"{prefix}_date")),
            lambda c: steps.why_not_followup(c, step, done=False),
            (InputSpec(f"{prefix}_date", InputKind.DATE, 10, label="followup_date"),),
        ),
        ActionSpec(
            f"{prefix}_done",
            step,
            FollowUpDone,
            lambda i: FollowUpDone(step, i.day(f"{prefix}_done_date"), i.text(f"{prefix}_note")),
            lambda c: steps.why_not_followup(c, step, done=True),
            (
                InputSpec(f"{prefix}_done_date", InputKind.DATE, 10, prefill=Prefill.TODAY, label="followup_done_date"),
                InputSpec(f"{prefix}_note", multiline=True, label="followup_note"),
            ),
            primary=True,
        ),
    ]


def _answer(name: str, answer: OfferAnswer, primary: bool = False) -> ActionSpec:
    return ActionSpec(
        name,
        StepId.POLICE_OFFER,
        PoliceOfferAnswered,
        lambda _i: PoliceOfferAnswered(answer),
        lambda c: steps.why_not_offer_answer(c, answer),
        primary=primary,
        intro="case.offer_question",
    )


def _reassign(i: Inputs) -> Decision:
    # The name is the directory's: the edge replaces this person with the one it knows.
    return LeaderReassigned(Person(i.text("reassign_leader"), ""), None)


_SPECS: list[ActionSpec] = [
    # "Straks": the leader's first duty is to say they have seen the case (the card draws it on top).
    ActionSpec("acknowledge", None, Acknowledge, lambda _i: Acknowledge(), why_not_acknowledge, primary=True),
    ActionSpec(
        "removal_removed",
        StepId.REMOVAL,
        RemovalDecided,
        lambda i: RemovalDecided(RemovalOutcome.REMOVED, i.optional("removal_note")),
        lambda c: steps.why_not_removal(c, Outcome.REMOVED),
        (_text("removal_note", required=False),),
        primary=True,
    ),
    ActionSpec(
        "removal_requested",
        StepId.REMOVAL,
        RemovalDecided,
        lambda i: RemovalDecided(RemovalOutcome.REQUESTED, i.optional("removal_note")),
        lambda c: steps.why_not_removal(c, Outcome.REQUESTED),
        (_text("removal_note", required=False),),
    ),
    ActionSpec(
        "removal_not_possible",
        StepId.REMOVAL,
        RemovalNotPossible,
        lambda i: RemovalNotPossible(i.text("removal_why"), i.text("removal_tried")),
        lambda c: steps.why_not_removal(c, Outcome.NOT_POSSIBLE),
        (_text("removal_why"), _text("removal_tried")),
    ),
    ActionSpec(
        "removal_still_there",
        StepId.REMOVAL,
        RemovalStillThere,
        lambda _i: RemovalStillThere(),
        steps.why_not_removal_recheck,
        intro="case.removal_recheck",
    ),
    ActionSpec(
        "citizen_contacted",
        StepId.CITIZEN_CONTACT,
        CitizenContacted,
        lambda i: CitizenContacted(i.text("citizen_channel")),
        lambda c: steps.why_not_citizen(c, Outcome.CONTACTED),
        (_text("citizen_channel"),),
        primary=True,
    ),
    ActionSpec(
        "citizen_not_possible",
        StepId.CITIZEN_CONTACT,
        CitizenContactNotPossible,
        lambda i: CitizenContactNotPossible(CitizenUnreachable(i.text("citizen_cause")), i.text("citizen_reason")),
        lambda c: steps.why_not_citizen(c, Outcome.CONTACT_NOT_POSSIBLE),
        (_choice("citizen_cause", CitizenUnreachable), _text("citizen_reason")),
    ),
    ActionSpec(
        "police_reported",
        StepId.POLICE_REPORT,
        PoliceReported,
        lambda i: PoliceReported(i.text("police_journal"), i.text("police_filed_by")),
        steps.why_not_police_reported,
        (_text("police_journal", MAX_JOURNAL, multiline=False), _text("police_filed_by", MAX_SHORT, multiline=False)),
        primary=True,
    ),
    ActionSpec(
        "offer_made",
        StepId.POLICE_OFFER,
        PoliceOfferMade,
        lambda i: PoliceOfferMade(OfferChannel(i.text("offered_via"))),
        steps.why_not_offer_made,
        (_choice("offered_via", OfferChannel),),
        primary=True,
        intro="case.offer_intro",
    ),
    _answer("offer_join", OfferAnswer.TAKE_PART, primary=True),
    _answer("offer_without_me", OfferAnswer.FILE_WITHOUT_ME),
    _answer("offer_no_report", OfferAnswer.NO_REPORT),
    ActionSpec(
        "insubiz_draft",
        StepId.INSUBIZ_NOTE,
        InsuBizNoteDrafted,
        lambda i: InsuBizNoteDrafted(i.text("insubiz_text")),
        lambda c: steps.why_not_insubiz(c, register=False),
        (InputSpec("insubiz_text", max_length=MAX_LONG_INPUT, multiline=True, prefill=Prefill.INSUBIZ_DRAFT),),
    ),
    ActionSpec(
        "insubiz_registered",
        StepId.INSUBIZ_NOTE,
        InsuBizRegistered,
        lambda i: InsuBizRegistered(i.text("insubiz_ref")),
        lambda c: steps.why_not_insubiz(c, register=True),
        (_text("insubiz_ref", MAX_REFERENCE, multiline=False),),
        primary=True,
        intro="case.insubiz_copy",
        quote="note",
    ),
    ActionSpec(
        "apv_measures",
        StepId.APV_PLAN,
        ApvMeasuresSet,
        lambda i: ApvMeasuresSet(i.text("apv_measures")),
        lambda c: steps.why_not_apv(c, file=False),
        (_text("apv_measures", MAX_LONG_INPUT),),
    ),
    ActionSpec(
        "apv_filed",
        StepId.APV_PLAN,
        ApvFiled,
        lambda i: ApvFiled(i.text("apv_ref")),
        lambda c: steps.why_not_apv(c, file=True),
        (_text("apv_ref", MAX_REFERENCE, multiline=False),),
        primary=True,
    ),
    *_followups(StepId.FOLLOWUP_EMPLOYEE, "fu_emp"),
    *_followups(StepId.FOLLOWUP_COLLEAGUES, "fu_col"),
    ActionSpec(
        "fu_col_none",
        StepId.FOLLOWUP_COLLEAGUES,
        NoColleaguesAffected,
        lambda i: NoColleaguesAffected(i.text("fu_col_none_reason")),
        lambda c: steps.why_not_followup(c, StepId.FOLLOWUP_COLLEAGUES, done=False),
        (_text("fu_col_none_reason"),),
    ),
    ActionSpec(
        "saved_on_case",
        StepId.SAVED_ON_CASE,
        SavedOnCase,
        lambda i: SavedOnCase(i.text("saved_ref")),
        steps.why_not_saved_on_case,
        (_text("saved_ref", MAX_REFERENCE, multiline=False),),
        primary=True,
        intro="case.saved_intro",
    ),
    ActionSpec(
        "close",
        None,
        CaseClosed,
        lambda _i: CaseClosed(),
        steps.why_not_close,
        primary=True,
    ),
    # HR: the deputy joins the case (until then the deputy sees nothing of it).
    ActionSpec("bring_in_deputy", None, BringInDeputy, lambda _i: BringInDeputy(), why_not_bring_in_deputy),
    ActionSpec(
        "reassign",
        None,
        LeaderReassigned,
        _reassign,
        lambda _c: None,
        (InputSpec("reassign_leader", InputKind.PERSON, MAX_SHORT),),
        intro="case.reassign",
    ),
]

ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})
if len(ACTIONS) != len(_SPECS):
    raise RuntimeError("two case actions share a name")
# Each input's label, by input id: an error about an input names it as the card does.
INPUT_LABELS: Mapping[str, str] = MappingProxyType({i.id: i.label_key for s in _SPECS for i in s.inputs})


def available_actions(
    case: Case, actor: Actor, now: datetime, policy: DeadlinePolicy | None = None
) -> tuple[ActionSpec, ...]:
    """The actions this person may take on the case now, in the table's order.

    Exactly those `decide` accepts given valid inputs: the actor holds one of the decision's roles
    (a reporter never takes a leader's decision), the case is open and the domain has no refusal.
    `now` and `policy` are part of the question (a deadline-bound action would read them).
    """
    v.aware(now, "now")
    if case.status is CaseStatus.CLOSED:
        return ()
    return tuple(spec for spec in _SPECS if may_decide(case, actor, spec.decision) and spec.refusal(case) is None)
