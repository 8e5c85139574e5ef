"""MED evaluations for every workplace, through TestAdapter, the real sender and a fake connector.

The directory file names the workplaces and their leaders; a unit with a registered MED channel
gets its reminder there, one without gets it in its leader's chat. Only the right people may
register, move, mark or set the local plan; each refusal changes nothing.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from app import Runtime
from bot.chat.med_input import RegisterChannel
from bot.errors import Conflict
from bot.guideline.med import MedStatus, MeetingKind
from bot.services.med import Place
from bot.storage import names
from bot.storage.names import legacy_unit_tags, unit_tag
from bot.storage.store import Store
from bot.teams.channel_book import ChannelBook
from bot.teams.reference_book import ReferenceBook
from tests.bot.chat import ChannelChat, all_text, cards, invoke, said, texts
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER, STRANGER, World

TEAM = "19:team-1@thread.tacv2"
MEMBER = "00000000-0000-0000-0000-0000000000b1"
JOB_LEADER = "00000000-0000-0000-0000-00000000a002"
SEPT = datetime(2026, 9, 1, 8, tzinfo=UTC)  # 10:00 in Copenhagen, the reminder date of 2026-H2
MINUTES = "https://intra.example.dk/referat"
PLAN = "https://intra.example.dk/handleplan"


def directory(world: World, *rows: str, standard: bool = True) -> None:
    """The leader directory file, with `rows` after the standard one (Mette in Borgerservice)."""
    path = world.data_dir.parent / "leaders.csv"
    text = path.read_text(encoding="utf-8").splitlines()[: 2 if standard else 1]
    path.write_text("\n".join([*text, *rows]) + "\n", encoding="utf-8")


def with_jobcenter(world: World) -> None:
    directory(world, f"{MEMBER},Mads Medlem,{JOB_LEADER},Jens Jobleder,,,Jobcenter,false")


def channel(world: World, runtime: Runtime, channel_id: str, who: str = MEMBER, team: str = TEAM) -> ChannelChat:
    return ChannelChat(runtime, who, team, channel_id, service_url=world.connector.service_url)


async def register(
    world: World, runtime: Runtime, channel_id: str, unit: str, who: str = LEADER, team: str = TEAM
) -> dict[str, Any]:
    chat = channel(world, runtime, channel_id, who, team)
    return await chat.invoke_card("med_register", {"unit": unit, "committee": "LMU"})


def reminders(world: World, conversation_id: str | None = None) -> list[dict[str, Any]]:
    return [
        m.activity
        for m in world.connector.messages(conversation_id)
        if any("MED-evaluering" in all_text(a.get("content", {})) for a in m.activity.get("attachments", []))
    ]


def done_data(unit: str = "Borgerservice", period: str = "2026-H2", **extra: str) -> dict[str, str]:
    return {
        "unit": unit,
        "period": period,
        "done_date": "2026-09-01",
        "meeting_kind": "staff_meeting",
        "minutes_link": MINUTES,
        "plan_reviewed": "true",
        **extra,
    }


async def hr_told(world: World) -> list[str]:
    return [said(m.activity) for m in world.connector.messages(f"a:chat-{HR}")]


# ---- registration ----------------------------------------------------------------------------------


async def test_bot_added_to_a_team_asks_which_workplace(world: World) -> None:
    runtime = await world.runtime()
    chat = channel(world, runtime, TEAM)
    replies = await chat.activity(
        Activity(type=ActivityTypes.conversation_update, members_added=[ChannelAccount(id="28:bot")])
    )
    card = cards(replies)[0]
    assert "Hvilken arbejdsplads" in all_text(card) and "Borgerservice" in all_text(card)  # the directory's
    typed = await chat.activity(Activity(type=ActivityTypes.message, text="<at>Krænkelser</at> registrer MED-kanal"))
    assert "Hvilken arbejdsplads" in all_text(cards(typed)[0])


async def test_only_the_unit_s_leader_deputy_or_hr_may_register_its_channel(world: World) -> None:
    runtime = await world.runtime()
    for who in (MEMBER, EMPLOYEE, STRANGER):
        card = await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice", who=who)
        assert "Kun lederen eller stedfortræderen for Borgerservice – eller HR" in all_text(card)
        assert "Intet er ændret" in all_text(card)
    assert await runtime.med.channels() == []  # nothing changed
    assert await runtime.store.list("audit/") == []
    for who, channel_id in ((LEADER, "19:c1@thread.tacv2"), (DEPUTY, "19:c2@thread.tacv2"), (HR, "19:c3@thread.tacv2")):
        card = await register(world, runtime, channel_id, "Borgerservice", who=who)
        assert "Kanalen er registreret" in all_text(card), who
    [record] = await runtime.med.channels()
    assert record.channel is not None and record.channel.channel_id == "19:c3@thread.tacv2"  # one at a time


async def test_a_unit_not_in_the_directory_is_refused_with_the_closest_names(world: World) -> None:
    runtime = await world.runtime()
    chat = channel(world, runtime, "19:c1@thread.tacv2", HR)
    card = await chat.invoke_card("med_register", {"unit": "__other__", "unit_text": "Borgerservise"})
    assert "Jeg kender ikke den arbejdsplads. Mente du: Borgerservice?" in all_text(card)
    card = await chat.invoke_card("med_register", {"unit": "Not in the directory"})  # a forged choice
    assert "Jeg kender ikke den arbejdsplads" in all_text(card) and "Hvilken arbejdsplads" in all_text(card)
    card = await chat.invoke_card("med_register", {"unit": "__other__", "unit_text": " "})
    assert "Arbejdsplads mangler" in all_text(card)
    assert await runtime.med.channels() == []
    card = await chat.invoke_card("med_register", {"unit": "__other__", "unit_text": "  BORGERSERVICE "})
    assert "MED-påmindelser for Borgerservice" in all_text(card)  # any spelling names the directory's unit


async def test_moving_the_unit_s_channel_tells_hr_and_the_old_channel(world: World) -> None:
    runtime = await world.runtime()
    await world.chat(runtime, HR, "Hanne HR").send("hjælp")  # HR has a chat with the bot, so it can be told
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    card = await register(world, runtime, "19:c2@thread.tacv2", "Borgerservice", who=DEPUTY)
    assert "havde en anden MED-kanal" in all_text(card)
    [record] = await runtime.med.channels()
    assert record.channel is not None and record.channel.channel_id == "19:c2@thread.tacv2"
    old = [said(m.activity) for m in world.connector.messages("19:c1@thread.tacv2")]
    assert old == [
        "MED-påmindelserne for Borgerservice sendes ikke længere hertil, men til arbejdspladsens nye MED-kanal."
    ]
    assert any("MED-kanalen for Borgerservice er flyttet" in t for t in await hr_told(world))
    audit = await runtime.store.read_audit(f"med-unit-{unit_tag('Borgerservice')}")
    assert [a["type"] for a in audit] == ["med_channel_registered", "med_channel_moved"]
    assert audit[1]["before"]["channel_id"] == "19:c1@thread.tacv2" and audit[1]["actor"] == DEPUTY


class ChannelBookWontSave:
    """The store as it is, except that every write of the channel book loses its ETag race."""

    def __init__(self, store: Store) -> None:
        self.inner = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def put(self, name: str, data: Any, **kwargs: Any) -> Any:
        if name == names.CHANNEL_REFS:
            raise Conflict(name)
        return await self.inner.put(name, data, **kwargs)


async def test_a_registration_whose_channel_cannot_be_kept_registers_nothing_and_says_so(world: World) -> None:
    """The unit may only name a channel the Teams side can post in: else a round would find the
    unit's channel but no way to reach it."""
    failing = await world.runtime(store=cast(Store, ChannelBookWontSave(world.store)))
    card = await register(world, failing, "19:c1@thread.tacv2", "Borgerservice")
    assert "Kanalen er ikke registreret" in all_text(card) and "Prøv igen" in all_text(card)
    assert [r for r in await failing.med.channels() if r.channel is not None] == []
    runtime = await world.runtime()  # the store saves again: the same click registers
    card = await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    assert "MED-påmindelser for Borgerservice" in all_text(card)
    assert len([r for r in await runtime.med.channels() if r.channel is not None]) == 1
    assert await ChannelBook(world.store).reference(TEAM, "19:c1@thread.tacv2") is not None


