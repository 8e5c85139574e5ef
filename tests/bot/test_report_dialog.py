"""The employee's report flow through botbuilder's TestAdapter, over a real local store."""

from __future__ import annotations

from typing import Any

from bot.guideline.model import CaseStatus, StepId, StepStatus
from bot.storage import names
from tests.bot.chat import all_text, cards, texts
from tests.bot.conftest import EMPLOYEE, LEADER, STRANGER, World, file_attachment
from tests.fakes.file_host import PNG

GOOD_FORM: dict[str, Any] = {
    "verb": "report_form",
    "category": "trussel",
    "description": "Han skrev at han ved hvor jeg bor.",
    "date": "2026-11-24",
    "time": "21:30",
    "platform": "facebook",
    "link": "https://facebook.com/p/1",
    "offender": "Profilen 'Sandhedsvidne'",
    "outside_hours": "true",
    "family": "true",
}


async def test_help_lists_the_commands_and_unknown_text_gets_a_kind_pointer(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE)
    shown = cards(await chat.send("hjælp"))
    assert "Det kan du skrive til mig" in all_text(shown[0]) and "**indberet**" in all_text(shown[0])
    verbs = {a["data"]["verb"] for a in shown[0]["actions"]}
    assert verbs == {"report", "my_cases", "guideline"}
    pointer = texts(await chat.send("hvad er klokken"))
    assert pointer and "**indberet**" in pointer[0] and "**hjælp**" in pointer[0]


async def test_the_users_reference_is_stored_once_not_on_every_message(world: World) -> None:
    """The reference is what a proactive message needs; the message's own id is not part of it."""
    chat = world.chat(await world.runtime(), EMPLOYEE)
    await chat.send("hjælp")
    first = await world.store.get(names.user_ref(EMPLOYEE))
    await chat.send("hvad er klokken")
    await chat.send("hjælp")
    later = await world.store.get(names.user_ref(EMPLOYEE))
    assert first is not None and later is not None
    assert later.etag == first.etag
    assert "activityId" not in later.data["reference"]
    assert later.data["reference"]["conversation"]["id"] == f"a:chat-{EMPLOYEE}"


async def test_english_locale_gets_english(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE, locale="en-US")
    shown = cards(await chat.send("help"))
    assert "What you can ask me" in all_text(shown[0])


async def test_guideline_command_shows_the_three_definitions(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE)
    card = cards(await chat.send("retningslinje"))[0]
    body = all_text(card)
    assert "Digitale trusler er adfærd" in body and "Digital mobning" in body and "Digital chikane er" in body
    assert "24/7" in body


async def test_happy_path_report_with_evidence_and_receipt(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, EMPLOYEE)
    form_card = cards(await chat.send("rapportér"))[0]
    assert form_card["version"] == "1.5"
    advice = await chat.send(value=GOOD_FORM)
    assert "skærmbillede" in all_text(cards(advice)[0])
    ack = texts(await chat.send(attachments=[file_attachment(world.files.url("/files/shot.png"), "shot.png")]))
    assert any("Modtaget" in t for t in ack)
    review = cards(await chat.send("færdig"))[0]
    assert "Gennemse" in all_text(review) and "shot.png" in all_text(review)
    receipt = cards(await chat.send(value={"verb": "review_submit"}))[0]
    body = all_text(receipt)
    assert "KH-2026-0001" in body
    assert "gemmer intet i kommunens sagssystem" in body  # the bot does not claim to save it there
    assert "gemmes på sagen i kommunens sagssystem" not in body
    import hashlib

    assert hashlib.sha256(PNG).hexdigest()[:12] in body
    cases = await runtime.cases.reported_by(EMPLOYEE)
    assert len(cases) == 1
    case = cases[0]
    assert case.status is CaseStatus.OPEN and case.leader is not None and case.leader.aad_object_id == LEADER
    assert case.steps[StepId.REMOVAL].status is StepStatus.OPEN
    assert case.facts.family_threatened and case.facts.outside_working_hours
    assert [e.original_name for e in case.evidence] == ["shot.png"]
    stored = await runtime.store.get_evidence_meta(f"evidence/{case.id}/{case.evidence[0].sha256}")
    assert stored is not None and stored.size == len(PNG)
    # The audit lines were saved with the case (its outbox); the delivery appends them to the log.
    assert any(line["type"] == "CaseOpened" for line in (await runtime.cases.get(case.id)).audit) or (
        await runtime.store.read_audit(case.id)
    )
    await runtime.background.drain()
    audit = await runtime.store.read_audit(case.id)
    assert audit and audit[0]["type"] == "CaseOpened"
    assert not (await runtime.cases.get(case.id)).audit


