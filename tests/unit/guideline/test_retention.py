"""When a closed case is due for deletion: the pure rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.guideline.model import Case, CaseStatus
from bot.guideline.retention import MIN_CLOSED_CASE_DAYS, RetentionRules, due_for_deletion, expires_at
from tests.unit.guideline.builders import OPENED, opened

CLOSED = OPENED + timedelta(days=30)


def closed_case() -> Case:
    return replace(opened(), status=CaseStatus.CLOSED, closed_at=CLOSED)


def test_a_closed_case_expires_its_days_after_closing() -> None:
    rules = RetentionRules(730)
    assert expires_at(closed_case(), rules, held=False) == CLOSED + timedelta(days=730)
    assert not due_for_deletion(closed_case(), rules, False, CLOSED + timedelta(days=730, seconds=-1))
    assert due_for_deletion(closed_case(), rules, False, CLOSED + timedelta(days=730))


def test_open_held_and_kept_cases_never_expire() -> None:
    far = CLOSED + timedelta(days=10_000)
    assert expires_at(opened(), RetentionRules(730), held=False) is None
    assert not due_for_deletion(opened(), RetentionRules(730), False, far)
    assert not due_for_deletion(closed_case(), RetentionRules(730), True, far)
    assert not due_for_deletion(closed_case(), RetentionRules(0), False, far)


@pytest.mark.parametrize("days", [-1, 1, MIN_CLOSED_CASE_DAYS - 1])
def test_too_short_a_period_is_refused(days: int) -> None:
    with pytest.raises(ValueError):
        RetentionRules(days)


def test_the_rule_names_itself_for_the_deletion_record() -> None:
    assert RetentionRules(800).rule == "closed_case_days=800"
