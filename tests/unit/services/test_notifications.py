"""Case notifications: the case is the outbox. What is owed is sent once (also with two instances
delivering at once), a person who never wrote to the bot gets a new chat, nothing is "delivered"
to nobody: an unreachable leader's case goes to HR, and after `alert_after` the reporter is told."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.guideline.decisions import Acknowledge, FollowUpScheduled, RemovalDecided, RemovalOutcome, RemovalStillThere
from bot.guideline.model import Case, StepId
from bot.hosting.telemetry import Telemetry
from bot.presenters.case_cards import CaseCards
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.services.case_actions import CaseActions
from bot.services.hr_people import HrPeople
from bot.services.notifications import Notifications
from bot.teams.reference_book import ReferenceBook
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, recipient, user_reference
from tests.unit.guideline.builders import AS_LEADER, OPENED, POLICY, apply, opened

CASE = "0123456789abcdef0123456789abcdef"
REPORTER, LEADER, HR = "u-reporter", "u-leader", "u-hr"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENED + timedelta(minutes=1))


async def is_hr(person: str) -> bool:
    return person == HR


def notifications(store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock) -> Notifications:
    repo = CaseRepository(store, POLICY)
    cards = CaseCards(store, POLICY, ZoneInfo("Europe/Copenhagen"))
    hr = HrPeople([HR], "", MemoryDirectory())
    return Notifications(
        store,
        repo,
        notifier,
        cards,
        clock,
        POLICY,
        hr=hr,
        default_language="da",
        is_hr=is_hr,
        languages=ReferenceBook(store),
        alert_after=timedelta(hours=1),
        telemetry=Telemetry(),
    )


async def seeded(store: MemoryStore, *people: str, case: Case | None = None) -> None:
    """One stored case (a new one unless `case` is given) and the people who have written to the
    bot, so that Teams knows where to reach them."""
    await CaseRepository(store, POLICY).create(CaseDoc(case or opened(case_id=CASE)))
    refs = ReferenceBook(store)
    for person in people:
        await refs.remember(person, user_reference(person), "da-DK")


async def delivered(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, *people: str, case: Case | None = None
) -> Notifications:
    """The set-up most tests share: the case seeded with the people Teams can reach, and one delivery
    round run; returns the service for what the test does next."""
    await seeded(store, *people, case=case)
    service = notifications(store, notifier, clock)
    await service.deliver_case(CASE)
    return service


async def test_a_new_case_reaches_its_leader_and_its_reporter_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    service = await delivered(store, notifier, clock, REPORTER, LEADER)
    assert len(notifier.to(LEADER)) == 1 and notifier.to(LEADER)[0].card is not None
    assert len(notifier.to(REPORTER)) == 1  # the reporter's own case card
    await service.deliver_case(CASE)
    await service.deliver_due()
    assert len(notifier.sent) == 2  # recorded as sent: never again
    doc = await service.repo.get(CASE)
    assert set(doc.cards) == {LEADER, REPORTER}  # where each card is, to update it in place
    assert "notified" in [line["type"] for line in await store.read_audit(CASE)]


async def test_two_deliveries_at_once_send_the_leaders_card_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    await seeded(store, REPORTER, LEADER)
    await asyncio.gather(
        notifications(store, notifier, clock).deliver_case(CASE),
        notifications(store, notifier, clock).deliver_case(CASE),
    )
    assert len(notifier.to(LEADER)) == 1


async def test_a_leader_who_never_wrote_to_the_bot_gets_a_new_chat(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    await seeded(store, REPORTER)  # the reporter's chat says where Teams takes messages
    await notifications(store, notifier, clock).deliver_case(CASE)
    assert notifier.opened == [LEADER] and len(notifier.to(LEADER)) == 1
    assert await ReferenceBook(store).reference(LEADER) is not None  # remembered for next time


async def test_an_unreachable_leaders_case_goes_to_hr_and_the_reporter_is_told(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    notifier.fail_for(LEADER, permanent=True)
    service = await delivered(store, notifier, clock, REPORTER, LEADER, HR)
    assert len(notifier.to(HR)) == 1 and notifier.to(HR)[0].card is not None
    told = notifier.texts_to(REPORTER)
    assert any("KH-2026-0001" in text for text in told)  # "HR has been told"
    doc = await service.repo.get(CASE)
    assert doc.retry and all("next_at" in entry for entry in doc.retry.values())  # still owed to the leader

    notifier.recover(LEADER)
    clock.advance(minutes=2)
    await service.deliver_due()
    assert len(notifier.to(LEADER)) == 1
    assert not (await service.repo.get(CASE)).retry  # delivered: nothing pending


async def told_after_an_hour_of_nobody(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, *unreachable: str
) -> list[str]:
    """Deliver the seeded case while `unreachable` cannot be reached, tick every 20 minutes for over
    an hour, and return what the reporter was told about their case (texts naming its number)."""
    for person in unreachable:
        notifier.fail_for(person)
    service = notifications(store, notifier, clock)
    await service.deliver_case(CASE)
    for _ in range(5):
        clock.advance(minutes=20)
        await service.deliver_due()
    return [text for text in notifier.texts_to(REPORTER) if "KH-2026-0001" in text]


async def test_nobody_reached_for_an_hour_the_reporter_hears_the_truth_once(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    await seeded(store, REPORTER, LEADER, HR)
    nobody = await told_after_an_hour_of_nobody(store, notifier, clock, LEADER, HR)
    assert len(nobody) == 1  # told once, not on every tick
    assert "nobody_reached" in [line["type"] for line in await store.read_audit(CASE)]


async def test_a_decision_updates_the_other_cards_in_place(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    service = await delivered(store, notifier, clock, REPORTER, LEADER)
    decided = await CaseActions(service.repo, POLICY, clock, is_hr).decide(CASE, LEADER, Acknowledge())
    await service.after_decision(decided.case, decided.events, LEADER)
    assert [u.to for u in notifier.updates] == [REPORTER]  # not the leader's own card: they clicked it
    assert notifier.updates[0].activity_id == notifier.to(REPORTER)[0].activity_id


class DecidesOnArrival(RecordingNotifier):
    """The leader acknowledges the moment their card arrives, while the delivery round is open."""

    decide: Callable[[], Awaitable[None]] | None = None

    async def _record(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        activity_id = await super()._record(reference, activity)
        if self.decide is not None and recipient(reference) == LEADER:
            decide, self.decide = self.decide, None
            await decide()
        return activity_id


async def test_a_decision_made_while_the_round_still_sends_updates_the_cards_sent_before_it(
    store: MemoryStore, clock: FakeClock
) -> None:
    """Where a card went is written with the round's last write; a decision before that write
    cannot update that card itself, so the round does."""
    await seeded(store, REPORTER, LEADER)
    notifier = DecidesOnArrival(store)
    service = notifications(store, notifier, clock)

    async def acknowledge() -> None:
        decided = await CaseActions(service.repo, POLICY, clock, is_hr).decide(CASE, LEADER, Acknowledge())
        await service.after_decision(decided.case, decided.events, LEADER)

    notifier.decide = acknowledge
    await service.deliver_case(CASE)
    reporter_card = notifier.to(REPORTER)[0]
    assert reporter_card.activity_id in [u.activity_id for u in notifier.updates if u.to == REPORTER]
    redrawn = [u for u in notifier.updates if u.activity_id == reporter_card.activity_id][-1]
    assert said(redrawn.activity) != said(reporter_card.activity)  # it shows the acknowledgement
    doc = await service.repo.get(CASE)
    assert set(doc.cards) == {LEADER, REPORTER} and doc.audit == []


def said(activity: dict[str, object]) -> str:
    """Everything in one message, its card's texts included (no botbuilder here: see test_no_edge)."""
    return json.dumps(activity, ensure_ascii=False)


