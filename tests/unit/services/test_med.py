"""MED: registering a unit's channel, the twice-yearly reminder (once per unit and half-year, in
its channel or its leader's chat), marking the evaluation, and HR's overview; with the refusals."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.chat.med_input import MarkDone, PutOnAgenda, RegisterChannel, SetPlan
from bot.directory.model import DirectoryEntry, Person
from bot.errors import Refused, UnknownUnit
from bot.guideline.definitions import Category
from bot.guideline.med import Anonymised, MedSchedule, MedStatus, MeetingKind
from bot.guideline.retention import RetentionRules
from bot.presenters.med_cards import MedCards
from bot.repositories.cases import CaseDoc, CaseRepository
from bot.repositories.med_units import unit_tags
from bot.services import med_broadcast
from bot.services.med import MedService, Place
from bot.services.retention import Retention
from bot.storage import names
from bot.teams.reference_book import ReferenceBook
from bot.texts import Texts
from tests.fakes.clock import FakeClock
from tests.fakes.directory import MemoryDirectory
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier, channel_reference, user_reference
from tests.unit.guideline.builders import POLICY, opened

LEADER, LEADER2, DEPUTY, HR, STRANGER = "u-leader", "u-leader2", "u-deputy", "u-hr", "u-stranger"
TEAM, CHANNEL = "19:team-1", "19:med-channel"
SCHEDULE = MedSchedule()
TX = Texts("da")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 9, 1, 9, 0, tzinfo=UTC))  # the autumn reminder is due


@pytest.fixture
def directory() -> MemoryDirectory:
    lene, ole, dan = Person(LEADER, "Lene Leder"), Person(LEADER2, "Ole Leder"), Person(DEPUTY, "Dan Deputy")
    return MemoryDirectory(
        [
            DirectoryEntry("u-e1", "Eva", lene, dan, "Borgerservice"),
            DirectoryEntry("u-e2", "Erik", lene, dan, "Borgerservice"),
            DirectoryEntry("u-e3", "Emma", ole, None, "Vej og Park"),
        ]
    )


class World:
    def __init__(
        self, store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, directory: MemoryDirectory
    ) -> None:
        self.store, self.notifier, self.clock = store, notifier, clock
        assert notifier.channels is not None  # the Teams side's channel book (RecordingNotifier(store))
        self.hr_told: list[tuple[str, dict[str, Any]]] = []
        self.refs = ReferenceBook(store)

        async def is_hr(person: str) -> bool:
            return person == HR

        async def tell_hr(key: str, values: dict[str, Any]) -> None:
            self.hr_told.append((key, values))

        self.med = MedService(
            store,
            notifier,
            clock,
            SCHEDULE,
            threshold=3,
            followup_weeks=8,
            workplaces=directory.workplaces,
            is_hr=is_hr,
            tell_hr=tell_hr,
            languages=self.refs,
            painter=MedCards(),
            channel_book=notifier.channels,
            channel_seen=notifier.channels.remember,  # as app.py wires it
        )

    @property
    def period_id(self) -> str:
        return SCHEDULE.due_period(self.clock.now()).id

    def in_channel(self, actor: str) -> Place:
        return Place(actor, "Navn", TEAM, CHANNEL, CHANNEL)

    def in_chat(self, actor: str) -> Place:
        return Place(actor, "Navn", conversation_id=f"a:{actor}")

    async def register(self, actor: str = LEADER, unit: str = "Borgerservice") -> None:
        await self.med.handle(RegisterChannel(unit, "", "MED-udvalget"), self.in_channel(actor), TX)
        await self.teams_keeps(TEAM, CHANNEL)

    async def teams_keeps(self, team: str, channel: str) -> None:
        """What the MED edge does after a registration: the channel book keeps the reference."""
        assert self.notifier.channels is not None
        await self.notifier.channels.keep(team, channel, channel_reference(team, channel))


@pytest.fixture
def world(store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, directory: MemoryDirectory) -> World:
    return World(store, notifier, clock, directory)


# -- registering a channel -----------------------------------------------------------------------


async def test_the_units_leader_or_hr_registers_its_channel(world: World) -> None:
    await world.register(LEADER)
    [record] = await world.med.channels()
    assert record.name == "Borgerservice" and record.channel is not None and record.channel.is_at(TEAM, CHANNEL)
    lines = await world.store.read_audit(names.unit_audit_id("Borgerservice"))
    assert [line["type"] for line in lines] == ["med_channel_registered"]
    await world.register(HR, "Vej og Park")  # HR may register any unit's
    assert len(await world.med.channels()) == 2


async def test_registration_is_refused_to_others_outside_a_channel_and_for_unknown_units(world: World) -> None:
    with pytest.raises(Refused):
        await world.register(STRANGER)
    with pytest.raises(Refused):
        await world.register(LEADER2)  # leads another unit
    with pytest.raises(Refused):
        await world.med.handle(RegisterChannel("Borgerservice", "", ""), world.in_chat(LEADER), TX)
    with pytest.raises(UnknownUnit) as unknown:
        await world.register(LEADER, "Borgerservise")
    assert "Borgerservice" in unknown.value.closest
    assert await world.med.channels() == []


async def test_moving_a_units_channel_tells_the_old_channel_and_hr(world: World) -> None:
    await world.register(LEADER)
    other = Place(LEADER, "Lene", TEAM, "19:new", "19:new")
    await world.med.handle(RegisterChannel("Borgerservice", "", ""), other, TX)
    await world.teams_keeps(TEAM, "19:new")
    assert len(world.notifier.to(f"{TEAM}/{CHANNEL}")) == 1  # the old channel is told
    assert [key for key, _ in world.hr_told] == ["med.hr.channel_moved"]
    [record] = await world.med.channels()
    assert record.channel is not None and record.channel.is_at(TEAM, "19:new")


async def test_a_move_whose_note_does_not_reach_the_old_channel_does_not_say_it_did(world: World) -> None:
    await world.register(LEADER)
    world.notifier.fail_for(f"{TEAM}/{CHANNEL}", permanent=True)
    other = Place(LEADER, "Lene", TEAM, "19:new", "19:new")
    answer = await world.med.handle(RegisterChannel("Borgerservice", "", ""), other, TX)
    shown = json.dumps(answer.card, ensure_ascii=False)
    assert "Den gamle kanal har fået besked" not in shown
    assert "Den gamle kanal kunne ikke få besked" in shown and "HR får besked" in shown
    assert [key for key, _ in world.hr_told] == ["med.hr.channel_moved"]


def old_shape_record() -> dict[str, Any]:
    """A unit record as registrations wrote it before the channel book: the channel's conversation
    reference inside the record."""
    return {
        "schema": 1,
        "key": "borgerservice",
        "name": "Borgerservice",
        "channel": {
            "team_id": TEAM,
            "channel_id": CHANNEL,
            "reference": channel_reference(TEAM, CHANNEL),
            "committee": "MED-udvalget",
            "registered_by": LEADER,
            "registered_at": "2026-03-02T09:00:00+00:00",
        },
        "plan": None,
        "spellings": [],
        "history": [],
    }


async def test_a_unit_record_in_the_old_shape_keeps_working(world: World, store: MemoryStore) -> None:
    """No migration run: the reminder is posted in the channel the old record names (the Teams
    side reads the reference from it), a change of the record keeps its reference, and a move
    tells the old channel; new registrations store the ids alone."""
    data = old_shape_record()
    await store.put(names.unit_record("Borgerservice"), data, etag=None, tags=unit_tags(data))
    assert (await world.med.send_due()).channels == 1
    [post] = world.notifier.to(f"{TEAM}/{CHANNEL}")
    assert post.card is not None

    plan = "https://intra.example.test/plan"
    await world.med.handle(SetPlan("Borgerservice", plan), world.in_chat(LEADER), TX)
    stored = store.data(names.unit_record("Borgerservice"))
    assert stored is not None and stored["channel"]["reference"] == channel_reference(TEAM, CHANNEL)

    other_instance = RecordingNotifier(store)  # its channel book has seen nothing: reads the record
    await other_instance.to_channel(TEAM, CHANNEL, {"type": "message", "text": "x"})
    assert len(other_instance.to(f"{TEAM}/{CHANNEL}")) == 1

    await world.med.handle(
        RegisterChannel("Borgerservice", "", ""), Place(LEADER, "Lene", TEAM, "19:new", "19:new"), TX
    )
    await world.teams_keeps(TEAM, "19:new")
    assert len(world.notifier.to(f"{TEAM}/{CHANNEL}")) == 2  # the reminder, then the note of the move
    moved = store.data(names.unit_record("Borgerservice"))
    assert moved is not None and moved["channel"]["channel_id"] == "19:new" and "reference" not in moved["channel"]


# -- the reminder ---------------------------------------------------------------------------------


async def test_a_leader_with_no_chat_and_nowhere_to_open_one_is_retried_later(world: World, clock: FakeClock) -> None:
    """No channel registered and nobody ever wrote to the bot: the Teams side knows no service URL,
    so the leaders' reminders are recorded as failed (retried), and go out once it knows one."""
    sent = await world.med.send_due()
    assert sent.total == 0 and world.notifier.sent == []
    record = world.store.data(names.med_sent(world.period_id, "Vej og Park"))
    assert record is not None and record["state"] == "failed"
    await world.register(LEADER)  # Borgerservice's channel: the Teams side now knows where
    clock.advance(minutes=6)
    again = await world.med.send_due()
    assert (again.channels, again.chats) == (1, 1) and world.notifier.opened == [LEADER2]


