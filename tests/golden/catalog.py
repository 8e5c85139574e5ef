"""Every card the bot sends, in Danish and English, built from fixed inputs: the golden catalogue.

Why: refactoring the services, the edge and the storage must not change what a user sees. The
cards are pinned as JSON files (`tests/golden/cards/`, written by `scripts/golden_cards.py`);
`tests/unit/test_golden_cards.py` builds them again and compares. Everything that could vary is
fixed: the clock (each state's own moment), the ids, the zone (Europe/Copenhagen), the signed
evidence links (a fixed signer) and the directory's leaders.

The employee's, HR's and MED's cards come from the card-limits test's builders (one place for
"every card"); the case card is walked here through more states than the limits test needs: the
acknowledgement, the police offer accepted and declined, each step's other outcomes, a deputy
brought in, an absent leader, a case without a leader and a reassignment.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.guideline import (
    Acknowledge,
    ApvFiled,
    ApvMeasuresSet,
    BringInDeputy,
    Case,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    FollowUpDone,
    FollowUpScheduled,
    LeaderReassigned,
    NoColleaguesAffected,
    OfferAnswer,
    OfferChannel,
    Person,
    PoliceOfferAnswered,
    PoliceOfferMade,
    PoliceReported,
    RemovalDecided,
    RemovalNotPossible,
    RemovalOutcome,
    RemovalStillThere,
    SavedOnCase,
    StepId,
    decide,
    new_case,
)
from bot.guideline.model import Actor
from bot.presenters.case_cards import CaseCards
from bot.services.audit import record_events
from bot.storage.local import LocalStore
from bot.takedown import load_routes
from bot.texts import Texts
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    DEPUTY,
    LEADER,
    MANAGER,
    OPENED,
    OTHER_LEADER,
    POLICY,
    REPORTER,
    TZ,
    at,
    evidence,
    facts,
)
from tests.unit.test_cards_limits import LANGUAGES, employee_cards, leader_flow, med_cards, open_case

Card = dict[str, Any]
VIEWERS = {"reporter": AS_REPORTER, "leader": AS_LEADER, "deputy": AS_DEPUTY, "hr": AS_HR}
NOTE = "Ringet til borgeren, aftalt at henvendelser går via borgerservice."


def signed_link(case_id: str, sha256: str, to: str = "") -> str:
    """A fixed stand-in for `EvidenceLinks.sign` (whose key and expiry change per process)."""
    return f"https://bot.example.dk/evidence/{case_id}/{sha256[:12]}?to={to}&sig=golden"


async def directory_leaders() -> list[Person]:
    return [LEADER, OTHER_LEADER, Person("u-leader3", "Lars Lederlund")]


Plan = list[tuple[str, list[tuple[Actor, Any]], datetime]]


def _walk(case: Case, plan: Plan) -> Iterator[tuple[str, Case, list[Any], datetime]]:
    for name, decisions, when in plan:
        events: list[Any] = []
        for actor, decision in decisions:
            case, caused = decide(case, actor, decision, when, POLICY)
            assert caused, f"{name}: {decision!r} changed nothing"
            events += caused
        yield name, case, events, when


def _opened(case_id: str, **kwargs: Any) -> tuple[Case, list[Any]]:
    return new_case(
        case_id,
        "KH-2026-0002",
        REPORTER,
        kwargs.pop("leader", LEADER),
        DEPUTY,
        "Borgerservice",
        facts(**kwargs.pop("facts", {})),
        [evidence(0, when=at(2026, 3, 2, 9, 58)), evidence(1, when=at(2026, 3, 2, 9, 59))],
        OPENED,
        POLICY,
        leader_manager=MANAGER,
        **kwargs,
    )


def scenarios() -> Iterator[tuple[str, Case, list[Any], datetime]]:
    """(scenario/state, case, the events that got it there, the moment) for every case state pinned."""
    # The limits test's leader flow: offer by the bot, declined, InsuBiz, APV, follow-ups, closed.
    case, events = open_case(case_id="c0ffee00c0ffee00c0ffee00c0ffee00")
    yield "main/new_case", case, events, OPENED
    for name, current, caused, when in leader_flow(case):
        yield f"main/{name}", current, caused, when

    lead, employee = AS_LEADER, AS_REPORTER
    # Acknowledged, then the offer accepted and the report filed, every other outcome taken.
    case, events = _opened("a1" * 16)
    yield "accepted/new_case", case, events, OPENED
    plan: Plan = [
        ("acknowledged", [(lead, Acknowledge())], at(2026, 3, 2, 10, 20)),
        ("offer_pending_in_person", [(lead, PoliceOfferMade(OfferChannel.IN_PERSON))], at(2026, 3, 2, 11)),
        ("offer_accepted", [(employee, PoliceOfferAnswered(OfferAnswer.TAKE_PART))], at(2026, 3, 2, 11, 30)),
        (
            "removal_not_possible_citizen_unknown",
            [
                (lead, RemovalNotPossible("Platformen svarer ikke.", "Anmodet via formularen to gange.")),
                (lead, CitizenContactNotPossible(CitizenUnreachable.UNKNOWN, "Afsenderen er ukendt.")),
            ],
            at(2026, 3, 2, 13),
        ),
        ("police_reported", [(lead, PoliceReported("3700-80241-00123-26", "Lene Leder"))], at(2026, 3, 2, 14)),
        (
            "no_colleagues_affected",
            [
                (lead, ApvMeasuresSet("Telefonen omstilles; opslag modereres.")),
                (lead, NoColleaguesAffected("Kun medarbejderen var nævnt.")),
                (lead, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 16))),
            ],
            at(2026, 3, 3, 9),
        ),
        (
            "last_steps_done",
            [
                (lead, ApvFiled("DEFGO-2026-118")),
                (lead, FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 16), NOTE)),
                (employee, SavedOnCase("SAG-2026-0816")),
            ],
            at(2026, 3, 17, 9),
        ),
        ("closed", [(lead, CaseClosed())], at(2026, 3, 17, 10)),
    ]
    for name, current, caused, when in _walk(case, plan):
        yield f"accepted/{name}", current, caused, when

    # The employee lets the leader file without them; the takedown request found still there.
    case, events = _opened("b2" * 16)
    plan = [
        ("offer_pending_phone", [(lead, PoliceOfferMade(OfferChannel.PHONE))], at(2026, 3, 2, 10, 40)),
        ("file_without_me", [(employee, PoliceOfferAnswered(OfferAnswer.FILE_WITHOUT_ME))], at(2026, 3, 2, 11)),
        ("removal_requested", [(lead, RemovalDecided(RemovalOutcome.REQUESTED, NOTE))], at(2026, 3, 2, 12)),
        ("removal_still_there", [(lead, RemovalStillThere())], at(2026, 3, 4, 9)),
        ("overdue", [(lead, CitizenContacted(NOTE))], at(2026, 3, 12, 9)),
    ]
    for name, current, caused, when in _walk(case, plan):
        yield f"without_me/{name}", current, caused, when

    # The leader does not acknowledge: HR brings in the deputy.
    case, events = _opened("c3" * 16)
    plan = [
        ("deputy_brought_in", [(AS_HR, BringInDeputy())], at(2026, 3, 2, 12, 30)),
        ("deputy_acknowledged", [(AS_DEPUTY, Acknowledge())], at(2026, 3, 2, 12, 45)),
    ]
    for name, current, caused, when in _walk(case, plan):
        yield f"deputy/{name}", current, caused, when

    # The leader marked absent: the deputy is on the case from the start.
    case, events = _opened("d4" * 16, leader_absent=True)
    yield "leader_absent/new_case", case, events, OPENED

    # No leader found in the directory: HR takes the case and hands it to a leader.
    case, events = _opened("e5" * 16, leader=None)
    yield "no_leader/new_case", case, events, OPENED
    plan = [("reassigned", [(AS_HR, LeaderReassigned(OTHER_LEADER, None))], at(2026, 3, 2, 13))]
    for name, current, caused, when in _walk(case, plan):
        yield f"no_leader/{name}", current, caused, when


async def case_cards(store: LocalStore) -> dict[str, Card]:
    cards = CaseCards(store, POLICY, TZ, link_signer=signed_link, leaders=directory_leaders, takedown=load_routes())
    out: dict[str, Card] = {}
    for label, case, events, when in scenarios():
        await record_events(store, events)
        for viewer, actor in VIEWERS.items():
            for lang in LANGUAGES:
                tx = Texts(lang)
                out[f"case/{label}/{viewer}/{lang}"] = await cards.render(case, actor, tx, when)
                # The history is one more section: pinned along the main flow and on closed cases.
                if (label.startswith("main/") and viewer == "leader") or label.endswith("/closed"):
                    history = await cards.render(case, actor, tx, when, with_history=True)
                    out[f"case/{label}/{viewer}/history/{lang}"] = history
        for lang in LANGUAGES:
            tx = Texts(lang)
            if label.endswith("/new_case"):
                out[f"evidence_list/{label}/{lang}"] = await cards.render(case, AS_LEADER, tx, when, evidence_only=True)
    # As notifications send them: the intro inside the card; and an edge's refusal on the card.
    case, _ = open_case(case_id="c0ffee00c0ffee00c0ffee00c0ffee00")
    for lang in LANGUAGES:
        tx = Texts(lang)
        intro = tx("notify.offer_answered", number=case.number, answer=tx("outcome.wants_to_join"))
        out[f"case/notice/leader/{lang}"] = await cards.render(case, AS_LEADER, tx, OPENED, notice=intro)
        error = tx("error.not_possible_now")
        out[f"case/notice_error/leader/{lang}"] = await cards.render(
            case, AS_LEADER, tx, OPENED, notice=error, notice_is_error=True
        )
    return out


def _numbered(pairs: list[tuple[str, Card]]) -> dict[str, Card]:
    """Name -> card, the "[lang]" dropped; a name given more than once gets its position (1, 2, ...)."""
    bases = [name.split("[")[0] for name, _ in pairs]
    seen: dict[str, int] = {}
    out: dict[str, Card] = {}
    for base, (_, card) in zip(bases, pairs, strict=True):
        seen[base] = seen.get(base, 0) + 1
        out[f"{base}/{seen[base]}" if bases.count(base) > 1 else base] = card
    return out


async def build() -> dict[str, Card]:
    """Every pinned card by name ("kind/.../lang"); names map one to one to file names."""
    out: dict[str, Card] = {}
    for lang in LANGUAGES:
        for name, card in employee_cards(lang):
            out[f"{name}/{lang}"] = card
        for name, card in _numbered(med_cards(lang)).items():
            out[f"{name}/{lang}"] = card
    with tempfile.TemporaryDirectory() as root:
        store = LocalStore(Path(root))
        try:
            out.update(await case_cards(store))
        finally:
            await store.close()
    return out