async def test_invalid_submission_returns_the_same_card_with_input_kept(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE)
    await chat.send("rapportér")
    future = dict(GOOD_FORM, date="2099-01-01", description="Noget skete")
    again = cards(await chat.send(value=future))[0]
    body = all_text(again)
    assert "fremtiden" in body
    values = {i.get("id"): i.get("value") for i in _inputs(again)}
    assert values["description"] == "Noget skete" and values["platform"] == "facebook"
    bad_link = cards(await chat.send(value=dict(GOOD_FORM, link="javascript:alert(1)")))[0]
    assert "http" in all_text(bad_link)
    forged = cards(await chat.send(value=dict(GOOD_FORM, category="spam")))[0]
    assert "gyldigt valg" in all_text(forged)
    empty = cards(await chat.send(value={"verb": "report_form"}))[0]
    assert "mangler" in all_text(empty)


async def test_refused_evidence_keeps_the_draft_and_earlier_evidence(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send(attachments=[file_attachment(world.files.url("/files/shot.png"), "shot.png")])
    refused = texts(await chat.send(attachments=[file_attachment(world.files.url("/files/notes.png"), "notes.png")]))
    assert any("ikke gemt" in t for t in refused)
    review = cards(await chat.send("færdig"))[0]
    assert "shot.png" in all_text(review) and "notes.png" not in all_text(review)


async def test_draft_resumes_on_another_instance_after_restart(world: World) -> None:
    first = world.chat(await world.runtime(), EMPLOYEE)
    await first.send("rapportér")
    await first.send(value=GOOD_FORM)
    world.clock.advance(hours=20)
    second = world.chat(await world.runtime(), EMPLOYEE)  # a new instance: nothing in memory
    review = cards(await second.send("færdig"))[0]
    assert "Gennemse" in all_text(review) and "Han skrev" in all_text(review)


async def test_draft_untouched_too_long_is_discarded(world: World) -> None:
    chat = world.chat(await world.runtime(), EMPLOYEE)
    await chat.send("rapportér")
    world.clock.advance(hours=73)
    replies = texts(await chat.send("færdig"))
    assert any("kan ikke længere sendes" in t for t in replies)
    assert texts(await chat.send("færdig"))  # now plain unknown text: a pointer, not the dialog


async def test_stale_buttons_show_the_current_step_and_submit_twice_is_one_case(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, EMPLOYEE)
    await chat.send("rapportér")
    stale = await chat.send(value={"verb": "review_submit"})  # from an older card
    assert any("fortsætte" in t for t in texts(stale))
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit"})
    await chat.send(value={"verb": "review_submit"})
    assert len(await runtime.cases.reported_by(EMPLOYEE)) == 1


async def test_my_cases_lists_only_own_cases(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, EMPLOYEE)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit"})
    mine = all_text(cards(await chat.send("mine sager"))[0])
    assert "KH-2026-0001" in mine and "Politianmeldelse" in mine
    assert "Sager, du leder" not in mine  # an employee who leads nothing sees only their own
    other = world.chat(runtime, STRANGER)
    assert "KH-2026-0001" not in all_text(cards(await other.send("mine sager"))[0])


def _inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_an_employee_the_directory_does_not_know_chooses_their_leader(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, STRANGER)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    review = cards(await chat.send("færdig"))[0]
    assert "Hvem er din leder?" in all_text(review) and "Lene Leder" in all_text(review)
    await chat.send(value={"verb": "review_submit", "leader": LEADER})
    [case] = await runtime.cases.reported_by(STRANGER)
    assert case.leader is not None and case.leader.aad_object_id == LEADER and case.leader.name == "Lene Leder"


async def test_a_forged_leader_choice_sends_the_case_to_hr(world: World) -> None:
    runtime = await world.runtime()
    chat = world.chat(runtime, STRANGER)
    await chat.send("rapportér")
    await chat.send(value=GOOD_FORM)
    await chat.send("færdig")
    await chat.send(value={"verb": "review_submit", "leader": "00000000-0000-0000-0000-00000000dead"})
    [case] = await runtime.cases.reported_by(STRANGER)
    assert case.leader is None