async def test_each_unit_is_reminded_once_in_its_channel_or_its_leaders_chat(world: World) -> None:
    await world.register(LEADER)  # Borgerservice has a channel, Vej og Park has not
    sent = await world.med.send_due()
    assert (sent.channels, sent.chats) == (1, 1)
    [post] = world.notifier.to(f"{TEAM}/{CHANNEL}")
    assert post.card is not None
    # Ole never wrote to the bot: a new chat, opened by the Teams side (the service named only him).
    assert world.notifier.opened == [LEADER2] and len(world.notifier.to(LEADER2)) == 1
    record = world.store.data(names.med_sent(world.period_id, "Borgerservice"))
    assert record is not None and record["state"] == "sent" and record["activity_id"] == post.activity_id
    again = await world.med.send_due()
    assert again.total == 0 and len(world.notifier.sent) == 2  # never twice in a half-year


async def test_two_instances_send_each_reminder_once(
    world: World, store: MemoryStore, notifier: RecordingNotifier, clock: FakeClock, directory: MemoryDirectory
) -> None:
    await world.register(LEADER)
    await world.refs.remember(HR, user_reference(HR), "da-DK")
    other = World(store, notifier, clock, directory)
    results = await asyncio.gather(world.med.send_due(), other.med.send_due())
    assert sum(r.total for r in results) == 2
    assert len(notifier.to(f"{TEAM}/{CHANNEL}")) == 1 and len(notifier.to(LEADER2)) == 1


