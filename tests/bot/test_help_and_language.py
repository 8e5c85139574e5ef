"""`hjælp` by role and place, and every message in its reader's language.

Roles: a leader is someone who leads or deputises on a case, or whom the directory knows as a
leader; HR comes from the settings. Languages: the welcome on install uses the event's locale or
the one stored for the person; a proactive card uses the receiver's stored locale, never the
sender's; a notice inside a channel's card is in the card's language.
"""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.storage import names
from bot.texts import da, en
from tests.bot.chat import ChannelChat, Chat, all_text, cards, invoke, said
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER, STRANGER, World
from tests.bot.test_leader_flow import decide, report
from tests.bot.test_med import register

SECTIONS = ("employee", "leader", "hr", "channel")


async def sections_shown(chat: Chat, command: str = "hjælp") -> list[str]:
    [card] = cards(await chat.send(command))
    texts = da.TEXTS if chat.locale.startswith("da") else en.TEXTS
    body = all_text(card)
    assert texts["help.title"] in body
    return [s for s in SECTIONS if texts[f"help.section.{s}"] in body]


async def test_an_employee_sees_the_employees_commands_only(world: World) -> None:
    runtime = await world.runtime()
    assert await sections_shown(world.chat(runtime, EMPLOYEE)) == ["employee"]
    assert await sections_shown(world.chat(runtime, STRANGER, locale="en-US"), "help") == ["employee"]


async def test_a_leader_in_the_directory_also_sees_the_leaders_part(world: World) -> None:
    runtime = await world.runtime()
    assert await sections_shown(world.chat(runtime, LEADER, "Lene Leder")) == ["employee", "leader"]


async def test_someone_who_leads_a_case_is_a_leader_even_after_leaving_the_directory(world: World) -> None:
    runtime = await world.runtime()
    await report(world, runtime)
    # The directory no longer lists Lene or Dorte as anyone's leader (a reorganisation).
    (world.data_dir.parent / "leaders.csv").write_text(
        "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name\n"
        f"{EMPLOYEE},Mette Medarbejder,{STRANGER},Frida Fremmed\n",
        encoding="utf-8",
    )
    assert await sections_shown(world.chat(runtime, LEADER, "Lene Leder")) == ["employee", "leader"]
    # The deputy was never brought into the case (the leader is present): not a leader of anything.
    assert await sections_shown(world.chat(runtime, DEPUTY, "Dorte")) == ["employee"]
    assert await sections_shown(world.chat(runtime, EMPLOYEE)) == ["employee"]  # reported, leads nothing


async def test_hr_also_sees_hrs_commands_with_buttons_that_work(world: World) -> None:
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    assert await sections_shown(hr) == ["employee", "hr"]
    [card] = cards(await hr.send("hjælp"))
    verbs = {a["data"]["verb"] for a in card["actions"]}
    assert {"hr_cases", "hr_med_overview"} <= verbs
    [overview] = cards(await hr.send(value={"verb": "hr_cases"}))
    assert da.TEXTS["hr.title"] in all_text(overview)


async def test_in_a_channel_help_shows_the_med_commands(world: World) -> None:
    runtime = await world.runtime()
    member = ChannelChat(runtime, STRANGER, "19:team", "19:c1@thread.tacv2", service_url=world.connector.service_url)
    replies = await member.activity(Activity(type=ActivityTypes.message, text="<at>Krænkelser</at> hjælp"))
    body = all_text(cards(replies)[0])
    assert da.TEXTS["help.section.channel"] in body and "registrer MED-kanal" in body
    assert da.TEXTS["help.section.employee"] not in body and da.TEXTS["help.section.hr"] not in body
    hr = ChannelChat(runtime, HR, "19:team", "19:c1@thread.tacv2", service_url=world.connector.service_url)
    replies = await hr.activity(Activity(type=ActivityTypes.message, text="<at>Krænkelser</at> hjælp"))
    assert da.TEXTS["help.section.hr"] in all_text(cards(replies)[0])


