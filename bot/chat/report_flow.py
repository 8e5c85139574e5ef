"""The employee's report flow as a pure state machine: form -> screenshots -> review -> submit.

Why pure: the flow's rules (which button counts at which step, what a stale button does, when the
stored form is checked again, what cancel and expiry do) used to live inside a botbuilder dialog,
testable only through a chat. Here a turn is `step(state, event, context) -> Step(state, effects)`:
no botbuilder, no storage, no clock of its own. `dialogs/report.py` only carries it: it keeps the
state in the dialog state, turns the activity into an event (`event_of`), performs the effects
(cards, texts, the draft's writes, the submit) and feeds their outcomes back as events
(`EvidenceTaken`, `SubmitOutcome`).

The state's dictionary form (`FlowState.to_dict`) is exactly what the dialog stored before, so a
draft begun before this module continues after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, assert_never
from zoneinfo import ZoneInfo

from bot.chat.forms import ReportForm
from bot.chat.routes import normalise, verb_of
from bot.errors import InvalidInput
from bot.guideline.model import Case, Facts
from bot.texts import Texts
from cards.verbs import Verb

CANCEL_WORDS = frozenset({"afbryd", "annuller", "cancel", "stop"})
DONE_WORDS = frozenset({"færdig", "faerdig", "done", "færdig med billeder", "finished"})
# The draft index is written at most this often, not every turn: the time-to-live is in hours.
INDEX_EVERY = timedelta(minutes=10)


class Stage(StrEnum):
    FORM = "form"
    EVIDENCE = "evidence"
    REVIEW = "review"


# -- state ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowState:
    """One draft report. The screenshots are not here: they are recorded on the draft document,
    so messages with files never write the dialog state (turns at the same time would overwrite
    each other). `legacy_evidence` is what drafts begun before that move kept here."""

    stage: Stage
    case_id: str
    touched: datetime
    form: ReportForm
    indexed: datetime | None = None
    legacy_evidence: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowState:
        indexed = data.get("indexed")
        return cls(
            stage=Stage(data["stage"]),
            case_id=str(data["case_id"]),
            touched=datetime.fromisoformat(data["touched"]),
            form=ReportForm.from_payload(data["form"]),
            indexed=datetime.fromisoformat(indexed) if indexed else None,
            legacy_evidence=tuple(data.get("evidence") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage.value,
            "case_id": self.case_id,
            "touched": self.touched.isoformat(),
            "form": self.form.to_dict(),
        }
        if self.indexed is not None:
            out["indexed"] = self.indexed.isoformat()
        if self.legacy_evidence:
            out["evidence"] = list(self.legacy_evidence)
        return out


@dataclass(frozen=True)
class Problem:
    """The first wrong field of the form and why (`invalid.<reason>`, `field.<field>` texts)."""

    field: str
    reason: str


Validate = Callable[[ReportForm], Facts]  # raises InvalidInput naming the first wrong field


@dataclass(frozen=True)
class Context:
    """What a turn needs from outside: the moment, the employee's zone and the form's validator."""

    now: datetime
    zone: ZoneInfo
    validate: Validate

    @property
    def max_date(self) -> str:
        """The form's date picker stops at today, local time."""
        return self.now.astimezone(self.zone).date().isoformat()


# -- events: what happened in the chat, or what an effect came to --------------------------------


@dataclass(frozen=True)
class Expire:
    """The draft was untouched for its time-to-live (see `needs_draft_check`, `draft_expired`)."""


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class FormSubmitted:
    form: ReportForm


@dataclass(frozen=True)
class EvidenceDone:
    pass


@dataclass(frozen=True)
class Edit:
    pass


@dataclass(frozen=True)
class Submit:
    leader: object  # the leader the employee chose on the review card, unchecked (the service checks)


@dataclass(frozen=True)
class Other:
    """Anything else: a stale button, "indberet" again, other text."""


ChatEvent = Cancel | FormSubmitted | EvidenceDone | Edit | Submit | Other


@dataclass(frozen=True)
class Files:
    """A message with attachments. Where files are not taken (the form), it counts as `otherwise`."""

    otherwise: ChatEvent


@dataclass(frozen=True)
class EvidenceTaken:
    """`TakeEvidence` is done; `answered` when its answers were given in this turn."""

    answered: bool


