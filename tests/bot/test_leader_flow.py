"""The leader's side through botbuilder's TestAdapter, the real sender and a fake Bot Connector."""

from __future__ import annotations

import asyncio
from typing import Any

from app import Runtime
from bot.guideline.model import CaseStatus, StepId, StepStatus
from bot.services.notifications import FIRST_CLAIM_FOR
from tests.bot.chat import Chat, all_text, cards, invoke, said, texts
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER, STRANGER, World, file_attachment
from tests.bot.test_report_dialog import GOOD_FORM


async def report(world: World, runtime: Runtime) -> str:
    chat = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send(attachments=[file_attachment(world.files.url("/files/shot.png"), "shot.png")])
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit"})
    await runtime.background.drain()
    [case] = await runtime.cases.reported_by(EMPLOYEE)
    return case.id


def decide(case_id: str, action: str, **inputs: str) -> dict[str, Any]:
    return {"case_id": case_id, "action": action, **inputs}


async def test_leader_is_notified_at_once_with_the_case_card(world: World) -> None:
    runtime = await world.runtime()
    await report(world, runtime)
    sent = [m.activity for m in world.connector.messages()]
    leader_cards = [a for a in sent if "Ny sag til dig" in said(a)]
    assert len(leader_cards) == 1  # the leader only: the deputy gets nothing while the leader is present
    body = all_text(leader_cards[0]["attachments"][0]["content"])
    assert "Han skrev at han ved hvor jeg bor." in body  # the reporter's own words
    assert "Tilbuddet er givet" in body and "Fjernet" in body
    assert "Politianmeldt" not in body  # the offer to take part comes first
    assert "familie" in body
    reporter_cards = [a for a in sent if "Her er din sag" in said(a)]
    assert len(reporter_cards) == 1
    # No question to the employee before the leader has made the offer.
    assert "Ja, jeg vil deltage" not in all_text(reporter_cards[0]["attachments"][0]["content"])


async def test_leader_decides_steps_and_the_reporters_card_is_updated_in_place(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    card = await invoke(leader, "decide", decide(case_id, "removal_requested", removal_note="Anmodet hos Meta"))
    assert "Gemt" in all_text(card)
    await runtime.background.drain()
    reporter_card = next(m for m in world.connector.messages() if "Her er din sag" in said(m.activity))
    assert reporter_card.updates, "the reporter's card was updated in place"
    assert "anmodet om fjernelse" in all_text(reporter_card.updates[-1])
    audit = await runtime.store.read_audit(case_id)
    assert any(line.get("step") == "removal" for line in audit)


async def test_the_employee_declines_the_police_report_and_the_insubiz_note_is_required(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    early = await invoke(employee, "decide", decide(case_id, "offer_no_report"))
    assert "endnu ikke registreret tilbuddet" in all_text(early)  # the leader's offer comes first
    card = await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="phone"))
    assert "venter på medarbejderens svar" in all_text(card)  # the leader sees the answer is pending
    await runtime.background.drain()
    # The employee is asked at once, with their card.
    asked = [
        m for m in world.connector.messages() if "tilbudt dig at deltage i politianmeldelsen" in all_text(m.activity)
    ]
    assert asked, "the employee was not asked"
    refused = await invoke(leader, "decide", decide(case_id, "offer_no_report"))
    assert "ikke adgang" in all_text(refused)  # never the leader's answer
    card = await invoke(employee, "decide", decide(case_id, "offer_no_report"))
    assert "ønsker ikke politianmeldelse" in all_text(card)
    await runtime.background.drain()
    told = [said(m.activity) for m in world.connector.messages() if "Skriv notatet til InsuBiz" in said(m.activity)]
    assert len(told) == 1  # the leader hears the answer (the deputy is not on the case)
    card = await invoke(leader, "refresh_case", {"case_id": case_id})
    body = all_text(card)
    assert "Notat til InsuBiz" in body and "ikke ønsker" in body  # the drafted note to copy
    case = (await runtime.cases.get(case_id)).case
    assert case.steps[StepId.INSUBIZ_NOTE].status is StepStatus.OPEN
    assert case.steps[StepId.POLICE_REPORT].outcome == "declined_by_employee"
    card = await invoke(leader, "decide", decide(case_id, "insubiz_draft", insubiz_text="Notat: medarbejderen ..."))
    assert "Reference i InsuBiz" in all_text(card)
    card = await invoke(leader, "decide", decide(case_id, "insubiz_registered", insubiz_ref="IB-2026-17"))
    case = (await runtime.cases.get(case_id)).case
    assert case.steps[StepId.INSUBIZ_NOTE].status is StepStatus.DONE
    assert case.steps[StepId.INSUBIZ_NOTE].fields["reference"] == "IB-2026-17"
    late = await invoke(employee, "decide", decide(case_id, "offer_join"))
    assert "allerede afgjort" in all_text(late)  # a late answer is refused, in the card's language


