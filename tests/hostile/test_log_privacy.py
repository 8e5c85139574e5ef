"""INFO logs carry no conversation ids, Entra object ids, file hosts, case text, names, e-mails or
file names.

The bot's flows run over HTTP with production log levels: a report with a screenshot, the leader's
decisions, my cases, HR's list and a case opened by HR, the history, MED registration and marks in
a channel, HR's MED status, a personal command in a channel, a malformed activity, a download that
fails, a forged evidence link, a connector that fails the leader's card (retries) and a reply that
fails inside a turn (an exception whose message holds the conversation's URL). Every record at
INFO and above is formatted as production formats it, and searched for every id, name and text
the flows used. Where a line must correlate, it carries a keyed pseudonym instead.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.hosting.logs import JsonFormatter, configure_logging, pseudonym, set_pseudonym_key
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER, file_attachment
from tests.hostile.harness import TENANT, hostile_app, personal_chat

REPORTER = "Mette Jensen-Privat"
EMAIL = "mette.jensen.privat@kommune.example"
FILE = "mette-jensen-skaermbillede.png"
DESCRIPTION = f"Profilen skrev at Mette Jensen-Privat bor på Hemmeligvej 12, skriv til {EMAIL}"
OFFENDER = "Profilen Sandhedsvidne-Hemmelig"
LINK = "https://facebook.com/p/hemmelig-opslag-4711"
NOTE = "Anmodet hos Meta om fjernelse af opslaget om Hemmeligvej"
CHANNEL = "19:med-privat-kanal@thread.tacv2"
TEAM = "19:team-privat@thread.tacv2"
CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},{REPORTER},{LEADER},Lene Ledersen-Privat,{DEPUTY},Dorte Stedfortræder-Privat,Borgerservice,false\n"
)
FORM = {
    "verb": "report_form",
    "category": "trussel",
    "description": DESCRIPTION,
    "date": "2026-11-24",
    "time": "21:30",
    "platform": "facebook",
    "link": LINK,
    "offender": OFFENDER,
    "outside_hours": "true",
    "family": "false",
}


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Any:
    """The levels production sets (noisy libraries at WARNING), captured at INFO."""
    configure_logging("INFO")
    caplog.set_level(logging.INFO)
    yield caplog
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kraenkelser", False):
            root.removeHandler(handler)


def secrets(files_port: int, created: list[str]) -> list[str]:
    return [
        EMPLOYEE,
        LEADER,
        DEPUTY,
        HR,
        personal_chat(EMPLOYEE),
        *created,  # the conversations the bot opened with the leader and others
        CHANNEL,
        TEAM,
        f"127.0.0.1:{files_port}",  # the file host
        "Mette",
        "Jensen",
        "Ledersen",
        "Stedfortræder",
        "Hanne HR-Privat",
        "Mads MED-Privat",
        EMAIL,
        "kommune.example",
        "Hemmeligvej",
        "Sandhedsvidne",
        "hemmelig-opslag",
        FILE,
        "skaermbillede",
        "fjernelse af opslaget",
    ]


async def test_no_log_line_at_info_or_above_names_anyone_or_anything(
    tmp_path: Path, production_logging: pytest.LogCaptureFixture
) -> None:
    caplog = production_logging
    async with hostile_app(tmp_path, directory_csv=CSV) as bot:
        case = await bot.report(form=FORM, name=REPORTER, file_name=FILE)
        # A screenshot whose download fails, in a second report (the file host's address must not show).
        await bot.say(text="rapportér")
        await bot.post(bot.activity(value=FORM, name=REPORTER))
        await bot.post(bot.activity(attachments=[file_attachment(bot.files.url("/error/500"), FILE)], name=REPORTER))
        await bot.say(text="annuller")
        # The leader's decisions (her card was delivered by the background sender).
        for action, data in [
            ("removal_requested", {"removal_note": NOTE}),
            ("offer_made", {"offered_via": "phone"}),
            ("police_reported", {"police_journal": "4711-Hemmeligvej", "police_filed_by": "Lene Ledersen-Privat"}),
        ]:
            await bot.click(
                LEADER, "decide", {"case_id": case.id, "action": action, **data}, name="Lene Ledersen-Privat"
            )
        await bot.click(LEADER, "history", {"case_id": case.id}, name="Lene Ledersen-Privat")
        await bot.say(EMPLOYEE, "mine sager", name=REPORTER)
        await bot.say(HR, "sager", name="Hanne HR-Privat")
        await bot.click(HR, "hr_open_case", {"case_id": case.id}, name="Hanne HR-Privat")
        # MED in a channel, and a personal command there.
        where: dict[str, Any] = {
            "conversation": {"id": CHANNEL, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
            "channel_data": {"team": {"id": TEAM}, "channel": {"id": CHANNEL}, "tenant": {"id": TENANT}},
        }
        await bot.click(LEADER, "med_register", {"unit": "Borgerservice", "committee": "LMU"}, **where)
        await bot.click(
            LEADER,
            "med_agenda",
            {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-11-20"},
            name="Mads MED-Privat",
            **where,
        )
        await bot.say(EMPLOYEE, "<at>Bot</at> mine sager", name=REPORTER, **where)
        await bot.say(HR, "med-status", name="Hanne HR-Privat")
        # Hostile and unlucky: a malformed activity, a forged evidence link.
        await bot.post({**bot.activity(text="hjælp"), "from": {"id": "29:x", "aadObjectId": "../" + EMPLOYEE}})
        await bot.client.get(f"/evidence/{case.id}/{'0' * 64}?exp=1&sig=x")
        # The connector fails: a second case's delivery to the leader retries, a reply inside a turn fails.
        # (The leader's card now goes to her own chat, where she clicked; the deputy gets nothing.)
        failing = {r.conversation_id for r in bot.connector.activities} | {personal_chat(LEADER)}
        for conversation in failing - {CHANNEL, personal_chat(EMPLOYEE)}:
            bot.connector.fail_next(2, 503, conversation_id=conversation)
        await bot.report(form=FORM, name=REPORTER, file_name=FILE)
        assert any(r.getMessage() == "delivery attempt failed" for r in caplog.records)
        bot.connector.fail_next(4, 500, conversation_id=personal_chat(EMPLOYEE))
        await bot.say(EMPLOYEE, "hjælp", name=REPORTER)

        created = sorted({r.conversation_id for r in bot.connector.activities} - {CHANNEL})
        hidden = [s.lower() for s in secrets(bot.files.port, created)]
        formatter = JsonFormatter()  # what production writes at INFO
        records = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert len(records) > 15  # the flows really logged
        leaks = []
        for record in records:
            line = formatter.format(record).lower()
            leaks += [(secret, line) for secret in hidden if secret in line]
        assert leaks == []
        assert any("exc" in formatter.format(r) for r in records)  # the failed reply was logged, outlined


def test_a_pseudonym_is_stable_keyed_and_short() -> None:
    set_pseudonym_key("the deployment's secret")
    first = pseudonym(personal_chat(EMPLOYEE))
    assert first == pseudonym(personal_chat(EMPLOYEE)) and len(first) == 12
    assert first != pseudonym(personal_chat(LEADER))
    set_pseudonym_key("another deployment")
    assert pseudonym(personal_chat(EMPLOYEE)) != first  # without the key, no dictionary of ids helps


def test_an_exception_at_info_shows_types_and_frames_not_messages() -> None:
    try:
        try:
            raise ValueError(f"bad storage name 'refs/users/{EMPLOYEE}.json'")
        except ValueError as inner:
            raise RuntimeError(f"POST https://smba.example/v3/conversations/{personal_chat(EMPLOYEE)}") from inner
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "turn failed", None, __import__("sys").exc_info())
    line = JsonFormatter().format(record)
    assert EMPLOYEE not in line and "RuntimeError" in line and "ValueError" in line
    assert "test_log_privacy.py" in line
    assert EMPLOYEE in JsonFormatter(full_exceptions=True).format(record)  # LOG_LEVEL=DEBUG keeps it all