class SubmitOutcome(StrEnum):
    STILL_RECEIVING = "still_receiving"  # a message's files are still being downloaded
    DRAFT_GONE = "draft_gone"  # the draft was discarded meanwhile


@dataclass(frozen=True)
class SubmitRefused:
    outcome: SubmitOutcome


@dataclass(frozen=True)
class Submitted:
    case: Case
    follow_ups: tuple[object, ...]  # the service's events; none when the draft was submitted before


Event = Expire | ChatEvent | Files | EvidenceTaken | SubmitRefused | Submitted


# -- effects: what the carrier does --------------------------------------------------------------


@dataclass(frozen=True)
class StartDraft:
    """Index the new draft (so it can be found, reminded and discarded)."""


@dataclass(frozen=True)
class TouchDraft:
    pass


@dataclass(frozen=True)
class DiscardDraft:
    pass


@dataclass(frozen=True)
class MigrateLegacyEvidence:
    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ShowForm:
    form: ReportForm
    max_date: str
    problem: Problem | None = None


@dataclass(frozen=True)
class ShowEvidencePrompt:
    pass


@dataclass(frozen=True)
class ShowReview:
    form: ReportForm
    if_no_evidence: str | None = None  # a text said first when the draft has no screenshots


@dataclass(frozen=True)
class Say:
    """A text said; `values` fill its placeholders (see `say`)."""

    key: str
    values: tuple[tuple[str, object], ...] = ()


def say(key: str, **values: object) -> Say:
    return Say(key, tuple(values.items()))


def spoken(tx: Texts, said: Say) -> str:
    """The text of a `Say` in the user's language; a value that is itself a `Say` (a reason inside
    a refusal) is said first."""
    return tx(said.key, **{name: spoken(tx, v) if isinstance(v, Say) else v for name, v in said.values})


@dataclass(frozen=True)
class LogFormRefused:
    problem: Problem


@dataclass(frozen=True)
class TakeEvidence:
    """Take the message's files onto the draft; answer with `EvidenceTaken`."""


@dataclass(frozen=True)
class SubmitReport:
    """Close the draft and submit the case; answer with `Submitted` or `SubmitRefused`."""

    facts: Facts
    leader: object


@dataclass(frozen=True)
class ShowReceipt:
    case: Case


@dataclass(frozen=True)
class ForgetDrafts:
    """The employee's draft reminders are done with."""


@dataclass(frozen=True)
class Publish:
    """Hand the submit's events to the dispatcher: the follow-up work (notify the leader, ...)."""

    follow_ups: tuple[object, ...]


@dataclass(frozen=True)
class End:
    """The dialog ends; `result` is the submitted case's id."""

    result: str | None = None


Effect = (
    StartDraft
    | TouchDraft
    | DiscardDraft
    | MigrateLegacyEvidence
    | ShowForm
    | ShowEvidencePrompt
    | ShowReview
    | Say
    | LogFormRefused
    | TakeEvidence
    | SubmitReport
    | ShowReceipt
    | ForgetDrafts
    | Publish
    | End
)


@dataclass(frozen=True)
class Step:
    state: FlowState
    effects: tuple[Effect, ...] = field(default=())


# -- the machine ----------------------------------------------------------------------------------


def start(case_id: str, context: Context) -> Step:
    """A new draft: the form, with the date and time of now filled in."""
    local = context.now.astimezone(context.zone)
    form = ReportForm(date=local.date().isoformat(), time=local.strftime("%H:%M"))
    state = FlowState(Stage.FORM, case_id, context.now, form, indexed=context.now)
    return Step(state, (StartDraft(), ShowForm(form, context.max_date)))


def event_of(value: object, text: str, has_files: bool) -> Event:
    """The chat event of a message: its card verb, its text, whether it carries files."""
    verb = verb_of(value)
    words = normalise(text)
    if verb is Verb.REPORT_CANCEL or (verb is None and words in CANCEL_WORDS):
        return Cancel()
    chat: ChatEvent
    if verb is Verb.REPORT_FORM:
        chat = FormSubmitted(ReportForm.from_payload(value))
    elif verb is Verb.EVIDENCE_DONE or (verb is None and words in DONE_WORDS):
        chat = EvidenceDone()
    elif verb is Verb.REVIEW_EDIT:
        chat = Edit()
    elif verb is Verb.REVIEW_SUBMIT:
        chat = Submit(value.get("leader") if isinstance(value, dict) else None)
    else:
        chat = Other()
    return Files(chat) if has_files else chat