async def install(chat: Chat, locale: str | None) -> list[Activity]:
    before = len(chat.adapter.activity_buffer)
    activity = Activity(
        type=ActivityTypes.conversation_update,
        members_added=[ChannelAccount(id="28:bot")],
        locale=locale,
        channel_data={"tenant": {"id": "tenant"}},
    )
    await chat.adapter.process_activity(activity, chat.runtime.bot.on_turn)
    return list(chat.adapter.activity_buffer[before:])


async def test_the_welcome_on_install_uses_the_events_locale_or_the_stored_one(world: World) -> None:
    runtime = await world.runtime()
    newcomer = world.chat(runtime, STRANGER, locale="en-US")
    [welcome] = cards(await install(newcomer, "en-US"))
    assert en.TEXTS["welcome.title"] in all_text(welcome)

    leader = world.chat(runtime, LEADER, "Lene Leder", locale="en-US")
    await leader.send("help")  # Lene's Teams runs in English: remembered with her reference
    [welcome] = cards(await install(leader, None))  # a reinstall whose event carries no locale
    body = all_text(welcome)
    assert en.TEXTS["welcome.title"] in body and "Working Environment Act" in body
    stored = await world.store.get(names.user_ref(LEADER))
    assert stored is not None and stored.data["locale"] == "en-US"  # the event did not wipe it


async def test_a_danish_employee_and_an_english_manager_each_get_their_own_language(world: World) -> None:
    runtime = await world.runtime()
    await world.chat(runtime, LEADER, "Lene Leder", locale="en-US").send("help")
    case_id = await report(world, runtime)  # Mette writes in Danish

    sent = [m for m in world.connector.messages()]
    to_leader = [m for m in sent if en.TEXTS["case.new_for_leader"] in said(m.activity)]
    assert len(to_leader) == 1  # Lene, in English
    assert "Manager" in said(to_leader[0].activity) and "Police report" in said(to_leader[0].activity)
    danish = [m for m in sent if da.TEXTS["case.new_for_leader"] in said(m.activity)]
    assert danish == []  # Dorte, the deputy, gets nothing while the leader is present
    to_reporter = next(m for m in sent if "Her er din sag" in said(m.activity))
    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)  # Lene did not confirm by 10:00: Dorte is brought in
    await runtime.scheduler.tick()
    brought_in = [m for m in world.connector.messages() if "inddraget som stedfortræder" in said(m.activity)]
    assert len(brought_in) == 1  # Dorte never wrote to the bot: the municipality's default, Danish

    leader = world.chat(runtime, LEADER, "Lene Leder", locale="en-US")
    card = await invoke(leader, "decide", decide(case_id, "removal_requested", removal_note="Asked Meta"))
    assert "Saved" in all_text(card)  # the actor's own refreshed card: English
    await runtime.background.drain()
    updated = all_text(to_reporter.updates[-1])
    assert "anmodet om fjernelse" in updated and "Her er din sag" not in updated  # Danish, for Mette


async def test_a_notice_inside_a_channel_card_is_in_the_cards_language(world: World) -> None:
    world.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
    runtime = await world.runtime()
    await register(world, runtime, "19:c1@thread.tacv2", "Borgerservice")
    await runtime.med.send_now(None)
    member = ChannelChat(
        runtime, STRANGER, "19:team-1@thread.tacv2", "19:c1@thread.tacv2", service_url=world.connector.service_url
    )
    member.locale = "en-US"  # an English Teams clicking the Danish channel card
    card = await member.invoke_card(
        "med_agenda", {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "not a date"}
    )
    body = all_text(card)
    assert da.TEXTS["med.title"].format(unit="Borgerservice") in body
    assert da.TEXTS["field.meeting_date"] in body and en.TEXTS["field.meeting_date"] not in body
