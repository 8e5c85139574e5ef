"""Every card the bot can send, in Danish and English, with realistic and worst-case data, checked
against what Teams accepts: Microsoft's renderer (no errors, no warnings), schema 1.5, our 28 KB budget,
and only verbs the bot's router handles.

Why one place for all cards: a card that renders fine with a short test description can break the
28 KB budget with a 4,000-character one and 30 screenshots, and a button whose verb no route handles
is a dead end that only a user would find. The renderer is started once for all cards (one node run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import Overrides, build_runtime
from bot.chat.forms import MAX_DESCRIPTION, MAX_LINK, MAX_OFFENDER, ReportForm
from bot.guideline import (
    ApvFiled,
    ApvMeasuresSet,
    Case,
    CaseClosed,
    CitizenContacted,
    CitizenContactNotPossible,
    CitizenUnreachable,
    EvidenceItem,
    FollowUpDone,
    FollowUpScheduled,
    InsuBizNoteDrafted,
    InsuBizRegistered,
    OfferAnswer,
    OfferChannel,
    PoliceOfferAnswered,
    PoliceOfferMade,
    RemovalDecided,
    RemovalOutcome,
    SavedOnCase,
    StepId,
    decide,
    new_case,
)
from bot.guideline.actions import ACTIONS
from bot.guideline.actions import MAX_LONG_INPUT as MAX_INPUT
from bot.guideline.med import MedSchedule, MeetingKind, mark_done, new_evaluation, put_on_agenda
from bot.guideline.med import figures as med_figures
from bot.guideline.med import mark_sent as med_mark_sent
from bot.guideline.model import MAX_NAME, MAX_NOTE, MAX_SHORT, Actor, Person
from bot.guideline.overview import by_urgency
from bot.hosting.settings import Settings
from bot.intake.evidence_links import EvidenceLinks
from bot.presenters.case_cards import CaseCards
from bot.services.audit import record, record_events
from bot.storage.local import LocalStore
from bot.teams.handler import CASE_VERBS, MED_VERBS
from bot.texts import Texts
from cards.evidence_pack import PackFileView, PackReadyView, pack_ready_card
from cards.guideline import guideline_card
from cards.help import Audience, help_card
from cards.hr import hr_cases_card
from cards.med import (
    MedCardView,
    OverviewRow,
    med_overview_card,
    med_reminder_card,
    registered_card,
    registration_card,
)
from cards.my_cases import MAX_LISTED, my_cases_card
from cards.refusal import refusal_card
from cards.report import report_card
from cards.review import EvidenceLine, ReceiptView, receipt_card, review_card
from cards.verbs import Verb
from cards.welcome import welcome_card
from dialogs.report import evidence_prompt_card
from tests.fakes.cardcheck import MAX_CARD_BYTES, CardReport, check_cards
from tests.unit.guideline.builders import (
    AS_DEPUTY,
    AS_HR,
    AS_LEADER,
    AS_REPORTER,
    DEPUTY,
    LEADER,
    MANAGER,
    OPENED,
    POLICY,
    REPORTER,
    TZ,
    at,
    evidence,
    facts,
)

LANGUAGES = ("da", "en")
LEADERS_IN_DIRECTORY = 400
TEAMS_NAME = len("Skærmbillede 2026-03-01 kl. 21.34.12.png")  # what Teams calls a pasted screenshot
# Danish letters are two bytes in UTF-8: the heaviest text a Danish employee realistically types.
HEAVY = "Æbleøjne på åen – "


def heavy(n: int) -> str:
    return (HEAVY * (n // len(HEAVY) + 1))[:n]


def long_name(n: int = MAX_NAME) -> str:
    return heavy(n)


# Dialog verbs are matched by the report flow's event_of (bot/chat/report_flow.py), no table to import.
DIALOG_VERBS = frozenset(
    {Verb.REPORT_FORM, Verb.REPORT_CANCEL, Verb.EVIDENCE_DONE, Verb.REVIEW_EDIT, Verb.REVIEW_SUBMIT}
)
# Begun directly in GuidelineBot.on_message_activity.
DIALOG_STARTS = frozenset({Verb.REPORT, Verb.ADD_EVIDENCE})


@dataclass(frozen=True)
class Checked:
    name: str
    card: dict[str, Any]
    report: CardReport


# -- data ------------------------------------------------------------------------------------------


def evidence_items(count: int, *, name_len: int = 0) -> list[EvidenceItem]:
    items = []
    for n in range(count):
        item = evidence(n, when=OPENED - timedelta(minutes=count - n))
        if name_len:
            suffix = f"-{n}.png"
            item = replace(item, original_name=heavy(name_len - len(suffix)) + suffix)
        items.append(item)
    return items


def open_case(
    *,
    description: str | None = None,
    shots: int = 1,
    name_len: int = 0,
    people: tuple[Person, Person, Person] = (REPORTER, LEADER, DEPUTY),
    max_fields: bool = False,
    case_id: str = "c0ffee00c0ffee00c0ffee00c0ffee00",
) -> tuple[Case, list[Any]]:
    overrides: dict[str, object] = {"family_threatened": True}
    if description is not None:
        overrides["description"] = description
    if max_fields:
        overrides["link"] = "https://www.facebook.com/groups/" + "a" * (MAX_LINK - 32)
        overrides["offender"] = heavy(MAX_OFFENDER)
    reporter, leader, deputy = people
    return new_case(
        case_id,
        "KH-2026-0001",
        reporter,
        leader,
        deputy,
        heavy(MAX_SHORT) if max_fields else "Borgerservice",
        facts(**overrides),
        [replace(e, uploaded_by=reporter.aad_object_id) for e in evidence_items(shots, name_len=name_len)],
        OPENED,
        POLICY,
        leader_manager=MANAGER,
    )


Step = tuple[Actor, Any]


def leader_flow(case: Case, long_text: int = 0) -> Iterator[tuple[str, Case, list[Any], datetime]]:
    """The states a case passes through, with the events that got it there (for the audit)."""
    note = heavy(MAX_NOTE) if long_text else "Ringet til borgeren, aftalt at henvendelser går via borgerservice."
    lead = Actor(case.leader.aad_object_id if case.leader else "")
    employee = Actor(case.reporter.aad_object_id)
    plan: list[tuple[str, list[Step], datetime]] = [
        ("offer_made_answer_pending", [(lead, PoliceOfferMade(OfferChannel.BOT))], at(2026, 3, 2, 10, 30)),
        (
            "police_declined_insubiz_open",
            [(employee, PoliceOfferAnswered(OfferAnswer.NO_REPORT))],
            at(2026, 3, 2, 11),
        ),
        (
            "insubiz_drafted",
            [(lead, InsuBizNoteDrafted(heavy(long_text) if long_text else "Notat: medarbejderen ..."))],
            at(2026, 3, 2, 12),
        ),
        (
            "apv_measures_set",
            [
                (lead, RemovalDecided(RemovalOutcome.REQUESTED, note)),
                (lead, CitizenContactNotPossible(CitizenUnreachable.ANONYMOUS, note)),
                (lead, ApvMeasuresSet(heavy(long_text) if long_text else note)),
            ],
            at(2026, 3, 3, 9),
        ),
        (
            "followups_scheduled",
            [
                (lead, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 20))),
                (lead, FollowUpScheduled(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 23))),
            ],
            at(2026, 3, 4, 9),
        ),
        (
            "all_decided_close_available",
            [
                (lead, RemovalDecided(RemovalOutcome.REMOVED, note)),
                (lead, CitizenContacted(note)),  # the sender was found after all
                (lead, InsuBizRegistered("IB-2026-" + "7" * 180 if long_text else "IB-2026-17")),
                (lead, ApvFiled("DEFGO-2026-" + "9" * 180 if long_text else "DEFGO-2026-117")),
                (lead, FollowUpDone(StepId.FOLLOWUP_EMPLOYEE, date(2026, 3, 20), note)),
                (lead, FollowUpDone(StepId.FOLLOWUP_COLLEAGUES, date(2026, 3, 23), note)),
                (employee, SavedOnCase("SAG-2026-" + "8" * 180 if long_text else "SAG-2026-0815")),
            ],
            at(2026, 3, 24, 9),
        ),
        ("closed", [(lead, CaseClosed())], at(2026, 3, 24, 10)),
    ]
    for name, decisions, when in plan:
        events: list[Any] = []
        for actor, decision in decisions:
            case, caused = decide(case, actor, decision, when, POLICY)
            assert caused, f"{name}: {decision!r} changed nothing"
            events += caused
        yield name, case, events, when


# -- case cards ------------------------------------------------------------------------------------


def production_link(case_id: str, sha256: str, to: str = "") -> str:
    """The link production puts on cards: the bot's own signed route (which redirects to a
    read-only SAS on Azure), under a realistic App Service host name, signed for its viewer."""
    return LINKS.sign(case_id, sha256, to=to)


LINKS = EvidenceLinks("https://app-kraenkelser-prod-weu.azurewebsites.net")


@dataclass(frozen=True)
class Family:
    """One kind of case, walked through every state of the leader flow."""

    name: str
    description: str | None = None
    shots: int = 1
    name_len: int = 0
    audit_lines: int = 0
    long_text: int = 0
    max_fields: bool = False
    people: tuple[Person, Person, Person] = (REPORTER, LEADER, DEPUTY)


FAMILIES = (
    Family("realistic"),
    Family("evidence30", shots=POLICY.max_evidence_items, name_len=TEAMS_NAME),
    Family("history200", audit_lines=200),
    Family("description4000", description=heavy(MAX_DESCRIPTION)),
    # The three above at once: a long-running case with every screenshot and a long account.
    Family(
        "listed_maxima",
        description=heavy(MAX_DESCRIPTION),
        shots=POLICY.max_evidence_items,
        name_len=TEAMS_NAME,
        audit_lines=200,
    ),
    # Every field at the most the code accepts (names, file names, notes, link, offender).
    Family(
        "worst",
        description=heavy(MAX_DESCRIPTION),
        shots=POLICY.max_evidence_items,
        name_len=255,
        audit_lines=200,
        long_text=MAX_INPUT,
        max_fields=True,
        people=(
            Person(REPORTER.aad_object_id, long_name()),
            Person(LEADER.aad_object_id, long_name()),
            Person(DEPUTY.aad_object_id, long_name()),
        ),
    ),
)
VIEWERS = {"leader": AS_LEADER, "deputy": AS_DEPUTY, "hr": AS_HR, "reporter": AS_REPORTER}


def directory_leaders(family: Family) -> Callable[[], Awaitable[list[Person]]]:
    """The leaders HR may hand a case to: a large municipality's directory (the card caps the list)."""
    name = long_name() if family.max_fields else "Lene Lederlund-Christensen"

    async def leaders() -> list[Person]:
        return [Person(f"00000000-0000-0000-0000-{n:012d}", name) for n in range(LEADERS_IN_DIRECTORY)]

    return leaders


