"""The follow-up work a service outcome starts, wired as app.py wires it: a submitted report
reaches its leader, a decision refreshes the reporter's card, added evidence is told to the leader,
and a MED mark refreshes the reminder card where it was sent."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.directory.model import DirectoryEntry, Person
from bot.guideline.decisions import Acknowledge
from bot.guideline.definitions import Category, Platform
from bot.guideline.due import DueKind
from bot.guideline.med import MedSchedule
from bot.guideline.model import Facts
from bot.hosting.background import Background
from bot.hosting.telemetry import Telemetry
from bot.presenters.case_cards import CaseCards
from bot.presenters.med_cards import MedCards
from bot.repositories.cases import CaseRepository
from bot.services import followups
from bot.services.case_actions import CaseActions
from bot.services.dispatch import Dispatcher
from bot.services.hr_people import HrPeople
from bot.services.med import MedService
from bot.services.notifications import REPORTER_CARD, Notifications
from bot.services.reports import ReportService, new_draft_id
from bot.teams.channel_book import ChannelBook
from bot.teams.reference_book import ReferenceBook
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, user_reference
from tests.unit.guideline.builders import POLICY

ZONE = ZoneInfo("Europe/Copenhagen")
REPORTER, LEADER = Person("u-reporter", "Rita"), Person("u-leader", "Lene")


async def not_hr(_person: str) -> bool:
    return False


async def wired(
    store: MemoryStore, repo: CaseRepository, notifier: RecordingNotifier, clock: FakeClock, directory: MemoryDirectory
) -> tuple[ReferenceBook, Notifications]:
    """The notification service as app.py wires it, with both people's chats known."""
    refs = ReferenceBook(store)
    for person in (REPORTER, LEADER):
        await refs.remember(person.aad_object_id, user_reference(person.aad_object_id), "da-DK")
    notifications = Notifications(
        store,
        repo,
        notifier,
        CaseCards(store, POLICY, ZONE),
        clock,
        POLICY,
        hr=HrPeople(["u-hr"], "", directory),
        default_language="da",
        is_hr=not_hr,
        languages=refs,
        telemetry=Telemetry(),
    )
    return refs, notifications


async def test_a_report_reaches_its_leader_and_a_decision_refreshes_the_reporters_card(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    directory = MemoryDirectory([DirectoryEntry(REPORTER.aad_object_id, REPORTER.name, LEADER, None, "Borgerservice")])
    repo = CaseRepository(store, POLICY)
    refs, notifications = await wired(store, repo, notifier, clock, directory)
    med = MedService(
        store,
        notifier,
        clock,
        MedSchedule(),
        threshold=3,
        followup_weeks=8,
        workplaces=directory.workplaces,
        is_hr=not_hr,
        tell_hr=lambda key, values: _nothing(),
        languages=refs,
        painter=MedCards(),
        channel_book=ChannelBook(store),
    )
    background = Background()
    dispatch = followups.register(Dispatcher(background), notifications, med)

    facts = Facts(
        Category.THREAT, "Trusler", clock.now() - timedelta(hours=1), Platform.FACEBOOK, None, None, False, False
    )
    submitted = await ReportService(store, repo, directory, POLICY, ZONE).submit(
        new_draft_id(), REPORTER, facts, [], clock.now()
    )
    dispatch.publish(*submitted.follow_ups)
    await background.drain()
    assert len(notifier.to(LEADER.aad_object_id)) == 1 and len(notifier.to(REPORTER.aad_object_id)) == 1

    clock.advance(minutes=5)
    decided = await CaseActions(repo, POLICY, clock, not_hr).decide(
        submitted.case.id, LEADER.aad_object_id, Acknowledge()
    )
    dispatch.publish(*decided.follow_ups)
    await background.drain()
    assert [u.to for u in notifier.updates] == [REPORTER.aad_object_id]
    await background.close()


async def test_a_reports_first_delivery_is_claimed_in_the_cases_own_write(
    store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock
) -> None:
    """The submit writes the case with its first delivery claimed: a tick meanwhile sends nothing
    twice, and the round itself writes the case once (what was sent), with no claim write first."""
    directory = MemoryDirectory([DirectoryEntry(REPORTER.aad_object_id, REPORTER.name, LEADER, None, "Borgerservice")])
    repo = CaseRepository(store, POLICY)
    _, notifications = await wired(store, repo, notifier, clock, directory)
    facts = Facts(
        Category.THREAT, "Trusler", clock.now() - timedelta(hours=1), Platform.FACEBOOK, None, None, False, False
    )
    submitted = await ReportService(store, repo, directory, POLICY, ZONE).submit(
        new_draft_id(), REPORTER, facts, [], clock.now()
    )
    case_id = submitted.case.id
    claim = submitted.follow_ups[0].claim
    assert claim is not None and [i.kind for i in claim.items] == [DueKind.CASE_ASSIGNED]
    stored = await repo.get(case_id)
    assert set(stored.retry) == {claim.items[0].key, REPORTER_CARD}
    assert {entry["claimed_by"] for entry in stored.retry.values()} == {claim.token}
    assert await notifications.deliver_due() == 1 and notifier.sent == []  # a tick meanwhile: held
    puts = store.requests["put"]
    await notifications.deliver_case(case_id, claim)
    assert len(notifier.to(LEADER.aad_object_id)) == 1 and len(notifier.to(REPORTER.aad_object_id)) == 1
    assert store.requests["put"] - puts == 1  # the round's one write, no claim write before it
    after = await repo.get(case_id)
    assert (
        after.retry == {} and after.audit == [] and set(after.cards) == {LEADER.aad_object_id, REPORTER.aad_object_id}
    )
    assert [line["type"] for line in await store.read_audit(case_id)] == ["CaseOpened", "notified"]


async def _nothing() -> None:
    return None
