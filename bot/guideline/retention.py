"""How long a closed case is kept, and when it must go: storage limitation (GDPR art. 5(1)(e)).

The bot is not the municipality's record system: the guideline tells the employee and the manager
to save the material on the relevant case in the case system, and the evidence pack is made for
that. So the bot keeps a closed case only as long as it helps the people on it and the MED
evaluations, then deletes it, unless HR holds it (a complaint, a police case, a request for
access that is still open).

Pure: a function of the case, its hold and `now`. The shell (bot/services/retention.py) deletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.guideline.model import Case, CaseStatus

# Two years after closing: two full MED evaluation cycles of the workplace see the case in their
# figures (and the anonymous counts outlive it), and a late question from the employee, the police
# or the Working Environment Authority can still be answered from the bot. Municipalities set
# their own period (RETENTION_DAYS); 0 keeps cases until HR deletes them.
DEFAULT_CLOSED_CASE_DAYS = 730
# MED records (a workplace's evaluation of a half-year: who marked it, the minutes link, the
# figures sent): five years after the period ended, so a MED committee and the Working Environment
# Authority can look back over ten evaluations; they name no reported person.
DEFAULT_MED_RECORD_DAYS = 1825
# Never shorter than a year: a deleted case must not be missing from the figures of a half-year
# period the bot still reports on (the current one and the one before).
MIN_CLOSED_CASE_DAYS = 365


@dataclass(frozen=True)
class RetentionRules:
    closed_case_days: int = DEFAULT_CLOSED_CASE_DAYS
    med_record_days: int = DEFAULT_MED_RECORD_DAYS

    def __post_init__(self) -> None:
        for name in ("closed_case_days", "med_record_days"):
            days = getattr(self, name)
            if not isinstance(days, int) or days < 0 or 0 < days < MIN_CLOSED_CASE_DAYS:
                raise ValueError(f"{name} must be 0 (keep) or at least {MIN_CLOSED_CASE_DAYS}")

    @property
    def rule(self) -> str:
        """The rule's name as the deletion record states it."""
        return f"closed_case_days={self.closed_case_days}"


def med_record_expired(period_end: datetime, rules: RetentionRules, now: datetime) -> bool:
    """A MED record (evaluation, reminder sent, follow-up) of a period that ended long enough ago."""
    return rules.med_record_days > 0 and period_end + timedelta(days=rules.med_record_days) <= now


def expires_at(case: Case, rules: RetentionRules, held: bool) -> datetime | None:
    """When the case is to be deleted; None while it is open, held, or kept for good."""
    if held or rules.closed_case_days == 0 or case.status is not CaseStatus.CLOSED or case.closed_at is None:
        return None
    return case.closed_at + timedelta(days=rules.closed_case_days)


def due_for_deletion(case: Case, rules: RetentionRules, held: bool, now: datetime) -> bool:
    moment = expires_at(case, rules, held)
    return moment is not None and moment <= now