async def test_a_removal_recheck_after_still_there_counts_from_that_answer_not_the_request(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    """The second question comes `removal_recheck_days` after "still there", so it must not say that
    many days have passed since the request (twice as many have)."""
    requested = apply(opened(case_id=CASE), AS_LEADER, RemovalDecided(RemovalOutcome.REQUESTED), now=OPENED)
    await seeded(store, REPORTER, LEADER, case=requested)
    service = notifications(store, notifier, clock)
    clock.current = OPENED + timedelta(days=POLICY.removal_recheck_days, minutes=1)
    await service.deliver_case(CASE)
    first = [said(m.activity) for m in notifier.to(LEADER) if "Er det væk nu?" in said(m.activity)]
    assert len(first) == 1 and "3 dage siden, der blev bedt om at få indholdet fjernet" in first[0]

    answered_at = clock.now()
    await CaseActions(service.repo, POLICY, clock, is_hr).decide(CASE, LEADER, RemovalStillThere())
    clock.current = answered_at + timedelta(days=POLICY.removal_recheck_days, minutes=1)
    await service.deliver_case(CASE)
    again = [said(m.activity) for m in notifier.to(LEADER) if "Er det væk nu?" in said(m.activity)][1:]
    assert len(again) == 1
    assert "der blev bedt om" not in again[0]  # six days since the request, not three
    assert "3 dage siden, indholdet sidst var der stadig" in again[0]


async def test_a_case_without_a_leader_that_reaches_nobody_does_not_blame_a_leader(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    """The employee did not know their leader, so the case went to HR alone: the truth is that
    nobody at HR could be reached, not that "neither your leader nor HR" could."""
    await seeded(store, REPORTER, HR, case=opened(case_id=CASE, leader=None, deputy=None))
    [told] = await told_after_an_hour_of_nobody(store, notifier, clock, HR)
    assert "leder" not in told and "ingen hos HR kunne kontaktes" in told


async def test_a_follow_up_reminder_sent_after_its_day_does_not_say_today(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    """The leader could not be reached on the day: the reminder that gets through the next day
    names the planned day instead of saying "planlagt til i dag"."""
    planned = OPENED.date() + timedelta(days=2)  # Wednesday 4 March
    case = apply(opened(case_id=CASE), AS_LEADER, FollowUpScheduled(StepId.FOLLOWUP_EMPLOYEE, planned), now=OPENED)
    service = await delivered(store, notifier, clock, REPORTER, LEADER, HR, case=case)  # the new case's card
    notifier.fail_for(LEADER)
    clock.current = datetime.combine(planned, time(8, 5), tzinfo=OPENED.tzinfo)
    await service.deliver_due()
    notifier.recover(LEADER)
    clock.current = datetime.combine(planned + timedelta(days=1), time(9), tzinfo=OPENED.tzinfo)
    await service.deliver_due()
    [reminder] = [said(m.activity) for m in notifier.to(LEADER) if "Påmindelse: opfølgningen" in said(m.activity)]
    assert "i dag" not in reminder and "var planlagt til 04-03-2026" in reminder
