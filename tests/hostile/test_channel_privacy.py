"""Personal data stays in personal chats: a channel or group chat gets a pointer, never a case.

An employee with a case, her leader and HR each try, in a team channel and in a group chat, every
way into a report or a case: typed commands, the welcome card's buttons, the report dialog's card
submits, files, and the case card's invokes with the real case id. Everything posted in the shared
conversation, and every invoke answer, is searched for the case's number, id, text and names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.guideline.model import Case
from tests.bot.conftest import EMPLOYEE, HR, LEADER, file_attachment
from tests.bot.test_report_dialog import GOOD_FORM
from tests.hostile.harness import TENANT, Bot, hostile_app, personal_chat

CHANNEL = "19:med-kanal@thread.tacv2"
GROUP = "19:gruppechat@thread.v2"
SHARED: dict[str, dict[str, Any]] = {
    "channel": {
        "conversation": {"id": CHANNEL, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        "channel_data": {"team": {"id": "19:team@thread.tacv2"}, "channel": {"id": CHANNEL}, "tenant": {"id": TENANT}},
    },
    "group chat": {
        "conversation": {"id": GROUP, "conversationType": "groupChat", "isGroup": True, "tenantId": TENANT},
        "channel_data": {"tenant": {"id": TENANT}},
    },
}


def secrets_of(case: Case) -> list[str]:
    """What must never appear in a shared conversation."""
    facts = case.facts
    return [
        case.number,
        case.id,
        facts.description[:20],
        str(facts.offender),
        str(facts.link),
        case.reporter.name,
        "Mette",
        "Lene Leder",
        "Dorte",
        "shot.png",
    ]


def messages_for(case: Case) -> list[dict[str, Any]]:
    """Every message-shaped way into a report or a case (typed or a card's submit)."""
    return [
        {"text": "<at>Krænkelser</at> rapportér"},
        {"text": "<at>Krænkelser</at> mine sager"},
        {"text": "<at>Krænkelser</at> sager"},
        {"text": "report"},
        {"value": {"verb": "report"}},
        {"value": {"verb": "my_cases"}},
        {"value": {"verb": "hr_cases"}},
        {"value": {"verb": "add_evidence", "case_id": case.id}},
        {"value": GOOD_FORM},
        {"value": {"verb": "evidence_done"}},
        {"value": {"verb": "review_submit"}},
        {"value": {"verb": "review_edit"}},
        {"value": {"verb": "report_cancel"}},
        {"text": "færdig"},
        {"attachments": [file_attachment("https://example.invalid/shot.png", "shot.png")]},
    ]


def invokes_for(case: Case) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("refresh_case", {"case_id": case.id}),
        ("history", {"case_id": case.id}),
        ("evidence_list", {"case_id": case.id}),
        ("hr_open_case", {"case_id": case.id}),
        ("decide", {"case_id": case.id, "action": "removal_requested", "removal_note": "x"}),
        ("decide", {"case_id": case.id, "action": "close"}),
    ]


def assert_reveals_nothing(shown: str, case: Case) -> None:
    for secret in secrets_of(case):
        assert secret not in shown, f"{secret!r} was shown in a shared conversation"


@pytest.fixture
async def bot_with_case(tmp_path: Path) -> Any:
    async with hostile_app(tmp_path) as bot:
        case = await bot.report()
        yield bot, case


@pytest.mark.parametrize("where", list(SHARED))
async def test_personal_commands_in_a_shared_conversation_get_only_a_pointer(
    bot_with_case: tuple[Bot, Case], where: str
) -> None:
    bot, case = bot_with_case
    shared = SHARED[where]
    for person in (EMPLOYEE, LEADER, HR):
        for message in messages_for(case):
            answer = await bot.post(bot.activity(person, name="Mette Medarbejder", **shared, **message))
            assert answer.status in (200, 201), (person, message)
            assert answer.posted, (person, message)  # an answer, not silence
            assert all(p["conversation"]["id"] == shared["conversation"]["id"] for p in answer.posted)
            assert_reveals_nothing(answer.text, case)
            assert "personlige chat" in answer.text, (person, message)
    # No dialog ever started there: the form in the shared conversation is not taken as a report.
    assert len(await bot.runtime.cases.reported_by(EMPLOYEE)) == 1


@pytest.mark.parametrize("where", list(SHARED))
async def test_case_invokes_from_a_shared_conversation_are_refused_and_change_nothing(
    bot_with_case: tuple[Bot, Case], where: str
) -> None:
    bot, case = bot_with_case
    before = (await bot.runtime.cases.get(case.id)).case
    for person in (EMPLOYEE, LEADER, HR):
        for verb, data in invokes_for(case):
            answer = await bot.click(person, verb, data, **SHARED[where])
            assert answer.status == 200
            card = str(answer.body)
            assert_reveals_nothing(card, case)
            assert "personlige chat" in card
            assert answer.posted == []
    assert (await bot.runtime.cases.get(case.id)).case == before


async def test_the_welcome_in_a_channel_shows_no_case_and_the_personal_chat_still_works(
    bot_with_case: tuple[Bot, Case],
) -> None:
    bot, case = bot_with_case
    welcome = await bot.say(EMPLOYEE, "<at>Krænkelser</at> hjælp", **SHARED["channel"])
    assert "Det kan du skrive til mig" in welcome.text  # the channel's help card
    assert_reveals_nothing(welcome.text, case)
    mine = await bot.say(EMPLOYEE, "mine sager")
    assert case.number in mine.text
    assert all(p["conversation"]["id"] == personal_chat(EMPLOYEE) for p in mine.posted)


async def test_a_report_begun_in_the_personal_chat_is_not_continued_from_a_channel(
    bot_with_case: tuple[Bot, Case],
) -> None:
    bot, _ = bot_with_case
    await bot.say(EMPLOYEE, "rapportér")  # a second report, waiting for its form in the personal chat
    in_channel = await bot.post(bot.activity(EMPLOYEE, value=GOOD_FORM, **SHARED["channel"]))
    assert "personlige chat" in in_channel.text and "skærmprint" not in in_channel.text
    in_chat = await bot.post(bot.activity(EMPLOYEE, value=GOOD_FORM))
    assert "skærmbillede" in in_chat.text  # the personal chat's dialog went on where it was