async def pad_audit(store: LocalStore, case: Case, target: int, when: datetime) -> None:
    """Reminders and notifications are what makes a long history: pad with them up to `target` lines."""
    have = len(await store.read_audit(case.id))
    for n in range(have, target):
        kind = "notified" if n % 2 else "unreachable"
        await record(store, case.id, kind, case.leader.aad_object_id if case.leader else "", when, n=n)


async def case_cards(store: LocalStore) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for number, family in enumerate(FAMILIES):
        cards = CaseCards(store, POLICY, TZ, link_signer=production_link, leaders=directory_leaders(family))
        case, events = open_case(
            description=family.description,
            shots=family.shots,
            name_len=family.name_len,
            people=family.people,
            max_fields=family.max_fields,
            case_id=f"{number:032x}",
        )
        states = [("new_case", case, events, OPENED), *leader_flow(case, family.long_text)]
        for state, current, caused, when in states:
            await record_events(store, caused)
            await pad_audit(store, current, family.audit_lines, when)
            for viewer, actor in VIEWERS.items():
                for lang in LANGUAGES:
                    for history in (True, False) if family.name == "realistic" else (True,):
                        card = await cards.render(current, actor, Texts(lang), when, with_history=history)
                        label = f"case[{family.name}/{state}/{viewer}/{lang}{'/history' if history else ''}]"
                        out.append((label, card))
            if state == "new_case":
                evidence = await cards.render(current, VIEWERS["leader"], Texts("da"), when, evidence_only=True)
                out.append((f"evidence_list[{family.name}]", evidence))
    return out