async def test_the_employee_answers_the_offer_on_their_own_card(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="in_person"))
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    card = await invoke(employee, "decide", decide(case_id, "offer_join"))
    assert "vil deltage" in all_text(card)
    refused = await invoke(leader, "decide", decide(case_id, "offer_without_me"))  # not the leader's to answer
    assert "ikke adgang" in all_text(refused)
    case = (await runtime.cases.get(case_id)).case
    assert case.steps[StepId.POLICE_OFFER].outcome == "wants_to_join"


async def told_once_on_the_retry(
    world: World, runtime: Runtime, case_id: str, chat: str, phrase: str, retry_key: str, also: Runtime | None = None
) -> None:
    """A notice whose send failed: not told, waiting in the case's retries; once the chat is back
    and the back-off has passed, the scheduler tells it exactly once. `also`: a second instance
    delivering at the same moment (its claim with the case's ETag keeps the send to one)."""

    def told() -> int:
        return sum(phrase in said(m.activity) for m in world.connector.messages(chat))

    assert told() == 0
    doc = await runtime.cases.get(case_id)
    assert any(key.startswith(retry_key) for key in doc.retry), "the failed notice waits for a retry"
    world.connector._faults.clear()  # the chat is back
    world.clock.advance(minutes=2)  # past the first back-off
    if also is not None:
        await asyncio.gather(runtime.notifications.deliver_due(), also.notifications.deliver_due())
    await runtime.scheduler.tick()
    assert told() == 1
    await runtime.scheduler.tick()
    assert told() == 1  # sent once


