""" "Straks" means today, and the deputy sees nothing until brought in (TestAdapter, fake connector).

The report comes on Tuesday 24 November 2026 at 22:55 Copenhagen time (the fake clock's start),
outside office hours (08:00-16:00): the clock starts Wednesday 08:00, the acknowledgement is due at
10:00 (two office hours), HR hears at 12:00, the immediate steps are due Thursday 16:00.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from bot.texts import da
from tests.bot.chat import all_text, cards, invoke, said
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER, World
from tests.bot.test_leader_flow import decide, report
from tests.bot.test_report_dialog import GOOD_FORM

WED_0959 = datetime(2026, 11, 25, 8, 59, tzinfo=UTC)
WED_1000 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # the acknowledgement deadline (10:00 local)
WED_1159 = datetime(2026, 11, 25, 10, 59, tzinfo=UTC)
WED_1200 = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)  # twice that: HR


def conversations_of(world: World, person: str) -> set[str]:
    """Every conversation the bot could reach this person in: their chat, and any it opened."""
    ids = {f"a:chat-{person}"}
    for body in world.connector.created:
        member = body["members"][0]["id"]
        if person in member:
            tenant = next((v for k, v in body.items() if k.lower() == "tenantid"), None)
            ids.add(f"a:1{hashlib.sha256(f'{member}|{tenant}'.encode()).hexdigest()[:24]}")
    return ids


def sent_to(world: World, person: str) -> list[dict[str, Any]]:
    where = conversations_of(world, person)
    return [m.activity for m in world.connector.messages() if m.conversation_id in where]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = activity["attachments"][0]["content"]
    return content


async def test_the_deputy_receives_nothing_while_the_leader_is_present(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    world.clock.current = WED_0959
    await runtime.scheduler.tick()
    assert sent_to(world, DEPUTY) == []
    [leader_card] = sent_to(world, LEADER)
    assert card_of(leader_card)["refresh"]["userIds"] == [EMPLOYEE, LEADER]  # no deputy
    deputy = world.chat(runtime, DEPUTY, "Dorte Stedfortræder")
    for verb, data in [
        ("refresh_case", {"case_id": case_id}),
        ("open_case", {"case_id": case_id}),
        ("history", {"case_id": case_id}),
        ("decide", decide(case_id, "acknowledge")),
        ("decide", decide(case_id, "citizen_contacted", citizen_note="Ringet")),
    ]:
        shown = all_text(await invoke(deputy, verb, data))
        assert "Ingen adgang" in shown and "Han skrev" not in shown, verb  # refused like an outsider
    assert "KH-2026-0001" not in all_text(cards(await deputy.send("mine sager"))[0])
    case = (await runtime.cases.get(case_id)).case
    assert case.deputy_in is None and case.acknowledged is None


async def test_the_deputy_gets_the_card_when_the_acknowledgement_is_overdue_then_hr(world: World) -> None:
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")  # HR has a chat with the bot
    case_id = await report(world, runtime)
    world.clock.current = WED_0959
    await runtime.scheduler.tick()
    assert sent_to(world, DEPUTY) == []

    world.clock.current = WED_1000
    await runtime.scheduler.tick()
    [deputy_card] = sent_to(world, DEPUTY)
    shown = said(deputy_card)
    assert "inddraget som stedfortræder" in shown and "2 arbejdstimer" in shown
    assert "Han skrev at han ved hvor jeg bor." in shown  # the full case card, now
    assert DEPUTY in card_of(deputy_card)["refresh"]["userIds"]
    audit = await runtime.store.read_audit(case_id)
    [joined] = [line for line in audit if line["type"] == "DeputyBroughtIn"]
    assert (joined["reason"], joined["actor"]) == ("ack_overdue", "bot")
    assert not any("Ingen leder har bekræftet" in said(a) for a in sent_to(world, HR))

    deputy = world.chat(runtime, DEPUTY, "Dorte Stedfortræder")
    assert "Han skrev" in all_text(await invoke(deputy, "refresh_case", {"case_id": case_id}))
    assert "KH-2026-0001" in all_text(cards(await deputy.send("mine sager"))[0])

    world.clock.current = WED_1159
    await runtime.scheduler.tick()
    assert not any("Ingen leder har bekræftet" in said(a) for a in sent_to(world, HR))
    world.clock.current = WED_1200
    await runtime.scheduler.tick()
    await runtime.scheduler.tick()
    told = [a for a in sent_to(world, HR) if "Ingen leder har bekræftet at have set sag KH-2026-0001" in said(a)]
    assert len(told) == 1  # once
    assert len(sent_to(world, DEPUTY)) == 1  # the deputy's card went once


async def test_a_leader_who_acknowledges_in_time_keeps_the_case_to_themselves(world: World) -> None:
    runtime = await world.runtime()
    await world.chat(runtime, HR, "Hanne HR").send("hjælp")
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    world.clock.current = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # Wednesday 08:30
    card = all_text(await invoke(leader, "refresh_case", {"case_id": case_id}))
    assert "Bekræft, at du har set sagen – senest onsdag 25-11-2026 kl. 10:00." in card
    card = all_text(await invoke(leader, "decide", decide(case_id, "acknowledge")))
    assert "Gemt: Jeg har set sagen" in card and "Set af lederen" in card
    assert "Jeg har set sagen" not in card.replace("Gemt: Jeg har set sagen", "")  # the button is gone
    await runtime.background.drain()
    world.clock.current = datetime(2026, 11, 25, 15, tzinfo=UTC)
    await runtime.scheduler.tick()
    assert sent_to(world, DEPUTY) == []
    assert not any("Ingen leder har bekræftet" in said(a) for a in sent_to(world, HR))
    audit = await runtime.store.read_audit(case_id)
    [ack] = [line for line in audit if line["type"] == "Acknowledged"]
    assert (ack["actor"], ack["in_time"]) == (LEADER, True)
    employee_card = next(m for m in world.connector.messages() if "Her er din sag" in said(m.activity))
    assert "Set af lederen" in all_text(employee_card.updates[-1])  # the employee sees it was seen


async def test_the_receipt_says_what_happens_next_and_when(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    [receipt] = cards(await chat.send(value={"verb": "review_submit"}))
    shown = all_text(receipt)
    assert "uden for kontortid, så fristerne regnes fra onsdag 25-11-2026 kl. 08:00" in shown
    assert "bekræfte at have set den senest onsdag 25-11-2026 kl. 10:00" in shown
    assert "stedfortræder sagen, og er den stadig ikke set onsdag 25-11-2026 kl. 12:00, får HR besked" in shown
    assert "har frist torsdag 26-11-2026 kl. 16:00" in shown
    english = world.chat(runtime, EMPLOYEE, "Mette Medarbejder", locale="en-US")  # a second report, in English
    await english.send("report")
    await english.send(value=GOOD_FORM)
    await english.send("done")
    shown = all_text(cards(await english.send(value={"verb": "review_submit"}))[0])
    assert (
        "Your manager (Lene Leder) gets the case now and must confirm having seen it by Wednesday 25-11-2026 at 10:00"
        in shown
    )


async def test_hr_brings_in_the_deputy_from_the_card(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    hr = world.chat(runtime, HR, "Hanne HR")
    card = all_text(await invoke(hr, "open_case", {"case_id": case_id}))
    assert "Inddrag lederens stedfortræder: Dorte Stedfortræder" in card
    leader = world.chat(runtime, LEADER, "Lene Leder")
    refused = all_text(await invoke(leader, "decide", decide(case_id, "bring_in_deputy")))
    assert "ikke adgang" in refused  # HR's decision
    await invoke(hr, "decide", decide(case_id, "bring_in_deputy"))
    await runtime.background.drain()
    [deputy_card] = sent_to(world, DEPUTY)
    assert "HR har inddraget dig som stedfortræder for Lene Leder på sag KH-2026-0001" in said(deputy_card)
    audit = await runtime.store.read_audit(case_id)
    [joined] = [line for line in audit if line["type"] == "DeputyBroughtIn"]
    assert (joined["reason"], joined["actor"]) == ("hr", HR)


async def test_an_absent_leader_brings_the_deputy_in_at_once(world: World) -> None:
    csv = world.data_dir.parent / "leaders.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",false\n", ",true\n"), encoding="utf-8")
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    [deputy_card] = sent_to(world, DEPUTY)
    assert "Lene Leder er fraværende" in said(deputy_card)
    audit = await runtime.store.read_audit(case_id)
    assert [line["reason"] for line in audit if line["type"] == "DeputyBroughtIn"] == ["leader_absent"]
    case = (await runtime.cases.get(case_id)).case
    assert case.leader is not None and case.leader.aad_object_id == LEADER  # still the case's leader


async def test_mine_sager_lists_led_cases_overdue_first_and_each_line_opens_the_card(world: World) -> None:
    runtime = await world.runtime()
    first = await report(world, runtime)  # Tuesday 22:55: acknowledgement due Wednesday 10:00
    world.clock.current = datetime(2026, 11, 25, 8, tzinfo=UTC)  # Wednesday 09:00
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(first, "acknowledge"))
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await employee.send("rapportér")
    await employee.send(value={**GOOD_FORM, "date": "2026-11-25", "time": "08:30"})
    await employee.send("færdig")
    await employee.send(value={"verb": "review_submit"})
    await runtime.background.drain()
    second = next(c.id for c in await runtime.cases.reported_by(EMPLOYEE) if c.id != first)
    world.clock.current = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)  # 11:30: the second is overdue
    listing = cards(await leader.send("mine sager"))[0]
    text = all_text(listing)
    assert "Sager, du leder" in text and "Dine egne indberetninger" not in text
    assert text.index("KH-2026-0002") < text.index("KH-2026-0001")  # overdue first
    assert "Overskredet: bekræft at sagen er set · frist onsdag 25-11-2026 kl. 11:00" in text
    assert f"Næste: {da.TEXTS['step.removal']} · frist torsdag 26-11-2026 kl. 16:00" in text  # the first case
    opens = [
        a["data"]["case_id"]
        for c in listing["body"]
        if c.get("type") == "Container"
        for item in c["items"]
        if item.get("type") == "ActionSet"
        for a in item["actions"]
        if a.get("verb") == "open_case"
    ]
    assert opens == [second, first]
    opened = all_text(await invoke(leader, "open_case", {"case_id": second}))
    assert "KH-2026-0002" in opened and "Jeg har set sagen" in opened
    hr = world.chat(runtime, HR, "Hanne HR")
    overview = all_text(cards(await hr.send("sager"))[0])
    assert overview.index("KH-2026-0002") < overview.index("KH-2026-0001")
    mine = all_text(cards(await employee.send("mine sager"))[0])
    assert "Sager, du leder" not in mine and "KH-2026-0001" in mine and "KH-2026-0002" in mine
