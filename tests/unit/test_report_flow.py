"""The report flow's every transition, without botbuilder, a store or a chat (bot/chat/report_flow.py).

The dialog that carries it is tested through a chat in tests/bot/test_report_dialog.py and the
hostile tests; here each rule is one small case: which event counts at which step, what a stale
button, a cancel or an expiry does, what is refused, and that a message with files leaves the
state alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.chat import report_flow as flow
from bot.chat.forms import ReportForm
from bot.chat.report_flow import (
    INDEX_EVERY,
    Cancel,
    Context,
    DiscardDraft,
    Edit,
    End,
    EvidenceDone,
    EvidenceTaken,
    Expire,
    Files,
    FlowState,
    ForgetDrafts,
    FormSubmitted,
    LogFormRefused,
    MigrateLegacyEvidence,
    Other,
    Problem,
    Publish,
    Say,
    ShowEvidencePrompt,
    ShowForm,
    ShowReceipt,
    ShowReview,
    Stage,
    StartDraft,
    Submit,
    SubmitOutcome,
    SubmitRefused,
    SubmitReport,
    Submitted,
    TakeEvidence,
    TouchDraft,
)
from bot.errors import InvalidInput
from bot.guideline.model import Facts
from bot.services.outcomes import CaseSubmitted
from bot.services.reports import validate_report
from tests.unit.guideline.builders import TZ, at, opened
from tests.unit.test_cards_limits import GOOD_FORM

NOW = at(2026, 11, 25, 9, 30)  # Wednesday, 09:30 in Copenhagen
GOOD = replace(GOOD_FORM, date="2026-11-24")  # the evening before NOW
NO_DESCRIPTION = replace(GOOD, description="")
CASE_ID = "0123456789abcdef0123456789abcdef"


def context(now: datetime = NOW) -> Context:
    return Context(now, TZ, lambda form: validate_report(form, now, TZ))


def refusing(field: str, reason: str) -> Context:
    """A validator that refuses every form (a rule that changed after the draft was stored)."""

    def validate(form: ReportForm) -> Facts:
        raise InvalidInput(field, reason)

    return Context(NOW, TZ, validate)


def state(stage: Stage, form: ReportForm = GOOD, *, touched: datetime = NOW, **extra: Any) -> FlowState:
    return FlowState(stage, CASE_ID, touched, form, indexed=extra.pop("indexed", NOW), **extra)


EARLIER = NOW - timedelta(minutes=2)  # recently indexed: no index write this turn


def turn(current: FlowState, event: flow.Event, ctx: Context | None = None) -> flow.Step:
    return flow.step(current, event, ctx or context())


# -- starting ----------------------------------------------------------------------------------------


def test_a_new_draft_shows_the_form_with_now_filled_in_local_time_and_is_indexed() -> None:
    first = flow.start(CASE_ID, context(at(2026, 11, 25, 0, 15)))
    assert first.state.stage is Stage.FORM and first.state.case_id == CASE_ID
    assert (first.state.form.date, first.state.form.time) == ("2026-11-25", "00:15")  # not UTC's 24 Nov
    assert first.state.indexed == first.state.touched == at(2026, 11, 25, 0, 15)
    assert first.effects == (StartDraft(), ShowForm(first.state.form, "2026-11-25"))


# -- what a message means ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text", "files", "expected"),
    [
        ({"verb": "report_cancel"}, "", False, Cancel()),
        (None, "Afbryd", False, Cancel()),
        (None, "stop!", False, Cancel()),
        (None, "cancel", True, Cancel()),  # cancel wins over the files
        ({"verb": "report_form", **GOOD.to_dict()}, "", False, FormSubmitted(GOOD)),
        ({"verb": "evidence_done"}, "", False, EvidenceDone()),
        (None, "Færdig", False, EvidenceDone()),
        (None, "done", True, Files(EvidenceDone())),
        ({"verb": "review_edit"}, "", False, Edit()),
        ({"verb": "review_submit", "leader": "u-leader"}, "", False, Submit("u-leader")),
        ({"verb": "review_submit"}, "", False, Submit(None)),
        ({"verb": "review_submit"}, "stop", False, Submit(None)),  # a card's verb wins over its text
        ({"verb": "report"}, "", False, Other()),
        ({"verb": "no_such_verb"}, "", False, Other()),
        ("not a dict", "hvad så", False, Other()),
        (None, "", True, Files(Other())),
    ],
)
def test_a_message_becomes_one_event(value: object, text: str, files: bool, expected: flow.Event) -> None:
    assert flow.event_of(value, text, files) == expected


def test_a_hostile_form_payload_is_bounded_before_the_flow_sees_it() -> None:
    event = flow.event_of({"verb": "report_form", "description": "x" * 100_000, "family": {"a": 1}}, "", False)
    assert isinstance(event, FormSubmitted)
    assert len(event.form.description) == 4001 and event.form.family is False


# -- the happy path ---------------------------------------------------------------------------------


def test_a_valid_form_moves_to_the_screenshots_and_keeps_the_form() -> None:
    blank = state(Stage.FORM, ReportForm(date="2026-11-25", time="09:30"), indexed=EARLIER)
    done = turn(blank, FormSubmitted(GOOD))
    assert done.state.stage is Stage.EVIDENCE and done.state.form == GOOD
    assert done.effects == (ShowEvidencePrompt(),)


def test_done_with_screenshots_shows_the_review_and_says_so_when_there_are_none() -> None:
    done = turn(state(Stage.EVIDENCE, indexed=EARLIER), EvidenceDone())
    assert done.state.stage is Stage.REVIEW
    assert done.effects == (ShowReview(GOOD, "evidence.none_yet"),)


def test_submit_from_the_review_submits_the_validated_facts_with_the_chosen_leader() -> None:
    done = turn(state(Stage.REVIEW, indexed=EARLIER), Submit("u-leader"))
    assert done.state.stage is Stage.REVIEW  # the outcome decides what follows
    assert done.effects == (SubmitReport(validate_report(GOOD, NOW, TZ), "u-leader"),)


def test_submitted_shows_the_receipt_forgets_the_reminders_publishes_and_ends_with_the_case_id() -> None:
    case = opened(case_id=CASE_ID)
    follow_ups = (CaseSubmitted(case),)
    done = turn(state(Stage.REVIEW), Submitted(case, follow_ups))
    assert done.effects == (ShowReceipt(case), ForgetDrafts(), Publish(follow_ups), End(CASE_ID))


def test_a_second_submit_of_the_same_draft_publishes_nothing_again() -> None:
    case = opened(case_id=CASE_ID)
    done = turn(state(Stage.REVIEW), Submitted(case, follow_ups=()))
    assert done.effects == (ShowReceipt(case), ForgetDrafts(), End(CASE_ID))


def test_edit_from_the_review_shows_the_form_with_the_input_kept() -> None:
    done = turn(state(Stage.REVIEW, indexed=EARLIER), Edit())
    assert done.state.stage is Stage.FORM and done.state.form == GOOD
    assert done.effects == (ShowForm(GOOD, "2026-11-25"),)


# -- refusals ----------------------------------------------------------------------------------------


def test_an_invalid_form_is_shown_again_with_the_input_kept_the_problem_named_and_logged() -> None:
    done = turn(state(Stage.FORM, ReportForm(), indexed=EARLIER), FormSubmitted(NO_DESCRIPTION))
    problem = Problem("description", "required")
    assert done.state.stage is Stage.FORM and done.state.form == NO_DESCRIPTION
    assert done.effects == (LogFormRefused(problem), ShowForm(NO_DESCRIPTION, "2026-11-25", problem))


def test_a_date_in_the_future_is_refused() -> None:
    tomorrow = replace(GOOD, date="2026-11-26")
    done = turn(state(Stage.FORM, indexed=EARLIER), FormSubmitted(tomorrow))
    assert done.state.stage is Stage.FORM
    assert done.effects[-1] == ShowForm(tomorrow, "2026-11-25", Problem("occurred_at", "in_future"))


def test_a_stored_form_that_no_longer_validates_goes_back_to_the_form_instead_of_submitting() -> None:
    done = turn(state(Stage.REVIEW, indexed=EARLIER), Submit("u-leader"), refusing("link", "not_http"))
    assert done.state.stage is Stage.FORM
    assert done.effects == (ShowForm(GOOD, "2026-11-25", Problem("link", "not_http")),)


def test_submit_while_files_are_still_arriving_waits_on_the_review() -> None:
    current = state(Stage.REVIEW)
    done = turn(current, SubmitRefused(SubmitOutcome.STILL_RECEIVING))
    assert done.state == current
    assert done.effects == (Say("evidence.still_receiving"),)


def test_submit_of_a_draft_discarded_meanwhile_says_it_expired_and_ends() -> None:
    done = turn(state(Stage.REVIEW), SubmitRefused(SubmitOutcome.DRAFT_GONE))
    assert done.effects == (Say("report.expired"), End())


STALE = [
    (Stage.FORM, EvidenceDone()),
    (Stage.FORM, Edit()),
    (Stage.FORM, Submit("u-leader")),
    (Stage.FORM, Other()),
    (Stage.EVIDENCE, FormSubmitted(NO_DESCRIPTION)),
    (Stage.EVIDENCE, Edit()),
    (Stage.EVIDENCE, Submit("u-leader")),
    (Stage.EVIDENCE, Other()),
    (Stage.REVIEW, FormSubmitted(NO_DESCRIPTION)),
    (Stage.REVIEW, EvidenceDone()),
    (Stage.REVIEW, Other()),
]
CURRENT_CARD = {
    Stage.FORM: ShowForm(GOOD, "2026-11-25"),
    Stage.EVIDENCE: ShowEvidencePrompt(),
    Stage.REVIEW: ShowReview(GOOD),
}


@pytest.mark.parametrize(("stage", "event"), STALE)
def test_a_stale_button_or_other_text_shows_the_current_step_and_changes_nothing(
    stage: Stage, event: flow.ChatEvent
) -> None:
    done = turn(state(stage, indexed=EARLIER), event)
    assert done.state == state(stage, indexed=EARLIER)  # a stale form does not overwrite the kept one
    assert done.effects == (Say("report.resumed"), CURRENT_CARD[stage])


# -- cancel and expiry -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(Stage))
def test_cancel_discards_the_draft_and_ends_at_any_step(stage: Stage) -> None:
    current = state(stage)
    done = turn(current, Cancel())
    assert done.state == current
    assert done.effects == (DiscardDraft(), Say("report.cancelled"), End())


@pytest.mark.parametrize("stage", list(Stage))
def test_an_expired_draft_says_so_is_discarded_and_ends(stage: Stage) -> None:
    done = turn(state(stage), Expire())
    assert done.effects == (Say("report.expired"), DiscardDraft(), End())


def test_expiry_asks_the_draft_document_only_when_the_state_is_older_than_the_time_to_live() -> None:
    ttl = timedelta(hours=72)
    assert not flow.needs_draft_check(state(Stage.EVIDENCE, touched=NOW - ttl), NOW, ttl)
    assert flow.needs_draft_check(state(Stage.EVIDENCE, touched=NOW - ttl - timedelta(seconds=1)), NOW, ttl)
    # Files touched the draft document meanwhile: not expired.
    assert not flow.draft_expired(NOW - timedelta(hours=1), NOW, ttl)
    assert flow.draft_expired(NOW - ttl - timedelta(seconds=1), NOW, ttl)
    assert flow.draft_expired(None, NOW, ttl)  # no document (or no stamp): expired


# -- files -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.EVIDENCE, Stage.REVIEW])
def test_files_are_taken_and_leave_the_state_exactly_as_it_was(stage: Stage) -> None:
    current = state(stage, touched=NOW - timedelta(hours=5), indexed=NOW - timedelta(hours=5))
    done = turn(current, Files(Other()))
    assert done.state is current  # not touched, not re-indexed: the carrier writes nothing
    assert done.effects == (TakeEvidence(),)


def test_files_on_the_form_count_as_what_the_message_otherwise_says() -> None:
    current = state(Stage.FORM, indexed=EARLIER)
    assert turn(current, Files(Other())) == turn(current, Other())
    assert turn(current, Files(FormSubmitted(GOOD))).state.stage is Stage.EVIDENCE


def test_answers_given_in_the_turn_show_the_review_again_only_on_the_review() -> None:
    assert turn(state(Stage.REVIEW), EvidenceTaken(answered=True)).effects == (ShowReview(GOOD),)
    assert turn(state(Stage.REVIEW), EvidenceTaken(answered=False)).effects == ()
    assert turn(state(Stage.EVIDENCE), EvidenceTaken(answered=True)).effects == ()


# -- bookkeeping of every other turn -------------------------------------------------------------------


def test_every_turn_without_files_touches_the_state_and_writes_the_index_at_most_every_ten_minutes() -> None:
    recent = state(Stage.EVIDENCE, touched=EARLIER, indexed=NOW - INDEX_EVERY + timedelta(seconds=1))
    done = turn(recent, Other())
    assert done.state.touched == NOW and done.state.indexed == recent.indexed
    assert TouchDraft() not in done.effects

    old = state(Stage.EVIDENCE, touched=EARLIER, indexed=NOW - INDEX_EVERY)
    done = turn(old, Other())
    assert done.state.touched == NOW and done.state.indexed == NOW
    assert done.effects[0] == TouchDraft()

    never = state(Stage.EVIDENCE, indexed=None)
    assert turn(never, EvidenceDone()).effects[0] == TouchDraft()


def test_evidence_kept_in_an_old_drafts_state_is_moved_to_the_draft_document_once() -> None:
    item = {"sha256": "a" * 64, "size": 3, "content_type": "image/png", "original_name": "x.png"}
    current = state(Stage.EVIDENCE, indexed=EARLIER, legacy_evidence=(item,))
    done = turn(current, EvidenceDone())
    assert done.effects[0] == MigrateLegacyEvidence((item,))
    assert done.state.legacy_evidence == ()
    assert MigrateLegacyEvidence((item,)) not in turn(done.state, Edit()).effects


# -- the stored form --------------------------------------------------------------------------------


def test_the_state_reads_and_writes_what_the_dialog_stored_before_the_flow_existed() -> None:
    stored = {
        "stage": "review",
        "case_id": CASE_ID,
        "touched": "2026-11-25T08:30:00+00:00",
        "form": GOOD.to_dict(),
        "indexed": "2026-11-25T08:21:00+00:00",
        "evidence": [{"sha256": "b" * 64}],
    }
    current = FlowState.from_dict(stored)
    assert current.stage is Stage.REVIEW and current.form == GOOD and current.legacy_evidence == ({"sha256": "b" * 64},)
    assert current.to_dict() == stored
    begun_long_ago = {key: stored[key] for key in ("stage", "case_id", "touched", "form")}
    assert FlowState.from_dict(begun_long_ago).indexed is None
    assert FlowState.from_dict(begun_long_ago).to_dict() == begun_long_ago