async def test_the_employee_s_answer_reaches_the_leader_after_a_failed_send(world: World) -> None:
    """A due text (here the employee's answer to the police offer) that reached nobody stays
    pending and is retried: it was counted as delivered when its send failed."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="in_person"))
    await runtime.background.drain()
    leader_chat = f"a:chat-{LEADER}"  # where the leader's card was just clicked
    world.connector.fail_next(60, 503, conversation_id=leader_chat)  # the leader's chat is down
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await invoke(employee, "decide", decide(case_id, "offer_join"))
    await runtime.background.drain()
    await told_once_on_the_retry(
        world, runtime, case_id, leader_chat, "har svaret på tilbuddet om at deltage i politianmeldelsen", "offer:"
    )


async def test_a_forged_invoke_from_a_third_user_changes_nothing(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    before = await runtime.cases.get(case_id)
    audit_before = await runtime.store.read_audit(case_id)
    stranger = world.chat(runtime, STRANGER, "Fremmed")
    for verb, data in [
        ("decide", decide(case_id, "offer_made", offered_via="bot")),
        ("refresh_case", {"case_id": case_id}),
        ("history", {"case_id": case_id}),
        ("decide", decide(case_id, "close")),
    ]:
        card = await invoke(stranger, verb, data)
        text = all_text(card)
        assert "Ingen adgang" in text and "Han skrev" not in text  # no case content leaks
    after = await runtime.cases.get(case_id)
    assert after.case == before.case
    assert await runtime.store.read_audit(case_id) == audit_before


async def test_same_action_twice_is_idempotent_and_bad_input_is_explained(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="in_person"))
    police = decide(case_id, "police_reported", police_journal="4400-80123-00012-26", police_filed_by="Lene Leder")
    await invoke(leader, "decide", police)
    lines = len(await runtime.store.read_audit(case_id))
    await invoke(leader, "decide", police)
    assert len(await runtime.store.read_audit(case_id)) == lines
    card = await invoke(leader, "decide", decide(case_id, "apv_filed", apv_ref="DEFGO-1"))  # measures first
    assert "ikke lade sig gøre" in all_text(card)
    card = await invoke(leader, "decide", decide(case_id, "citizen_contacted", citizen_channel=""))
    assert "mangler" in all_text(card)
    card = await invoke(leader, "decide", decide(case_id, "police_reported", police_journal="4400-2"))
    assert "Politianmeldt af mangler" in all_text(card)  # the input named as the card labels it
    card = await invoke(leader, "decide", {"case_id": case_id, "action": "drop_tables"})
    assert "gyldigt" in all_text(card)


async def test_two_people_clicking_at_once_lose_no_update(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    other = await world.runtime()  # a second instance on the same store
    leader = world.chat(runtime, LEADER, "Lene Leder")
    hr = world.chat(other, HR, "Hanne HR")
    await asyncio.gather(
        invoke(leader, "decide", decide(case_id, "removal_removed")),
        invoke(hr, "decide", decide(case_id, "citizen_contacted", citizen_channel="Borgerservice")),
        invoke(
            world.chat(other, LEADER, "Lene Leder"),
            "decide",
            decide(case_id, "apv_measures", apv_measures="Ny procedure"),
        ),
    )
    case = (await runtime.cases.get(case_id)).case
    assert case.steps[StepId.REMOVAL].status is StepStatus.DONE
    assert case.steps[StepId.CITIZEN_CONTACT].status is StepStatus.DONE
    assert case.steps[StepId.APV_PLAN].status is StepStatus.IN_PROGRESS


async def test_closing_needs_every_step_and_hr_sees_the_overview(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    card = await invoke(leader, "decide", decide(case_id, "close"))
    assert "Afslut sagen" not in all_text(card)  # not offered while steps are open
    for action, inputs in [
        ("removal_removed", {}),
        ("citizen_contacted", {"citizen_channel": "Borgerservice"}),
        ("offer_made", {"offered_via": "bot"}),
        ("police_reported", {"police_journal": "4400-1", "police_filed_by": "Lene Leder"}),
        ("apv_measures", {"apv_measures": "Skærmning"}),
        ("apv_filed", {"apv_ref": "D-9"}),
        ("fu_emp_done", {"fu_emp_done_date": "2026-11-24", "fu_emp_note": "Samtale"}),
        ("fu_col_none", {"fu_col_none_reason": "Kun medarbejderen var nævnt"}),
        ("saved_on_case", {"saved_ref": "SAG-2026-0815"}),
    ]:
        card = await invoke(leader, "decide", decide(case_id, action, **inputs))
        assert "Gemt" in all_text(card), (action, all_text(card))
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    hr = world.chat(runtime, HR, "Hanne HR")
    overview = all_text(cards(await hr.send("sager"))[0])
    assert "KH-2026-0001" in overview
    card = await invoke(leader, "decide", decide(case_id, "close"))
    assert "Gemt" in all_text(card)
    assert (await runtime.cases.get(case_id)).case.status is CaseStatus.CLOSED
    not_hr = all_text(cards(await employee.send("sager"))[0]) if cards(await employee.send("sager")) else ""
    assert "KH-2026-0001" not in not_hr


async def test_notification_survives_a_crash_between_saving_and_sending(world: World) -> None:
    first = await world.runtime()
    # The process dies right after the case is written: the delivery it scheduled never runs.
    first.background.spawn = lambda work, what: work.close()  # type: ignore[method-assign]
    chat = world.chat(first, EMPLOYEE, "Mette Medarbejder")
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit"})
    assert not [m for m in world.connector.messages() if "Ny sag" in said(m.activity)]
    restarted = await world.runtime()  # a new process on the same store
    await restarted.scheduler.tick()
    # The submit claimed the first delivery in the case's own write: held until that claim ends.
    assert not [m for m in world.connector.messages() if "Ny sag" in said(m.activity)]
    world.clock.advance(seconds=FIRST_CLAIM_FOR.total_seconds())
    await restarted.scheduler.tick()  # the first tick after it ends sends it
    arrived = [m for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)]
    assert len(arrived) == 1  # the leader, once
    await restarted.scheduler.tick()
    assert len([m for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)]) == 1


async def test_connector_down_is_retried_with_back_off_and_the_employee_is_told(world: World) -> None:
    runtime = await world.runtime()
    world.connector.fail_next(60, 503)
    await report(world, runtime)  # every send fails: leader unreachable
    case = await runtime.cases.get((await runtime.cases.reported_by(EMPLOYEE))[0].id)
    assert case.retry, "the failed notification is scheduled for a retry"
    audit = await runtime.store.read_audit(case.case.id)
    # HR could not be reached either: nobody is told that HR has the case.
    assert not any(line.get("type") == "unreachable" for line in audit)
    assert not [m for m in world.connector.messages() if "HR har fået sagen" in said(m.activity)]
    world.connector._faults.clear()  # the connector is back
    await runtime.scheduler.tick()  # too early: back-off not over
    assert not [m for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)]
    world.clock.advance(minutes=2)
    await runtime.scheduler.tick()
    assert len([m for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)]) == 1


async def test_hr_commands_are_for_hr_only(world: World) -> None:
    runtime = await world.runtime()
    employee: Chat = world.chat(runtime, EMPLOYEE)
    replies = await employee.send("sager")
    assert any("kun bruges af HR" in (r.text or "") for r in replies)


async def test_hr_reassigns_the_case_and_both_leaders_are_told(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    hr = world.chat(runtime, HR, "Hanne HR")
    card = await invoke(hr, "hr_open_case", {"case_id": case_id})
    assert "Overdrag sagen" in all_text(card)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    refused = await invoke(leader, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY))
    assert "ikke adgang" in all_text(refused)  # only HR may reassign
    forged = await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=STRANGER, reassign_name="X"))
    assert "gyldigt" in all_text(forged)  # only leaders the directory knows
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY, reassign_name="Forged Name"))
    await runtime.background.drain()
    case = (await runtime.cases.get(case_id)).case
    assert case.leader is not None and case.leader.aad_object_id == DEPUTY
    assert case.leader.name == "Dorte Stedfortræder"  # the directory's name, not the card's
    texts_sent = [said(m.activity) for m in world.connector.messages()]
    assert any("overdraget sag" in t and "Dorte" in t for t in texts_sent)  # the old leader
    assert sum("Ny sag til dig" in t for t in texts_sent) == 1  # the leader at first
    assert sum("HR har overdraget sag KH-2026-0001 til dig." in t for t in texts_sent) == 1  # then the new leader
    audit = await runtime.store.read_audit(case_id)
    assert any(line["type"] == "LeaderChanged" for line in audit)


async def test_the_replaced_leader_is_told_on_the_retry_once_also_by_two_instances(world: World) -> None:
    """The notice to the leader HR replaced is kept in the case: a send that fails (the old
    leader's chat answers 503) leaves it pending, and the retry delivers it once, also when two
    instances deliver at the same moment. Was: one send, a failure only logged. HR's reply says
    only that the hand-over is saved, which it is."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    [leader_chat] = {m.conversation_id for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)}
    world.connector.fail_next(60, 503, conversation_id=leader_chat)  # the old leader's chat is down
    hr = world.chat(runtime, HR, "Hanne HR")
    reply = await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY))
    await runtime.background.drain()
    assert "Gemt: Overdrag sagen" in all_text(reply)
    phrase = "HR har overdraget sag KH-2026-0001 til Dorte Stedfortræder. Du er ikke længere leder på sagen."
    second = await world.runtime()  # another instance on the same store
    await told_once_on_the_retry(world, runtime, case_id, leader_chat, phrase, "replaced:", also=second)
    audit = await runtime.store.read_audit(case_id)
    assert [line.get("kind") for line in audit if line["type"] == "notified"].count("leader_replaced") == 1