# -- the employee's and HR's cards -----------------------------------------------------------------

GOOD_FORM = ReportForm(
    category="trussel",
    description="Han skrev at han ved hvor jeg bor.",
    date="2026-03-01",
    time="21:30",
    platform="facebook",
    link="https://facebook.com/p/1",
    offender="Profilen 'Sandhedsvidne'",
    outside_hours=True,
    family=True,
)
MAX_FORM = ReportForm(
    category="chikane",
    description=heavy(MAX_DESCRIPTION),
    date="2026-03-01",
    time="21:30",
    platform="other",
    link="https://www.facebook.com/groups/" + "a" * (MAX_LINK - 32),
    offender=heavy(MAX_OFFENDER),
    outside_hours=True,
    family=True,
)


def lines(count: int, name_len: int = 0) -> list[EvidenceLine]:
    return [EvidenceLine(e.original_name, e.size * 3000, e.sha256) for e in evidence_items(count, name_len=name_len)]


def many_cases(count: int, *, long_names: bool) -> list[Case]:
    people = (
        (Person(REPORTER.aad_object_id, long_name()), Person(LEADER.aad_object_id, long_name()), DEPUTY)
        if long_names
        else (REPORTER, LEADER, DEPUTY)
    )
    cases = []
    for n in range(count):
        case, _ = open_case(description=heavy(MAX_DESCRIPTION), people=people, case_id=f"{n:032x}")
        cases.append(replace(case, number=f"KH-2026-{n + 1:04d}"))
    return cases