# ---- the reminder ----------------------------------------------------------------------------------


async def test_reminder_on_the_date_in_the_channel_then_on_agenda_and_done_with_the_meeting_and_plan(
    world: World,
) -> None:
    world.clock.current = datetime(2026, 8, 31, 12, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await runtime.scheduler.tick()
    assert reminders(world) == []  # not yet
    world.clock.current = SEPT
    await runtime.scheduler.tick()
    [sent] = reminders(world)
    body = all_text(sent["attachments"][0]["content"])
    assert "MED-evaluering: Borgerservice" in body and "to gange årligt" in body
    assert "Sager i alt" in body and "Påmindelse sendt" in body  # a quiet half-year still gets it
    assert "har ikke registreret nogen lokal retningslinje og handleplan" in body  # it must make one
    await runtime.scheduler.tick()
    assert len(reminders(world)) == 1  # never twice

    member = channel(world, runtime, "19:c1@thread.tacv2")
    card = await member.invoke_card(
        "med_agenda", {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-09-15"}
    )
    assert "Sat på dagsordenen til mødet 15-09-2026" in all_text(card)
    card = await member.invoke_card("med_done", done_data(minutes_link="http://intra.example.dk/referat"))
    assert "skal være et https-link" in all_text(card)  # refused, explained
    card = await member.invoke_card("med_done", done_data(meeting_kind="party"))
    assert "Mødetype er ikke et gyldigt valg" in all_text(card)
    card = await member.invoke_card("med_done", done_data())
    assert "Evaluering gennemført 01-09-2026 · Personalemøde med MED-status · handleplanen gennemgået" in all_text(card)
    ev = await runtime.med.evaluation("Borgerservice", "2026-H2")
    assert (ev.status, ev.meeting_kind, ev.minutes_link, ev.plan_reviewed) == (
        MedStatus.DONE,
        MeetingKind.STAFF_MEETING,
        MINUTES,
        True,
    )
    assert [h.actor for h in ev.history if h.actor] == [MEMBER, MEMBER]  # the audit records who


async def test_a_unit_without_a_channel_gets_the_reminder_in_its_leader_s_chat(world: World) -> None:
    with_jobcenter(world)
    world.clock.current = SEPT
    runtime = await world.runtime()
    await world.chat(runtime, HR, "Hanne HR").send("hjælp")  # where Teams takes messages is learnt from HR's chat
    await world.chat(runtime, LEADER, "Lene Leder").send("hjælp")
    sent = await runtime.med.send_due()
    assert (sent.channels, sent.chats) == (0, 2)
    [mine] = reminders(world, f"a:chat-{LEADER}")  # Lene had a chat: it goes there
    body = all_text(mine["attachments"][0]["content"])
    assert "MED-evaluering: Borgerservice" in body and "kommer til dig som leder" in body
    assert "Registrér en MED-kanal" in body  # the button that shows how to register a channel
    [created] = world.connector.created  # Jens never wrote to the bot: Teams opens a chat
    assert created["members"][0]["id"] == JOB_LEADER
    [job] = [m for m in reminders(world) if "Jobcenter" in said(m)]
    assert "kommer til dig som leder" in said(job)
    assert await ReferenceBook(world.store).reference(JOB_LEADER) is not None  # kept for the next message
    assert (await runtime.med.send_due()).total == 0  # never twice

    # Only the leader (or deputy) may mark it in the chat: Mette, an employee, may not.
    employee = world.chat(runtime, EMPLOYEE)
    refused = await invoke(employee, "med_done", done_data())
    assert "Kun lederen eller stedfortræderen for Borgerservice" in all_text(refused)
    assert (await runtime.med.evaluation("Borgerservice", "2026-H2")).status is MedStatus.SENT
    leader = world.chat(runtime, LEADER, "Lene Leder")
    card = await invoke(leader, "med_done", done_data(meeting_kind="med_meeting", plan_reviewed="false"))
    assert "Evaluering gennemført 01-09-2026 · MED-møde · handleplanen ikke gennemgået" in all_text(card)
    other = await invoke(leader, "med_done", done_data(unit="Jobcenter"))  # not Lene's unit
    assert "Kun lederen eller stedfortræderen for Jobcenter" in all_text(other)


class CountingReads:
    """The store, counting reads and writes by name (what a round costs the storage account)."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.gets: Counter[str] = Counter()
        self.puts: Counter[str] = Counter()

    async def get(self, name: str) -> Any:
        self.gets[name] += 1
        return await self._inner.get(name)

    async def put(self, name: str, data: Any, *, etag: str | None, tags: Any = None) -> str:
        self.puts[name] += 1
        return await self._inner.put(name, data, etag=etag, tags=tags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_round_reads_each_record_once_and_later_ticks_read_none_of_them_again(world: World) -> None:
    with_jobcenter(world)
    world.clock.current = SEPT
    await register(world, await world.runtime(), "19:c1@thread.tacv2", "Borgerservice")
    await world.chat(await world.runtime(), HR, "Hanne HR").send("hjælp")  # the service URL, for a new chat
    counting = CountingReads(world.store)
    runtime = await world.runtime(cast(Store, counting))
    sent = await runtime.med.send_due()
    assert (sent.channels, sent.chats) == (1, 1)  # Jobcenter has no channel: Jens's chat is opened
    jens = f"refs/users/{JOB_LEADER}.json"
    assert counting.gets[jens] == 1 and counting.puts[jens] == 1  # one read (language and chat), one write
    assert not [n for n in counting.gets if n.startswith("med/sent/")]  # the follow-up check knew them
    erased = [n for n in counting.gets if n.startswith("stats/med/")]  # erased cases: one document a period
    assert [counting.gets[n] for n in erased] == [1]  # read once for the round, not once per unit
    assert await ReferenceBook(world.store).reference(JOB_LEADER) is not None
    counting.gets.clear()
    assert (await runtime.med.send_due()).total == 0
    read = list(counting.gets)
    assert not [n for n in read if n.startswith(("med/units/", "med/sent/"))]  # settled and known: not read

    world.clock.current = SEPT + timedelta(weeks=4)  # not marked done: one follow-up each, then none
    await runtime.med.send_due()
    assert sum(n for name, n in counting.puts.items() if name.startswith("med/followups/")) == 2
    counting.puts.clear()
    await runtime.med.send_due()
    assert not [n for n in counting.puts if n.startswith("med/followups/")]  # known: not asked again


async def test_the_deputy_gets_the_chat_reminder_while_the_leader_is_away(world: World) -> None:
    path = world.data_dir.parent / "leaders.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",false", ",true"), encoding="utf-8")
    world.clock.current = SEPT
    runtime = await world.runtime()
    await world.chat(runtime, DEPUTY, "Dorte").send("hjælp")
    assert (await runtime.med.send_due()).chats == 1
    assert len(reminders(world, f"a:chat-{DEPUTY}")) == 1 and world.connector.created == []


async def test_marks_only_from_the_unit_s_own_channel_and_for_the_current_period(world: World) -> None:
    with_jobcenter(world)
    world.clock.current = SEPT
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await register(world, runtime, "19:c9@thread.tacv2", "Jobcenter", who=JOB_LEADER)
    await runtime.med.send_due()
    jobcenter = channel(world, runtime, "19:c9@thread.tacv2")
    card = await jobcenter.invoke_card("med_done", done_data())  # Borgerservice's card, copied elsewhere
    assert "Denne kanal er ikke MED-kanal for Borgerservice" in all_text(card)
    unregistered = channel(world, runtime, "19:other@thread.tacv2")
    card = await unregistered.invoke_card(
        "med_agenda", {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-09-15"}
    )
    assert "ikke MED-kanal for Borgerservice" in all_text(card)
    own = channel(world, runtime, "19:c1@thread.tacv2")
    card = await own.invoke_card("med_done", done_data(period="2026-H1"))
    assert "tidligere periode. Den aktuelle periode er 2026-H2" in all_text(card)
    assert (await runtime.med.evaluation("Borgerservice", "2026-H2")).status is MedStatus.SENT  # nothing changed
    assert (await runtime.med.evaluation("Borgerservice", "2026-H1")).status is MedStatus.PENDING


async def test_the_local_plan_is_set_by_the_channel_or_the_leader_audited_and_shown_in_the_reminder(
    world: World,
) -> None:
    world.clock.current = SEPT - timedelta(days=3)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    stranger = channel(world, runtime, "19:elsewhere@thread.tacv2", STRANGER)
    card = await stranger.invoke_card("med_plan", {"unit": "Borgerservice", "plan_link": PLAN})
    assert "ikke MED-kanal for Borgerservice" in all_text(card)
    employee = world.chat(runtime, EMPLOYEE)
    card = await invoke(employee, "med_plan", {"unit": "Borgerservice", "plan_link": PLAN})
    assert "Kun lederen eller stedfortræderen" in all_text(card)
    member = channel(world, runtime, "19:c1@thread.tacv2")
    card = await member.invoke_card("med_plan", {"unit": "Borgerservice", "plan_link": "javascript:alert(1)"})
    assert "Link til handleplanen skal være et https-link" in all_text(card)
    assert (await runtime.med.units.records.get("Borgerservice")).plan_link is None  # type: ignore[union-attr]

    # The channel sets it (before the reminder, from "MED-evaluering" in the channel); the leader changes it.
    [shown] = cards(await member.activity(Activity(type=ActivityTypes.message, text="<at>Bot</at> MED-evaluering")))
    assert "Gem link til handleplanen" in all_text(shown)
    card = await member.invoke_card("med_plan", {"unit": "Borgerservice", "plan_link": PLAN})
    assert PLAN in all_text(card) and "Gennemgå og tilret den på mødet" in all_text(card)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "med_plan", {"unit": "borgerservice", "plan_link": PLAN + "/v2"})
    await invoke(leader, "med_plan", {"unit": "borgerservice", "plan_link": PLAN + "/v2"})  # the same again
    audit = await runtime.store.read_audit(f"med-unit-{unit_tag('Borgerservice')}")
    plan_lines = [(a["actor"], a["before"], a["after"]) for a in audit if a["type"] == "med_plan_link"]
    assert plan_lines == [(MEMBER, None, PLAN), (LEADER, PLAN, PLAN + "/v2")]

    world.clock.current = SEPT
    await runtime.med.send_due()
    [sent] = reminders(world, "19:c1@thread.tacv2")
    body = said(sent)
    assert PLAN + "/v2" in body and "tjek hvor de ansatte finder oplysningerne" in body
    assert "har ikke registreret" not in body
    await member.invoke_card("med_done", done_data(plan_reviewed="true"))
    assert (await runtime.med.evaluation("Borgerservice", "2026-H2")).plan_reviewed is True


# ---- one unit, whatever the spelling ---------------------------------------------------------------


async def report_as(world: World, runtime: Runtime, reporter: str) -> None:
    from tests.bot.test_report_dialog import GOOD_FORM

    chat = world.chat(runtime, reporter)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit"})
    await runtime.background.drain()


async def test_spellings_of_one_unit_are_one_unit_with_all_its_cases(world: World) -> None:
    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    others = ["00000000-0000-0000-0000-0000000000e1", "00000000-0000-0000-0000-0000000000e2"]
    directory(
        world,
        f"{others[0]},Ansat 1,{LEADER},Lene Leder,,, borgerservice,false",
        f"{others[1]},Ansat 2,{LEADER},Lene Leder,,,BORGERSERVICE,false",
    )
    runtime = await world.runtime()
    for reporter in (EMPLOYEE, *others):
        await report_as(world, runtime, reporter)
    units = sorted([(await runtime.cases.reported_by(r))[0].unit or "" for r in (EMPLOYEE, *others)])
    assert units == ["BORGERSERVICE", "Borgerservice", "borgerservice"]  # stored as the directory spells them
    assert [w.name for w in await runtime.med.units.workplaces()] == ["Borgerservice"]
    chat = channel(world, runtime, "19:c1@thread.tacv2", HR)
    await chat.invoke_card("med_register", {"unit": "__other__", "unit_text": "borgerservice "})
    world.clock.current = datetime(2027, 3, 1, 9, tzinfo=UTC)
    await runtime.med.send_due()
    [sent] = reminders(world)
    assert "Sager i alt\n3" in said(sent)  # all three cases, whatever their unit's spelling
    overview = all_text(cards(await world.chat(runtime, HR).send("MED-overblik"))[0])
    assert overview.count("Borgerservice") == 1


async def test_records_stored_under_an_old_spelling_are_found_and_moved_over(world: World) -> None:
    """Before the canonical form, a channel was registered by typed text and keyed by its
    trimmed, lower-cased digest; an "å" typed as "a" + ring made another digest."""
    directory(world, f"{MEMBER},Mads Medlem,{LEADER},Lene Leder,,,Rådhuset,false")
    decomposed = unicodedata.normalize("NFD", "rådhuset ")
    [old_tag] = legacy_unit_tags(decomposed)
    reference = {
        "serviceUrl": world.connector.service_url,
        "channelId": "msteams",
        "conversation": {"id": "19:old@thread.tacv2", "conversationType": "channel"},
        "bot": {"id": "28:bot"},
    }
    await world.store.put(
        "med/channels/19_team-1_thread.tacv2/19_old_thread.tacv2.json",
        {"team_id": TEAM, "channel_id": "19:old@thread.tacv2", "unit": decomposed, "committee": "LMU",
         "reference": reference, "active": True, "registered_by": MEMBER, "registered_at": "2026-01-05T10:00:00+00:00"},
        etag=None,
        tags={"kind": "med_channel", "active": "true", "unit": old_tag},
    )  # fmt: skip
    await world.store.put(
        f"med/evaluations/{old_tag}/2026-H2.json",
        {"evaluation": {"schema": 1, "unit": decomposed, "period_id": "2026-H2", "status": "on_agenda",
                        "sent_at": None, "meeting_date": "2026-09-20", "done_date": None, "minutes_link": None,
                        "history": [], "revision": 2}},
        etag=None,
        tags={"kind": "med_evaluation", "period": "2026-H2", "unit": old_tag},
    )  # fmt: skip
    world.clock.current = SEPT
    runtime = await world.runtime()
    assert (await runtime.med.send_due()).channels == 1
    [sent] = reminders(world, "19:old@thread.tacv2")
    assert "MED-evaluering: Rådhuset" in said(sent) and "Sat på dagsordenen til mødet 20-09-2026" in said(sent)
    [record] = await runtime.med.channels()
    assert record.name == "Rådhuset" and record.spellings == (decomposed,)
    old = await world.store.get("med/channels/19_team-1_thread.tacv2/19_old_thread.tacv2.json")
    assert old is not None and old.data["active"] is False  # moved into the unit record
    assert (await runtime.med.evaluation("RÅDHUSET", "2026-H2")).meeting_date is not None


# ---- HR ----------------------------------------------------------------------------------------------


async def test_hr_sends_now_and_sees_the_med_overview(world: World) -> None:
    with_jobcenter(world)
    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    replies = await hr.send("send MED-påmindelse")
    assert any("sendt til 1 MED-kanal(er) og til 1 leder(e) i chatten" in t for t in texts(replies))
    again = await hr.send("send MED-påmindelse")
    assert any("0 MED-kanal(er) og til 0 leder(e)" in t for t in texts(again))  # never twice
    unknown = await hr.send("send MED-påmindelse Borgerservise")
    assert any("Mente du: Borgerservice?" in t for t in texts(unknown))
    overview = all_text(cards(await hr.send("MED-overblik"))[0])
    assert "MED-overblik for 2026-H2" in overview
    assert "Borgerservice" in overview and "Jobcenter" in overview and "Påmindelse sendt" in overview
    assert "ingen MED-kanal (påmindelsen går til lederens chat)" in overview  # Jobcenter
    assert "Uden MED-kanal\n1" in overview and "Uden lokal handleplan\n2" in overview
    assert "ingen lokal handleplan" in overview
    old_name = all_text(cards(await hr.send("MED-status"))[0])  # the old command still works
    assert "MED-overblik" in old_name
    employee = world.chat(runtime, MEMBER)
    assert any("kun bruges af HR" in t for t in texts(await employee.send("MED-overblik")))


async def test_removed_bot_stops_posting_keeps_history_and_tells_hr(world: World) -> None:
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    chat = channel(world, runtime, "19:c1@thread.tacv2")
    await chat.activity(Activity(type=ActivityTypes.conversation_update, members_removed=[ChannelAccount(id="28:bot")]))
    assert await runtime.med.channels() == []
    record = await runtime.med.units.records.get("Borgerservice")
    assert record is not None and [h["what"] for h in record.history] == ["channel_registered", "channel_gone"]
    assert any("modtager ikke længere" in t and "leder påmindelsen i sin chat" in t for t in await hr_told(world))


async def test_a_channel_that_answers_403_is_deactivated(world: World) -> None:
    world.clock.current = SEPT
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    world.connector.remove_bot("19:c1@thread.tacv2")
    assert (await runtime.med.send_due()).total == 0
    assert await runtime.med.channels() == []


async def test_not_done_after_the_configured_weeks_gets_one_follow_up(world: World) -> None:
    world.clock.current = SEPT
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await runtime.med.send_due()
    world.clock.current = datetime(2026, 9, 30, 8, tzinfo=UTC)  # 4 weeks later (default MED_FOLLOWUP_WEEKS)
    await runtime.med.send_due()
    await runtime.med.send_due()
    followups = [m for m in world.connector.messages() if "ikke markeret som gennemført" in said(m.activity)]
    assert len(followups) == 1 and followups[0].conversation_id == "19:c1@thread.tacv2"
    assert "MED-evalueringen for Borgerservice" in said(followups[0].activity)


async def test_figures_below_the_threshold_show_as_under_3(world: World) -> None:
    from tests.bot.test_leader_flow import report

    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    runtime = await world.runtime()
    await report(world, runtime)  # one case in Borgerservice (from the directory)
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    world.clock.current = datetime(2027, 3, 1, 9, tzinfo=UTC)
    await runtime.med.send_due()
    assert "under 3" in said(reminders(world)[0])


# ---- 300 workplaces, exactly once ----------------------------------------------------------------------


def leader_of(i: int) -> str:
    return f"00000000-0000-0000-0000-0000000{i:05d}"


async def test_300_units_each_get_exactly_one_reminder_in_channel_or_chat_across_a_restart(world: World) -> None:
    rows = [f"{leader_of(10000 + i)},Ansat {i},{leader_of(i)},Leder {i},,,Enhed {i},false" for i in range(300)]
    directory(world, *rows, standard=False)
    world.clock.current = SEPT
    first = await world.runtime()
    for i in range(250):  # 250 units have a MED channel; the other 50 are reminded in their leader's chat
        cid = f"19:c{i:03d}@thread.tacv2"
        reference = {
            "serviceUrl": world.connector.service_url,
            "channelId": "msteams",
            "conversation": {"id": cid, "conversationType": "channel"},
            "bot": {"id": "28:bot"},
        }
        await first.med.units.register(RegisterChannel(f"Enhed {i}", "", "LMU"), Place(HR, "HR", TEAM, cid))
        await ChannelBook(world.store).keep(TEAM, cid, reference)  # as the MED edge does after it
    running = asyncio.create_task(first.med.send_due())
    for _ in range(400):  # restart in the middle, once about a third has gone out
        if len(reminders(world)) >= 100:
            break
        await asyncio.sleep(0.05)  # polling the fake connector's record
    first.med.stopping.set()  # the shutdown path: in-flight sends finish and are recorded
    sent_first = await running
    assert 100 <= sent_first.total < 300
    period = first.med.schedule.due_period(world.clock.now()).id
    claimed = await world.store.find(names.med_sent_where(period, state="sending"))
    assert claimed == []  # claims made ahead of sends that never started are released at the stop
    second = await world.runtime()  # the new process on the same store
    sent_second = await second.med.send_due()
    assert sent_first.total + sent_second.total == 300
    assert sent_first.chats + sent_second.chats == 50
    per_conversation = Counter(m.conversation_id for m in world.connector.messages() if m.activity.get("attachments"))
    assert len(per_conversation) == 300 and set(per_conversation.values()) == {1}  # none lost, none twice
    chats = [c for c in per_conversation if not c.startswith("19:")]
    assert len(chats) == 50 and len(world.connector.created) == 50
    assert (await second.med.send_due()).total == 0


async def test_reminders_are_new_posts_not_replies_in_the_registration_thread(world: World) -> None:
    runtime = await world.runtime()
    chat = ChannelChat(runtime, LEADER, TEAM, "19:c1@thread.tacv2", service_url=world.connector.service_url)
    # In Teams, a click on a card in a channel arrives in that post's thread.
    chat.adapter.template.conversation.id = "19:c1@thread.tacv2;messageid=1795623627897"
    await chat.invoke_card("med_register", {"unit": "Borgerservice"})
    [registered] = await runtime.med.channels()
    assert registered.channel is not None and registered.channel.reference is None  # the ids alone
    kept = await ChannelBook(world.store).reference(TEAM, "19:c1@thread.tacv2")  # the channel book's
    assert kept is not None and kept["conversation"]["id"] == "19:c1@thread.tacv2"
    assert "activityId" not in kept


class FiguresUnreadable:
    """The store, except that one unit's cases cannot be read (a storage hiccup) while `broken`."""

    def __init__(self, inner: Store, unit: str) -> None:
        self._inner = inner
        self._unit = unit_tag(unit)
        self.broken = True

    async def find(
        self,
        equals: dict[str, str],
        *,
        at_most: dict[str, str] | None = None,
        at_least: dict[str, str] | None = None,
    ) -> list[str]:
        if self.broken and equals.get("kind") == "case" and equals.get("unit") == self._unit:
            raise OSError("the storage account did not answer")
        return await self._inner.find(equals, at_most=at_most, at_least=at_least)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_unit_whose_figures_cannot_be_read_is_retried_and_the_others_are_sent(world: World) -> None:
    with_jobcenter(world)
    world.clock.current = SEPT
    await register(world, await world.runtime(), "19:c1@thread.tacv2", "Borgerservice")
    await register(world, await world.runtime(), "19:c2@thread.tacv2", "Jobcenter", who=JOB_LEADER)
    flaky = FiguresUnreadable(world.store, "Borgerservice")
    runtime = await world.runtime(cast(Store, flaky))

    assert (await runtime.med.send_due()).total == 1
    assert [m.conversation_id for m in world.connector.messages()] == ["19:c2@thread.tacv2"]
    period = runtime.med.schedule.due_period(world.clock.now())
    record = await world.store.get(names.med_sent(period.id, "Borgerservice"))
    assert record is not None and record.data["state"] == "failed"  # recorded, not lost

    flaky.broken = False
    assert (await runtime.med.send_due()).total == 0  # not before its retry time
    world.clock.current += timedelta(minutes=6)
    assert (await runtime.med.send_due()).total == 1
    per_channel = Counter(m.conversation_id for m in world.connector.messages())
    assert per_channel == {"19:c1@thread.tacv2": 1, "19:c2@thread.tacv2": 1}