async def test_a_round_that_fails_keeps_the_claim_of_a_send_that_began_and_releases_the_others(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Units are claimed ahead of their sends. When the round fails, a unit whose send began may
    have been delivered: its claim stays (another instance waits STALE_CLAIM, as before claims
    were made ahead); a unit claimed ahead whose send never began is released at once."""
    await world.register(LEADER)  # Borgerservice's channel comes first, then Vej og Park's chat
    await world.refs.remember(HR, user_reference(HR), "da-DK")
    monkeypatch.setattr(med_broadcast, "SEND_CONCURRENCY", 1)  # one send at a time, in order

    async def broken(*_args: Any) -> Any:
        raise RuntimeError("the process is going down mid-send")

    monkeypatch.setattr(world.notifier, "to_channel", broken)
    with pytest.raises(BaseException) as failed:
        await world.med.send_due()
    began = world.store.data(names.med_sent(world.period_id, "Borgerservice"))
    assert began is not None and began["state"] == "sending"
    assert world.store.data(names.med_sent(world.period_id, "Vej og Park")) is None  # released
    assert world.notifier.to(LEADER2) == []
    assert "mid-send" in repr(failed.value.exceptions if isinstance(failed.value, BaseExceptionGroup) else failed.value)


async def test_a_failed_reminder_is_retried_later_and_a_gone_channel_is_dropped(world: World, clock: FakeClock) -> None:
    await world.register(LEADER)
    world.notifier.fail_for(f"{TEAM}/{CHANNEL}", times=1)
    assert (await world.med.send_now("Borgerservice")).total == 0
    record = world.store.data(names.med_sent(world.period_id, "Borgerservice"))
    assert record is not None and record["state"] == "failed"
    clock.advance(minutes=6)
    assert (await world.med.send_now("Borgerservice")).total == 1

    world.notifier.fail_for(f"{TEAM}/{CHANNEL}", gone=True)
    clock.advance(days=200)  # the next half-year
    await world.med.send_now("Borgerservice")
    assert await world.med.channels() == []  # the bot was removed: the unit has no channel now


async def test_a_reminder_teams_refuses_keeps_its_channel(world: World, clock: FakeClock) -> None:
    """A card refused (400, 413: permanent, but the channel is there) does not take the unit's
    channel away, as a removed bot does: the send is tried again there, once a day (it fails the
    same way until a deployment), not every 5 minutes. Was: any permanent failure deactivated the
    channel ("bot removed or channel gone") and HR was told so."""
    await world.register(LEADER)
    world.notifier.fail_for(f"{TEAM}/{CHANNEL}", permanent=True, times=1)
    assert (await world.med.send_now("Borgerservice")).total == 0
    record = world.store.data(names.med_sent(world.period_id, "Borgerservice"))
    assert record is not None and record["state"] == "failed"
    [unit] = await world.med.channels()
    assert unit.channel is not None and unit.channel.is_at(TEAM, CHANNEL)
    clock.advance(minutes=6)
    assert (await world.med.send_now("Borgerservice")).total == 0  # not yet: a refused card waits a day
    clock.advance(hours=24)
    assert (await world.med.send_now("Borgerservice")).total == 1


# -- the evaluation -------------------------------------------------------------------------------


async def test_the_units_channel_marks_the_evaluation_and_others_are_refused(world: World, clock: FakeClock) -> None:
    await world.register(LEADER)
    period = world.period_id
    today = clock.now().date()
    await world.med.handle(
        PutOnAgenda("Borgerservice", period, today + timedelta(days=7)), world.in_channel("u-e1"), TX
    )
    assert (await world.med.evaluation("Borgerservice", period)).status is MedStatus.ON_AGENDA
    with pytest.raises(Refused):  # the other unit's leader, in their chat
        await world.med.handle(PutOnAgenda("Borgerservice", period, today), world.in_chat(LEADER2), TX)
    with pytest.raises(Refused):  # not this half-year
        await world.med.handle(PutOnAgenda("Borgerservice", "2025-H1", today), world.in_channel("u-e1"), TX)
    done = MarkDone("Borgerservice", period, today, MeetingKind.MED_MEETING, "https://intra.example.test/ref", True)
    answer = await world.med.handle(done, world.in_chat(DEPUTY), TX)  # the deputy, in a chat
    assert answer.card and answer.events
    assert (await world.med.evaluation("Borgerservice", period)).status is MedStatus.DONE


async def test_the_local_plan_link_is_kept_and_audited(world: World) -> None:
    await world.med.handle(SetPlan("Vej og Park", "https://intra.example.test/plan"), world.in_chat(LEADER2), TX)
    unit = await world.med.units.unit("Vej og Park")
    assert unit is not None and unit.plan_link == "https://intra.example.test/plan"
    lines = await world.store.read_audit(names.unit_audit_id("Vej og Park"))
    assert [line["type"] for line in lines] == ["med_plan_link"]


async def test_hrs_overview_shows_every_workplace(world: World) -> None:
    await world.register(LEADER)
    period, rows = await world.med.evaluations.overview()
    assert period.id == world.period_id
    by_unit = {row.unit: row for row in rows}
    assert set(by_unit) == {"Borgerservice", "Vej og Park"}
    assert by_unit["Borgerservice"].has_channel and not by_unit["Vej og Park"].has_channel


# -- after the reminder ----------------------------------------------------------------------------


async def test_an_evaluation_not_done_in_time_is_followed_up_once_and_hr_told(world: World, clock: FakeClock) -> None:
    await world.register(LEADER)
    await world.med.send_now("Borgerservice")
    clock.advance(weeks=7)
    await world.med.send_due()
    assert len(world.notifier.to(f"{TEAM}/{CHANNEL}")) == 1 and world.hr_told == []
    clock.advance(weeks=1, minutes=1)
    await world.med.send_due()
    [_, followup] = world.notifier.to(f"{TEAM}/{CHANNEL}")
    assert "Borgerservice" in followup.text
    assert ("med.hr.followup", {"unit": "Borgerservice", "period": world.period_id}) in world.hr_told
    clock.advance(days=1)
    await world.med.send_due()
    assert len(world.notifier.to(f"{TEAM}/{CHANNEL}")) == 2  # once per unit and half-year


async def test_a_mark_refreshes_the_reminder_card_where_it_was_sent(world: World, clock: FakeClock) -> None:
    await world.register(LEADER)
    await world.med.send_now("Borgerservice")
    [post] = world.notifier.to(f"{TEAM}/{CHANNEL}")
    agenda = PutOnAgenda("Borgerservice", world.period_id, clock.now().date() + timedelta(days=3))
    answer = await world.med.handle(agenda, world.in_chat(LEADER), TX)  # marked from the leader's chat
    [marked] = answer.events
    await world.med.refresh_elsewhere(marked.unit, marked.shown_in)
    assert [(u.to, u.activity_id) for u in world.notifier.updates] == [(f"{TEAM}/{CHANNEL}", post.activity_id)]
    world.notifier.updates.clear()
    await world.med.refresh_elsewhere(marked.unit, CHANNEL)  # marked on the card itself: no refresh
    assert world.notifier.updates == []


async def test_a_channel_gone_or_renamed_is_told_to_hr(world: World) -> None:
    await world.register(LEADER)
    await world.med.renamed(TEAM, CHANNEL, "MED Borgerservice 2")
    assert world.hr_told[-1][0] == "med.hr.channel_renamed"
    assert await world.med.deactivate(TEAM, None, "team deleted") == 1  # the whole team went
    assert await world.med.channels() == []
    assert world.hr_told[-1] == ("med.hr.channel_gone", {"unit": "Borgerservice", "reason": "team deleted"})
    types = [line["type"] for line in await world.store.read_audit(names.unit_audit_id("Borgerservice"))]
    assert types == ["med_channel_registered", "med_channel_gone"]


async def test_a_channel_shows_the_cards_of_the_units_it_serves_and_a_chat_is_refused(world: World) -> None:
    await world.register(LEADER)
    assert len(await world.med.channel_cards(world.in_channel("u-e1"), TX)) == 1
    with pytest.raises(Refused):
        await world.med.channel_cards(world.in_chat(LEADER), TX)
    refused = await world.med.card_with_notice(None, {"unit": "Borgerservice"}, world.in_chat(LEADER2), TX, "Nej")
    assert refused is not None  # the unit's card with the reason on it
    assert await world.med.card_with_notice(None, {"unit": "Ukendt sted"}, world.in_chat(LEADER2), TX, "Nej") is None


# -- figures ------------------------------------------------------------------------------------


async def test_a_case_erased_by_hr_still_counts_in_its_units_figures_for_its_period(
    world: World, store: MemoryStore, clock: FakeClock
) -> None:
    """What erasure keeps "til MED-tallene" is read by the figures: 4 cases, one erased, still 4."""
    cases = CaseRepository(store, POLICY)
    for n in range(1, 5):
        when = datetime(2026, 4, n, 10, tzinfo=UTC)
        case = replace(opened(when, case_id=f"{n:032x}", occurred_at=when), number=f"KH-2026-000{n}")
        await cases.create(CaseDoc(case))
    period = SCHEDULE.period_by_id("2026-H2")
    unit = await world.med.units.unit("Borgerservice")
    assert unit is not None
    assert (await world.med.evaluations.figures(unit, period)).total == Anonymised(4, 3)
    retention = Retention(store, cases, clock, RetentionRules(400), SCHEDULE)
    await retention.erase(f"{1:032x}", HR)
    assert store.data(names.case(f"{1:032x}")) is None
    figures = await world.med.evaluations.figures(unit, period)
    assert figures.total == Anonymised(4, 3)
    assert figures.by_category[Category.THREAT] == Anonymised(4, 3)
    await retention.erase(f"{2:032x}", HR)  # a second erasure of the same period adds to the count
    assert (await world.med.evaluations.figures(unit, period)).total == Anonymised(4, 3)
    other = await world.med.units.unit("Vej og Park")
    assert other is not None and (await world.med.evaluations.figures(other, period)).total == Anonymised(0, 3)