def needs_draft_check(state: FlowState, now: datetime, ttl: timedelta) -> bool:
    """The dialog state is older than the time-to-live. Messages with files touch only the draft
    document, so the carrier then asks the document (`draft_expired`) before calling it expired."""
    return now - state.touched > ttl


def draft_expired(draft_touched: datetime | None, now: datetime, ttl: timedelta) -> bool:
    return draft_touched is None or now - draft_touched > ttl


def step(state: FlowState, event: Event, context: Context) -> Step:
    """The next state and what to do, for one event."""
    match event:
        case Expire():
            return Step(state, (Say("report.expired"), DiscardDraft(), End()))
        case Cancel():
            return Step(state, (DiscardDraft(), Say("report.cancelled"), End()))
        case Files(otherwise):
            if state.stage in (Stage.EVIDENCE, Stage.REVIEW):
                return Step(state, (TakeEvidence(),))  # the dialog state is left as it is
            return step(state, otherwise, context)
        case EvidenceTaken(answered):
            return Step(state, (_show(state, context),) if answered and state.stage is Stage.REVIEW else ())
        case SubmitRefused(outcome):
            if outcome is SubmitOutcome.STILL_RECEIVING:
                return Step(state, (Say("evidence.still_receiving"),))
            return Step(state, (Say("report.expired"), End()))  # the draft is gone
        case Submitted(case, follow_ups):
            publish: tuple[Effect, ...] = (Publish(follow_ups),) if follow_ups else ()
            return Step(state, (ShowReceipt(case), ForgetDrafts(), *publish, End(case.id)))
        case FormSubmitted() | EvidenceDone() | Edit() | Submit() | Other():
            touched, kept = _touch(state, context.now)
            moved = _move(touched, event, context)
            return Step(moved.state, kept + moved.effects)
    assert_never(event)


def _touch(state: FlowState, now: datetime) -> tuple[FlowState, tuple[Effect, ...]]:
    """Every turn without files: the state is touched, legacy evidence moved to the draft
    document, and the draft index refreshed when it is older than `INDEX_EVERY`."""
    effects: list[Effect] = []
    if state.legacy_evidence:
        effects.append(MigrateLegacyEvidence(state.legacy_evidence))
    indexed = state.indexed
    if indexed is None or now - indexed >= INDEX_EVERY:
        effects.append(TouchDraft())
        indexed = now
    return replace(state, touched=now, indexed=indexed, legacy_evidence=()), tuple(effects)


def _move(state: FlowState, event: ChatEvent, context: Context) -> Step:
    match state.stage, event:
        case Stage.FORM, FormSubmitted(form):
            state = replace(state, form=form)
            problem = _problem(form, context)
            if problem is not None:
                return Step(state, (LogFormRefused(problem), ShowForm(form, context.max_date, problem)))
            return Step(replace(state, stage=Stage.EVIDENCE), (ShowEvidencePrompt(),))
        case Stage.EVIDENCE, EvidenceDone():
            return Step(replace(state, stage=Stage.REVIEW), (ShowReview(state.form, "evidence.none_yet"),))
        case Stage.REVIEW, Edit():
            state = replace(state, stage=Stage.FORM)
            return Step(state, (_show(state, context),))
        case Stage.REVIEW, Submit(leader):
            try:
                facts = context.validate(state.form)
            except InvalidInput as exc:  # e.g. a stored draft from before a rule changed
                state = replace(state, stage=Stage.FORM)
                return Step(state, (ShowForm(state.form, context.max_date, Problem(exc.field, exc.reason)),))
            return Step(state, (SubmitReport(facts, leader),))
    return Step(state, (Say("report.resumed"), _show(state, context)))


def _problem(form: ReportForm, context: Context) -> Problem | None:
    try:
        context.validate(form)
    except InvalidInput as exc:
        return Problem(exc.field, exc.reason)
    return None


def _show(state: FlowState, context: Context) -> Effect:
    """The card of the step the draft is at."""
    if state.stage is Stage.FORM:
        return ShowForm(state.form, context.max_date)
    if state.stage is Stage.EVIDENCE:
        return ShowEvidencePrompt()
    return ShowReview(state.form)