PACK_READY = PackReadyView(
    "KH-2026-0001",
    tuple(
        PackFileView(kind, f"Bevismappe-KH-2026-0001.{kind}", 25 << 20, "a" * 64, "https://bot.example.dk/" + "p" * 300)
        for kind in ("pdf", "docx", "zip")
    ),
    OPENED,
    TZ,
)


def employee_cards(lang: str) -> list[tuple[str, dict[str, Any]]]:
    tx = Texts(lang)
    problem = tx("invalid.too_long", field=tx("field.description"))
    max_date = "2026-03-02"
    empty = ReportForm(date=max_date, time="10:00")
    late = OPENED + timedelta(days=30)  # every immediate step overdue
    receipt = ReceiptView("KH-2026-0001", "02-03-2026 10:00", [], "Lene Leder")
    deadlines = replace(
        receipt,
        clock_from="onsdag 25-11-2026 kl. 08:00",
        ack_by="onsdag 25-11-2026 kl. 10:00",
        deputy_then_hr_at="onsdag 25-11-2026 kl. 12:00",
        absent_leader_deputy=long_name(),
        steps_due="torsdag 26-11-2026 kl. 16:00",
    )
    led = by_urgency(many_cases(60, long_names=True), late, POLICY)  # every one overdue
    return [
        ("welcome", welcome_card(tx)),
        ("evidence_pack_ready", pack_ready_card(tx, PACK_READY)),
        ("guideline", guideline_card(tx)),
        ("help/employee", help_card(tx, Audience())),
        ("help/leader_hr", help_card(tx, Audience(leader=True, hr=True))),
        ("help/channel_hr", help_card(tx, Audience(channel=True, hr=True), long_name())),
        ("evidence_prompt", evidence_prompt_card(tx)),
        ("report/empty", report_card(tx, empty, max_date=max_date)),
        ("report/problem", report_card(tx, GOOD_FORM, max_date=max_date, problem=problem)),
        ("report/max_inputs", report_card(tx, MAX_FORM, max_date=max_date, problem=problem)),
        ("review/0", review_card(tx, GOOD_FORM, [])),
        ("review/30", review_card(tx, GOOD_FORM, lines(30))),
        ("review/30_max", review_card(tx, MAX_FORM, lines(30, name_len=255))),
        ("receipt/0", receipt_card(tx, receipt)),
        ("receipt/no_leader", receipt_card(tx, replace(receipt, leader_name=None))),
        (
            "receipt/30_max",
            receipt_card(tx, replace(deadlines, evidence=lines(30, name_len=255), leader_name=long_name())),
        ),
        ("receipt/deadlines", receipt_card(tx, deadlines)),
        ("my_cases/0", my_cases_card(tx, [], TZ)),
        ("my_cases/1", my_cases_card(tx, many_cases(1, long_names=False), TZ)),
        ("my_cases/over_max", my_cases_card(tx, many_cases(MAX_LISTED + 5, long_names=True), TZ)),
        ("my_cases/leader_and_own", my_cases_card(tx, many_cases(MAX_LISTED + 5, long_names=True), TZ, led)),
        ("my_cases/leader_only", my_cases_card(tx, [], TZ, led)),
        ("my_cases/leader_none_open", my_cases_card(tx, many_cases(1, long_names=False), TZ, [])),
        ("hr/0", hr_cases_card(tx, [], TZ)),
        ("hr/60", hr_cases_card(tx, led, TZ)),
        ("refusal", refusal_card(tx)),
        ("refusal/not_possible", refusal_card(tx, tx("error.not_possible_now"))),
    ]