async def test_more_evidence_from_my_cases_and_the_leader_is_told(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    prompt = await employee.send(value={"verb": "add_evidence", "case_id": case_id})
    assert any("KH-2026-0001" in (r.text or "") for r in prompt)
    acks = await employee.send(attachments=[file_attachment(world.files.url("/files/photo.jpg"), "foto.jpg")])
    assert any("Modtaget" in (r.text or "") for r in acks)
    again = await employee.send(attachments=[file_attachment(world.files.url("/files/photo.jpg"), "foto.jpg")])
    assert any("allerede sendt" in (r.text or "") for r in again)
    await employee.send("færdig")
    await runtime.background.drain()
    case = (await runtime.cases.get(case_id)).case
    assert [e.original_name for e in case.evidence] == ["shot.png", "foto.jpg"]
    told = [said(m.activity) for m in world.connector.messages()]
    assert sum("dokumentation til sag KH-2026-0001 (nye filer: 1)" in t for t in told) == 1  # the leader only
    stranger = world.chat(runtime, STRANGER)
    refused = await stranger.send(value={"verb": "add_evidence", "case_id": case_id})
    assert any("ikke adgang" in (r.text or "") for r in refused)


async def test_the_evidence_notice_survives_a_failed_send_and_reaches_the_leader_on_the_retry(world: World) -> None:
    """ "Din leder får besked" is said once the notice is kept in the case: a send that fails (the
    leader's chat answers 503) leaves it pending, and the scheduler's retry delivers it."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    [leader_chat] = {m.conversation_id for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)}
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    await employee.send(value={"verb": "add_evidence", "case_id": case_id})
    await employee.send(attachments=[file_attachment(world.files.url("/files/photo.jpg"), "foto.jpg")])
    world.connector.fail_next(60, 503, conversation_id=leader_chat)  # the leader's chat is down
    reply = " ".join(r.text or "" for r in await employee.send("færdig"))
    await runtime.background.drain()
    assert "Din leder får besked" in reply
    await told_once_on_the_retry(
        world, runtime, case_id, leader_chat, "dokumentation til sag KH-2026-0001 (nye filer: 1)", "evidence:"
    )


async def test_more_evidence_on_a_case_without_a_leader_tells_hr_and_says_so(world: World) -> None:
    """No leader to tell: the reply must not promise "your leader is told"; HR, who has the case, is told."""
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")  # HR has a chat with the bot
    employee = world.chat(runtime, STRANGER, "Sune Ukendt")  # not in the directory
    await employee.send("rapportér")
    await employee.send(value=GOOD_FORM)
    await employee.send("færdig")
    await employee.send(value={"verb": "review_submit", "leader": "unknown"})
    await runtime.background.drain()
    [case] = await runtime.cases.reported_by(STRANGER)
    assert case.leader is None
    await employee.send(value={"verb": "add_evidence", "case_id": case.id})
    await employee.send(attachments=[file_attachment(world.files.url("/files/photo.jpg"), "foto.jpg")])
    reply = " ".join(r.text or "" for r in await employee.send("færdig"))
    await runtime.background.drain()
    assert "Antal nye filer på sag KH-2026-0001: 1" in reply
    assert "Din leder får besked" not in reply and "HR får besked" in reply
    told = [said(m.activity) for m in world.connector.messages()]
    assert sum("dokumentation til sag KH-2026-0001 (nye filer: 1)" in t for t in told) == 1  # HR


async def test_an_unreachable_leader_means_the_employee_and_hr_are_told(world: World) -> None:
    runtime = await world.runtime()
    hr = world.chat(runtime, HR, "Hanne HR")
    await hr.send("hjælp")  # HR has a chat with the bot
    # Neither the leader nor the deputy has the app: Teams refuses to open a chat with them.
    world.connector.blocked_users.update({LEADER, DEPUTY})
    case_id = await report(world, runtime)
    told = [said(m.activity) for m in world.connector.messages()]
    assert any("kunne ikke kontaktes" in t and "HR har fået sagen" in t for t in told)  # the employee
    assert any("kunne ikke kontaktes i Teams. Følg op" in t for t in told)  # HR, with the case card
    case = await runtime.cases.get(case_id)
    assert case.retry  # and the notification is retried later, with back-off


async def test_the_leaders_card_helps_get_the_content_removed_and_report_it_to_the_police(world: World) -> None:
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    card = await invoke(leader, "refresh_case", {"case_id": case_id})
    urls = [a["url"] for a in _open_urls(card)]
    assert "https://www.facebook.com/help/1380418588640631" in urls  # the report's platform: Facebook
    assert "https://politi.dk/anmeld-kriminalitet" in urls
    body = all_text(card)
    assert "Anmodning om fjernelse af krænkende indhold" in body and "KH-2026-0001" in body
    await invoke(leader, "decide", decide(case_id, "offer_made", offered_via="bot"))
    card = await invoke(leader, "decide", decide(case_id, "removal_removed"))
    assert "vedhæft dokumentationsmappens PDF" in all_text(card)  # on the police step, which is open now
    assert "https://politi.dk/anmeld-kriminalitet" in [a["url"] for a in _open_urls(card)]
    assert "Anmodning om fjernelse" not in all_text(card)  # the removal is settled: no helper
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")
    mine = await invoke(employee, "refresh_case", {"case_id": case_id})
    assert not _open_urls(mine) and "Anmodning om fjernelse" not in all_text(mine)


def _open_urls(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "Action.OpenUrl":
            found.append(node)
        for value in node.values():
            found += _open_urls(value)
    elif isinstance(node, list):
        for value in node:
            found += _open_urls(value)
    return found


async def test_a_manager_who_gets_the_case_back_gets_a_new_card_to_act_on(world: World) -> None:
    """HR hands the case away from the manager and later back: the manager leads it again, owes
    a new "Jeg har set sagen", and must hear so with a card to act on. Was: nothing (the card of
    the first assignment had been sent once, under the same key). The card says what happened
    (`notify.reassigned_new`), not "Ny sag til dig"."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    leader = world.chat(runtime, LEADER, "Lene Leder")
    await invoke(leader, "decide", decide(case_id, "acknowledge"))
    hr = world.chat(runtime, HR, "Hanne HR")
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY))
    [away] = [m for m in world.connector.messages() if "til Dorte Stedfortræder. Du er ikke" in said(m.activity)]
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=LEADER))
    await runtime.background.drain()
    phrase = "HR har overdraget sag KH-2026-0001 til dig."
    handed = [m for m in world.connector.messages() if phrase in said(m.activity)]
    assert len(handed) == 2  # to the deputy, then back to the manager
    back = handed[1]
    assert back.conversation_id == away.conversation_id  # the manager's chat
    assert "Ny sag til dig" not in said(back.activity)  # not a new case: one handed over
    assert "Jeg har set sagen" in said(back.activity)  # the new acknowledgement, on the card
    card = await invoke(leader, "decide", decide(case_id, "acknowledge"))
    assert "Gemt" in all_text(card)
    await runtime.scheduler.tick()
    assert len([m for m in world.connector.messages() if "til dig." in said(m.activity)]) == 2  # sent once


