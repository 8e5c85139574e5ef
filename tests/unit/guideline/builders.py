"""Builders shared by the guideline tests: people, facts, evidence and cases at known moments."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.guideline import (
    Actor,
    ApvFiled,
    ApvMeasuresSet,
    Case,
    Category,
    CitizenContacted,
    DeadlinePolicy,
    Decision,
    EvidenceItem,
    Facts,
    FollowUpDone,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    NoColleaguesAffected,
    OfferAnswer,
    OfferChannel,
    Outcome,
    Person,
    Platform,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalOutcome,
    SavedOnCase,
    StepId,
    StepStatus,
    decide,
    new_case,
)

TZ = ZoneInfo("Europe/Copenhagen")
POLICY = DeadlinePolicy()

REPORTER = Person("u-reporter", "Rita Reporter")
LEADER = Person("u-leader", "Lene Leder")
DEPUTY = Person("u-deputy", "Dan Deputy")
MANAGER = Person("u-manager", "Mona Manager")
OTHER_LEADER = Person("u-leader2", "Ole Leder")

AS_REPORTER = Actor("u-reporter")
AS_LEADER = Actor("u-leader")
AS_DEPUTY = Actor("u-deputy")
AS_MANAGER = Actor("u-manager")
AS_HR = Actor("u-hr", is_hr=True)
AS_STRANGER = Actor("u-stranger")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# Monday 2 March 2026, 10:00 local: an ordinary working day.
OPENED = at(2026, 3, 2)


def facts(**overrides: object) -> Facts:
    values: dict[str, object] = {
        "category": Category.THREAT,
        "description": "Trusler i kommentarer under kommunens opslag.",
        "occurred_at": at(2026, 3, 1, 21),
        "platform": Platform.FACEBOOK,
        "link": "https://example.invalid/post/1",
        "offender": "Anonym profil",
        "outside_working_hours": True,
        "family_threatened": False,
    }
    values.update(overrides)
    return Facts(**values)  # type: ignore[arg-type]


def evidence(n: int = 0, by: str = "u-reporter", when: datetime = OPENED) -> EvidenceItem:
    return EvidenceItem(
        sha256=hashlib.sha256(f"shot-{n}".encode()).hexdigest(),
        size=1000 + n,
        content_type="image/png",
        original_name=f"skærmprint-{n}.png",
        uploaded_by=by,
        uploaded_at=when,
    )


def opened(
    now: datetime = OPENED,
    *,
    leader: Person | None = LEADER,
    deputy: Person | None = DEPUTY,
    leader_manager: Person | None = MANAGER,
    unit: str | None = "Borgerservice",
    policy: DeadlinePolicy = POLICY,
    case_id: str = "case-1",
    leader_absent: bool = False,
    **fact_overrides: object,
) -> Case:
    case, _ = new_case(
        case_id,
        "KH-2026-0001",
        REPORTER,
        leader,
        deputy,
        unit,
        facts(**fact_overrides),
        [evidence(0)],
        now,
        policy,
        leader_manager=leader_manager,
        leader_absent=leader_absent,
    )
    return case


def apply(case: Case, actor: Actor, *decisions: Decision, now: datetime = OPENED) -> Case:
    for decision in decisions:
        case, _ = decide(case, actor, decision, now, POLICY)
    return case


def offer(
    case: Case,
    answer: OfferAnswer | None = None,
    *,
    now: datetime = OPENED,
    answered: datetime | None = None,
    by: Actor = AS_LEADER,
) -> Case:
    """The leader records the police offer (in person); the employee answers if `answer` is given."""
    case = apply(case, by, PoliceOfferMade(OfferChannel.IN_PERSON), now=now)
    if answer is not None:
        case = apply(case, AS_REPORTER, PoliceOfferAnswered(answer), now=answered or now)
    return case


def settled_outcomes(case: Case, now: datetime = OPENED, *, declined: bool = False, by: Actor = AS_LEADER) -> Case:
    """Every step given a real outcome the guideline allows (the report filed, or declined by the
    employee with the InsuBiz note registered), so the case may close."""
    if declined:
        case = offer(case, OfferAnswer.NO_REPORT, now=now, by=by)
        case = apply(case, by, InsuBizNoteDrafted("Notat"), InsuBizRegistered("IB-1"), now=now)
    else:
        case = offer(case, OfferAnswer.TAKE_PART, now=now, by=by)
        case = apply(case, by, PoliceReported("4400-1", "Lene Leder"), now=now)
    day = now.astimezone(TZ).date()
    return apply(
        case,
        by,
        RemovalDecided(RemovalOutcome.REMOVED),
        CitizenContacted("Borgerservice"),
        ApvMeasuresSet("Moderation"),
        ApvFiled("DEFGO-1"),
        FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, day, "Samtale"),
        NoColleaguesAffected("Kun medarbejderen var nævnt"),
        SavedOnCase("SAG-2026-0815"),
        now=now,
    )


def waived(case: Case, step: StepId, reason: str = "Fravalgt før") -> Case:
    """A step as cases stored before waivers were removed hold it: WAIVED, with its reason."""
    state = case.step(step)
    fields = {**state.fields, "reason": reason}
    return case.with_step(replace(state, status=StepStatus.WAIVED, outcome=Outcome.WAIVED.value, fields=fields))