# -- the router's verbs ----------------------------------------------------------------------------


async def router_verbs(data_dir: Path) -> tuple[frozenset[Verb], frozenset[Verb]]:
    """(message verbs, invoke verbs) the bot built by app.build_runtime actually routes."""
    store = LocalStore(data_dir)
    runtime = await build_runtime(
        Settings.from_env({"DATA_DIR": str(data_dir)}), Overrides(store=store, run_scheduler=False)
    )
    try:
        routes = frozenset(runtime.bot._routes)
    finally:
        await runtime.close()
        await store.close()
    return routes | DIALOG_STARTS | DIALOG_VERBS, frozenset(CASE_VERBS | MED_VERBS)


def med_cards(lang: str) -> list[tuple[str, dict[str, Any]]]:
    """The MED cards: registration (120 long unit names, and 300 short ones), the reminder in its
    states with quiet, anonymised and full figures, in a channel and in a manager's chat, with and
    without a local plan, and HR's overview over 300 workplaces."""
    tx = Texts(lang)
    schedule = MedSchedule()
    period = schedule.period_by_id("2026-H2")
    units = [f"{heavy(150)} {i}" for i in range(120)]
    cases = [case for case, _ in (open_case(case_id=f"{i:032x}") for i in range(5))]
    unit = cases[0].unit
    out = [
        ("med_register", registration_card(tx, units)),
        ("med_register", registration_card(tx, [f"Enhed {i}" for i in range(300)])),
        ("med_register", registration_card(tx, [], notice="x")),
        ("med_registered", registered_card(tx, heavy(200), heavy(200))),
        ("med_registered", registered_card(tx, heavy(200), heavy(200), moved=True)),
    ]
    ev = new_evaluation(unit or "u", period.id)
    states = [
        ev,
        med_mark_sent(ev, period.reminder_at),
        put_on_agenda(med_mark_sent(ev, period.reminder_at), date(2026, 9, 15), "a", period.reminder_at),
    ]
    states.append(
        mark_done(
            states[-1],
            date(2026, 9, 15),
            "https://intra.example.dk/" + "r" * 1900,
            "a",
            datetime(2026, 9, 20, tzinfo=UTC),
            meeting_kind=MeetingKind.STAFF_MEETING,
            plan_reviewed=True,
        )
    )
    for quiet in (True, False):
        figures = med_figures([] if quiet else cases, unit, period)
        for n, state in enumerate(states):
            plan = "https://intra.example.dk/" + "p" * 1900 if n % 2 else None
            view = MedCardView(
                heavy(200), period, figures, state, TZ, notice=heavy(100), plan_link=plan, in_chat=n >= 2
            )
            out.append(("med_reminder", med_reminder_card(tx, view)))
    rows = [OverviewRow(f"{heavy(120)} {i}", states[i % 4], i % 3 == 0, i % 5 == 0, i % 7 != 0) for i in range(300)]
    out.append(("med_overview", med_overview_card(tx, period, rows)))
    return [(f"{name}[{lang}]", c) for name, c in out]