async def deputy_taken_off_while_their_chat_is_down(world: World, runtime: Any) -> tuple[str, Any, str]:
    """HR brings the deputy in, the deputy's chat goes down, and HR hands the case back to the
    leader (no deputy): returns the case, HR's chat and the deputy's chat."""
    case_id = await report(world, runtime)
    hr = world.chat(runtime, HR, "Hanne HR")
    await invoke(hr, "decide", decide(case_id, "bring_in_deputy"))
    [deputy_chat] = {
        m.conversation_id for m in world.connector.messages() if "inddraget dig som stedfortræder" in said(m.activity)
    }
    world.connector.fail_next(60, 503, conversation_id=deputy_chat)  # the deputy's chat is down
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=LEADER))
    await runtime.background.drain()
    return case_id, hr, deputy_chat


async def test_a_deputy_taken_off_the_case_is_told_on_the_retry_once(world: World) -> None:
    """HR brings the deputy in, then hands the case over (from the card: the leader chosen, no
    deputy): the deputy is off the case, their card turns into a refusal, and they must be told
    why, like a replaced manager: kept in the case, retried after a failed send, sent once also by
    two instances. Was: nothing."""
    runtime = await world.runtime()
    case_id, _hr, deputy_chat = await deputy_taken_off_while_their_chat_is_down(world, runtime)
    case = (await runtime.cases.get(case_id)).case
    assert case.active_deputy is None
    phrase = (
        "HR har ændret, hvem der har sag KH-2026-0001: du er ikke længere inddraget som stedfortræder, "
        "og sagens leder er nu Lene Leder."
    )
    second = await world.runtime()
    await told_once_on_the_retry(world, runtime, case_id, deputy_chat, phrase, "deputy_removed:", also=second)
    audit = await runtime.store.read_audit(case_id)
    assert [line.get("kind") for line in audit if line["type"] == "notified"].count("deputy_removed") == 1
    deputy = world.chat(runtime, DEPUTY, "Dorte Stedfortræder")
    assert "ikke adgang" in all_text(await invoke(deputy, "open_case", {"case_id": case_id}))


