"""Display names up to Entra's 256 characters work everywhere; `cancel` always works.

The domain's Person took at most 200 characters, so a reporter with a longer Teams name could fill
in the whole report and fail at submit. Here the employee, her leader and a MED member have names
of 256 characters and go through report, notification, case card, my cases, HR's list and a MED
mark over HTTP; every card stays within 28 KB. A hostile client's longer name is cut, not fatal.
Cancel is typed or clicked in every stage of both dialogs, with a damaged or unknown dialog state,
and with nothing in progress.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.guideline.model import MAX_NAME
from bot.storage import names
from bot.teams.bot_state import state_name
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER
from tests.hostile.harness import TENANT, Bot, hostile_app, personal_chat

PIECE = "Åse-Bodil Ærø Østergård "


def long_name(first: str) -> str:
    return (first + " " + PIECE * 20)[:MAX_NAME]


REPORTER_NAME = long_name("Mette")
LEADER_NAME = long_name("Lene")
DEPUTY_NAME = long_name("Dorte")
CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},{REPORTER_NAME},{LEADER},{LEADER_NAME},{DEPUTY},{DEPUTY_NAME},Borgerservice,false\n"
)
CARD_LIMIT = 28 * 1024


def card_sizes(bot: Bot) -> list[int]:
    return [
        len(json.dumps(a["content"], ensure_ascii=False).encode())
        for r in bot.connector.activities
        for a in r.activity.get("attachments") or []
        if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


async def test_names_of_256_characters_work_from_report_to_hr(tmp_path: Path) -> None:
    assert len(REPORTER_NAME) == len(LEADER_NAME) == MAX_NAME == 256
    async with hostile_app(tmp_path, directory_csv=CSV) as bot:
        case = await bot.report(name=REPORTER_NAME)
        assert case.reporter.name == REPORTER_NAME.strip()
        assert case.leader is not None and case.leader.name == LEADER_NAME.strip()
        receipt = bot.connector.messages(personal_chat(EMPLOYEE))[-1].activity
        assert case.number in json.dumps(receipt, ensure_ascii=False)
        leader_card = await bot.click(LEADER, "refresh_case", {"case_id": case.id}, name=LEADER_NAME)
        assert case.number in json.dumps(leader_card.body, ensure_ascii=False)
        decided = await bot.click(
            LEADER,
            "decide",
            {"case_id": case.id, "action": "removal_requested", "removal_note": "Anmodet"},
            name=LEADER_NAME,
        )
        assert "Gemt" in json.dumps(decided.body, ensure_ascii=False)
        assert case.number in (await bot.say(EMPLOYEE, "mine sager", name=REPORTER_NAME)).text
        assert "Lene" in (await bot.say(HR, "sager", name=long_name("Hanne"))).text
        card_sizes_now = card_sizes(bot)
        assert card_sizes_now and max(card_sizes_now) <= CARD_LIMIT


async def test_a_med_member_with_a_256_character_name_marks_the_evaluation(tmp_path: Path) -> None:
    channel = "19:med@thread.tacv2"
    where: dict[str, Any] = {
        "conversation": {"id": channel, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        "channel_data": {"team": {"id": "19:team@thread.tacv2"}, "channel": {"id": channel}, "tenant": {"id": TENANT}},
    }
    member = long_name("Mads")
    async with hostile_app(tmp_path, directory_csv=CSV) as bot:
        registered = await bot.click(
            LEADER, "med_register", {"unit": "Borgerservice", "committee": "LMU"}, name=member, **where
        )
        assert "registreret" in json.dumps(registered.body, ensure_ascii=False)
        marked = await bot.click(
            LEADER,
            "med_agenda",
            {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-12-01"},
            name=member,
            **where,
        )
        shown = json.dumps(marked.body, ensure_ascii=False)
        assert "dagsordenen" in shown and "Mads" in shown
        assert len(shown.encode()) <= CARD_LIMIT


async def test_a_longer_name_from_a_hostile_client_is_cut_not_fatal(tmp_path: Path) -> None:
    async with hostile_app(tmp_path) as bot:
        case = await bot.report(name="N" * 10_000)
        assert case.reporter.name == "N" * MAX_NAME


# -- cancel ---------------------------------------------------------------------------------------

CANCELS: list[dict[str, Any]] = [
    {"text": "annuller"},
    {"text": "Annuller!"},
    {"text": "<at>Krænkelser</at> cancel"},
    {"text": "AFBRYD"},
    {"text": "stop"},
    {"value": {"verb": "report_cancel"}},
]


async def report_up_to(bot: Bot, stage: str) -> None:
    from tests.bot.conftest import file_attachment
    from tests.bot.test_report_dialog import GOOD_FORM

    steps: dict[str, list[dict[str, Any]]] = {
        "form": [{"text": "rapportér"}],
        "evidence": [{"text": "rapportér"}, {"value": GOOD_FORM}],
        "evidence with a file": [
            {"text": "rapportér"},
            {"value": GOOD_FORM},
            {"attachments": [file_attachment(bot.files.url("/files/shot.png"), "shot.png")]},
        ],
        "review": [{"text": "rapportér"}, {"value": GOOD_FORM}, {"text": "færdig"}],
    }
    for step in steps[stage]:
        await bot.post(bot.activity(**step))


async def assert_out_of_every_dialog(bot: Bot) -> None:
    assert await bot.store.get(names.draft(EMPLOYEE)) is None  # no reminder about a cancelled report
    after = await bot.say(text="færdig")
    assert "Det forstod jeg ikke" in after.text  # no dialog is waiting for anything
    assert "Det kan du skrive til mig" in (await bot.say(text="hjælp")).text


@pytest.mark.parametrize("stage", ["form", "evidence", "evidence with a file", "review"])
@pytest.mark.parametrize("cancel", CANCELS, ids=lambda c: str(c.get("text") or c.get("value")))
async def test_cancel_ends_the_report_in_every_stage(tmp_path: Path, stage: str, cancel: dict[str, Any]) -> None:
    async with hostile_app(tmp_path) as bot:
        await report_up_to(bot, stage)
        answer = await bot.post(bot.activity(**cancel))
        assert answer.status in (200, 201)
        assert "afbrudt" in answer.text.lower()
        await assert_out_of_every_dialog(bot)
        assert await bot.runtime.cases.reported_by(EMPLOYEE) == []


@pytest.mark.parametrize("cancel", CANCELS, ids=lambda c: str(c.get("text") or c.get("value")))
async def test_cancel_ends_adding_evidence(tmp_path: Path, cancel: dict[str, Any]) -> None:
    async with hostile_app(tmp_path) as bot:
        case = await bot.report()
        started = await bot.say(value={"verb": "add_evidence", "case_id": case.id})
        assert case.number in started.text
        answer = await bot.post(bot.activity(**cancel))
        assert answer.status in (200, 201) and answer.posted
        await assert_out_of_every_dialog(bot)


async def damage(bot: Bot, change: Any) -> None:
    name = state_name(f"msteams/conversations/{personal_chat(EMPLOYEE)}")
    doc = await bot.store.get(name)
    assert doc is not None
    data = json.loads(json.dumps(doc.data))
    change(data["item"]["DialogState"]["_dialog_stack"][0])
    await bot.store.put(name, data, etag=doc.etag)


@pytest.mark.parametrize(
    "how",
    [
        lambda top: top.update(id="a-dialog-from-an-older-version"),
        lambda top: top["state"].pop("touched"),
        lambda top: top["state"].update(stage="nonsense", touched="not a time"),
        lambda top: top.update(state=None),
    ],
    ids=["unknown dialog", "missing field", "nonsense fields", "no state"],
)
async def test_cancel_works_with_a_damaged_dialog_state(tmp_path: Path, how: Any) -> None:
    async with hostile_app(tmp_path) as bot:
        await report_up_to(bot, "evidence")
        await damage(bot, how)
        answer = await bot.say(text="annuller")
        assert answer.status in (200, 201)
        assert "afbrudt" in answer.text.lower()
        await assert_out_of_every_dialog(bot)


async def test_cancel_with_nothing_in_progress_says_so(tmp_path: Path) -> None:
    async with hostile_app(tmp_path) as bot:
        answer = await bot.say(text="cancel", locale="en-US")
        assert "nothing in progress" in answer.text