async def build_all(root: Path) -> list[tuple[str, dict[str, Any]]]:
    out = [(f"{name}[{lang}]", card) for lang in LANGUAGES for name, card in employee_cards(lang)]
    out += [card for lang in LANGUAGES for card in med_cards(lang)]
    store = LocalStore(root / "cases")
    try:
        out += await case_cards(store)
    finally:
        await store.close()
    return out


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> list[Checked]:
    built = asyncio.run(build_all(tmp_path_factory.mktemp("cards")))
    reports = check_cards([card for _, card in built])
    return [Checked(name, card, report) for (name, card), report in zip(built, reports, strict=True)]


@pytest.fixture(scope="module")
def verbs(tmp_path_factory: pytest.TempPathFactory) -> tuple[frozenset[Verb], frozenset[Verb]]:
    return asyncio.run(router_verbs(tmp_path_factory.mktemp("router")))


# -- the checks ------------------------------------------------------------------------------------


def test_renderer_reports_no_errors_and_no_warnings(checked: list[Checked]) -> None:
    problems = [
        f"{c.name}: {p}"
        for c in checked
        for p in [*c.report.errors, *c.report.warnings]
        if "byte budget" not in p  # the size has its own test, with the numbers
    ]
    assert not problems, "\n".join(problems[:40])


def test_every_card_fits_the_28_kb_budget(checked: list[Checked]) -> None:
    worst: dict[str, tuple[int, str, int]] = {}  # kind -> (largest size, its card, how many over)
    for c in checked:
        if c.report.size_bytes <= MAX_CARD_BYTES:
            continue
        kind = c.name.split("/")[0] if c.name.startswith("case[") else c.name.split("[")[0]
        size, name, count = worst.get(kind, (0, "", 0))
        worst[kind] = (
            (size, name, count + 1) if size >= c.report.size_bytes else (c.report.size_bytes, c.name, count + 1)
        )
    assert not worst, "\n".join(
        f"{kind}: {count} card(s) over; largest {name} is {size} bytes, {size - MAX_CARD_BYTES} over "
        f"the {MAX_CARD_BYTES}-byte budget"
        for kind, (size, name, count) in sorted(worst.items())
    )


def test_every_button_is_routed(checked: list[Checked], verbs: tuple[frozenset[Verb], frozenset[Verb]]) -> None:
    message_verbs, invoke_verbs = verbs
    dead = []
    for c in checked:
        for action in c.report.actions:
            data = action.data if isinstance(action.data, dict) else {}
            if action.type == "Action.Submit":
                ok = data.get("verb") in {v.value for v in message_verbs}
                where = f"Submit verb {data.get('verb')!r}"
            else:
                ok = action.verb in {v.value for v in invoke_verbs}
                where = f"Execute verb {action.verb!r}"
            if ok and action.verb == Verb.DECIDE.value:
                ok = data.get("action") in ACTIONS
                where = f"decide action {data.get('action')!r}"
            if not ok:
                dead.append(f"{c.name} {action.path}: {where} is not routed")
    assert not dead, "\n".join(dead[:40])


def test_the_scenarios_reach_every_decision_and_every_card_kind(checked: list[Checked]) -> None:
    """Guards this test itself: a scenario that stopped drawing a button would check nothing."""
    drawn = {
        a.data.get("action")
        for c in checked
        for a in c.report.actions
        if a.verb == Verb.DECIDE.value and isinstance(a.data, dict)
    }
    assert drawn == set(ACTIONS)
    kinds = {c.name.split("[")[0].split("/")[0] for c in checked}
    assert kinds == {
        "welcome", "guideline", "help", "evidence_prompt", "report", "review", "receipt",
        "my_cases", "hr", "refusal", "case", "evidence_list", "med_register", "med_registered",
        "med_reminder", "med_overview", "evidence_pack_ready",
    }  # fmt: skip