async def unreachable_then_handed_away(world: World, runtime: Runtime) -> str:
    """A case whose manager has not got the app: her card failed four times (the next try an hour
    off, HR has the case), then HR hands it to the deputy."""
    await world.chat(runtime, HR, "Hanne HR").send("hjælp")
    world.connector.blocked_users.add(LEADER)
    case_id = await report(world, runtime)
    for minutes in (2, 6, 16):
        world.clock.advance(minutes=minutes)
        await runtime.scheduler.tick()
    retry = (await runtime.cases.get(case_id)).retry[f"assigned:{case_id}:{LEADER}"]
    assert retry["attempts"] == 4 and retry["hr_told"]
    hr = world.chat(runtime, HR, "Hanne HR")
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY))
    return case_id


async def test_a_manager_unreachable_before_the_case_went_away_gets_her_card_at_once_when_it_comes_back(
    world: World,
) -> None:
    """The failed attempts of the first assignment must not hold back the card of the new one.
    Was: their retry entry (same key: case and manager) stayed in the case, and its back-off (an
    hour) kept the card from going out when HR handed the case back."""
    runtime = await world.runtime()
    case_id = await unreachable_then_handed_away(world, runtime)
    world.connector.blocked_users.discard(LEADER)  # she has installed the app meanwhile
    await invoke(world.chat(runtime, HR, "Hanne HR"), "decide", decide(case_id, "reassign", reassign_leader=LEADER))
    await runtime.background.drain()
    her_chat = world.connector.opened[LEADER]  # opened now: Teams refused it before
    back = [
        m
        for m in world.connector.messages(her_chat)
        if "HR har overdraget sag KH-2026-0001 til dig." in said(m.activity)
    ]
    assert len(back) == 1 and "Jeg har set sagen" in said(back[0].activity)
    assert f"assigned:{case_id}:{LEADER}" not in (await runtime.cases.get(case_id)).retry


async def test_a_manager_still_unreachable_when_the_case_comes_back_means_hr_and_the_employee_are_told_again(
    world: World,
) -> None:
    """Back to a manager who still cannot be reached: this assignment's first failure hands the
    case to HR and tells the employee, as for any new assignment. Was: the first assignment's
    "HR has it" (and its back-off) were reused: nothing was tried for an hour, then nobody told."""
    runtime = await world.runtime()
    case_id = await unreachable_then_handed_away(world, runtime)
    before = len(world.connector.activities)
    await invoke(world.chat(runtime, HR, "Hanne HR"), "decide", decide(case_id, "reassign", reassign_leader=LEADER))
    await runtime.background.drain()
    told = [said(m.activity) for m in world.connector.activities[before:]]
    assert sum("Lederen på sag KH-2026-0001 kunne ikke kontaktes i Teams. Følg op på sagen." in t for t in told) == 1
    assert sum("HR har fået sagen, så den bliver fulgt op." in t for t in told) == 1  # the employee
    retry = (await runtime.cases.get(case_id)).retry[f"assigned:{case_id}:{LEADER}"]
    assert retry["attempts"] == 1  # this assignment's first attempt


async def test_a_name_corrected_by_hr_is_the_name_in_a_replaced_manager_s_notice_sent_after(world: World) -> None:
    """HR hands the case from Lene to Dorte while Lene's chat is down: Lene's notice (naming
    Dorte) waits in the case. HR then corrects Dorte's name ("ret navn"): the notice that goes out
    on the retry names her as corrected. Was: the name stored at the hand-over."""
    runtime = await world.runtime()
    case_id = await report(world, runtime)
    [leader_chat] = {m.conversation_id for m in world.connector.messages() if "Ny sag til dig" in said(m.activity)}
    world.connector.fail_next(60, 503, conversation_id=leader_chat)
    hr = world.chat(runtime, HR, "Hanne HR")
    await invoke(hr, "decide", decide(case_id, "reassign", reassign_leader=DEPUTY))
    await runtime.background.drain()
    assert texts(await hr.send(f"ret navn {DEPUTY} Dorte Retsnavn"))[0].startswith("Navnet er rettet på 1")
    [notice] = (await runtime.cases.get(case_id)).case.replaced_leaders
    assert notice.successor.name == "Dorte Retsnavn"
    phrase = "HR har overdraget sag KH-2026-0001 til Dorte Retsnavn. Du er ikke længere leder på sagen."
    await told_once_on_the_retry(world, runtime, case_id, leader_chat, phrase, "replaced:")


async def test_a_name_corrected_by_hr_is_the_name_in_a_removed_deputy_s_notice_sent_after(world: World) -> None:
    runtime = await world.runtime()
    case_id, hr, deputy_chat = await deputy_taken_off_while_their_chat_is_down(world, runtime)
    assert texts(await hr.send(f"ret navn {LEADER} Lene Retsnavn"))[0].startswith("Navnet er rettet på 1")
    phrase = "og sagens leder er nu Lene Retsnavn."
    await told_once_on_the_retry(world, runtime, case_id, deputy_chat, phrase, "deputy_removed:")
