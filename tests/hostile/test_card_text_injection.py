"""Free text on cards cannot inject Markdown links or reorder text with bidi controls.

Teams renders a Markdown subset on cards: `[klik](https://evil)` would show "klik" and open a
site the reader never saw; U+202E and U+2066..2069 would make "fil\u202egnp.exe" read otherwise.
A reporter, her leader (from the directory), a MED member and HR put such text in every field the
cards show (description, offender, link, names, file name, step fields, unit and committee names,
a minutes link) over HTTP. Every card and message the bot then showed is searched: no link but
the bot's own evidence links, no autolink or HTML, no bidi control; the words themselves remain.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cards.common import WORD_JOINER, user_link_label, user_text
from tests.bot.conftest import DEPUTY, EMPLOYEE, HR, LEADER
from tests.bot.test_report_dialog import GOOD_FORM
from tests.hostile.harness import TENANT, Bot, hostile_app

LINK = "[klik](https://evil.example/a)"
IMAGE = "![x](https://evil.example/p.png)"
AUTOLINK = "<https://evil.example/b>"
REFERENCE = "[se her][1]\n\n[1]: https://evil.example/c"
BIDI = "fil\u202egnp.exe \u2066isoleret\u2069 \u2067\u2068x\u2069"
PAYLOAD = f"{LINK} {IMAGE} {AUTOLINK} {REFERENCE} {BIDI}"
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

CSV = (
    "employee_aad_object_id,employee_name,leader_aad_object_id,leader_name,deputy_aad_object_id,deputy_name,"
    "unit,leader_absent\n"
    f"{EMPLOYEE},Mette {LINK},{LEADER},Lene {AUTOLINK} \u202eredeL,{DEPUTY},Dorte {IMAGE},"
    f"Borger{LINK}service \u2066x\u2069,false\n"
)
FORM = {
    **GOOD_FORM,
    "description": PAYLOAD,
    "offender": f"{LINK} \u202eprofil",
    "link": "https://facebook.com/p/1?[klik](https://evil.example/d)",
}


HIDDEN = frozenset({"data", "verb", "id", "refresh", "userIds", "url", "$schema", "type"})


def every_string(node: Any, inside_input: bool = False) -> list[str]:
    """What a card shows: its texts, titles, labels and fact values. Not what it only carries
    (an action's data, an input's current value or a choice's value, which are not rendered)."""
    out: list[str] = []
    if isinstance(node, list):
        for item in node:
            out += every_string(item, inside_input)
    elif isinstance(node, dict):
        is_input = str(node.get("type", "")).startswith("Input.") or inside_input
        for key, value in node.items():
            if key in HIDDEN or (key == "value" and is_input):
                continue
            out += every_string(value, is_input and key == "choices")
    elif isinstance(node, str):
        out.append(node)
    return out


def check(shown: str, own_links: str) -> None:
    assert not BIDI_CONTROLS.search(shown), repr(shown)
    for match in re.finditer(r"\]\s*\(", shown):
        assert shown[match.end() :].startswith(own_links), f"a link not made by the bot: {shown!r}"
    assert not re.search(r"\]\s*[\[:]", shown), repr(shown)  # reference links and their definitions
    assert not re.search(r"<[A-Za-z/!?]", shown), repr(shown)  # autolinks and HTML


async def everything_shown(bot: Bot, answers: list[Any]) -> list[str]:
    shown: list[str] = []
    for record in bot.connector.activities:
        for activity in (record.activity, *record.updates):  # what the chat shows: text and cards
            shown.append(activity.get("text") or "")
            for attachment in activity.get("attachments") or []:
                shown += every_string(attachment.get("content") or {})
    for answer in answers:
        shown += every_string(answer)
    return shown


async def test_no_card_or_message_carries_an_injected_link_or_a_bidi_control(tmp_path: Path) -> None:
    async with hostile_app(tmp_path, directory_csv=CSV) as bot:
        case = await bot.report(form=FORM, name=f"Mette {LINK} \u202eMedarbejder", file_name=f"{LINK}\u202e.png")
        answers: list[Any] = []
        leader = f"Lene {AUTOLINK}"
        for action, data in [
            ("offer_made", {"offered_via": "bot"}),
            ("police_reported", {"police_journal": f"{LINK} 4711", "police_filed_by": f"{LINK} {PAYLOAD}"[:200]}),
            ("citizen_contacted", {"citizen_channel": PAYLOAD}),
            ("removal_requested", {"removal_note": PAYLOAD}),
            ("apv_measures", {"apv_measures": PAYLOAD}),
            ("apv_filed", {"apv_ref": f"{AUTOLINK} 12"}),
        ]:
            decided = await bot.click(LEADER, "decide", {"case_id": case.id, "action": action, **data}, name=leader)
            answers.append(decided.body)
        for verb in ("refresh_case", "history", "evidence_list"):
            answers.append((await bot.click(LEADER, verb, {"case_id": case.id}, name=leader)).body)
            answers.append((await bot.click(EMPLOYEE, verb, {"case_id": case.id})).body)
        answers.append((await bot.click(HR, "hr_open_case", {"case_id": case.id}, name=f"HR {LINK}")).body)
        await bot.say(HR, "sager", name=f"HR {LINK}")
        await bot.say(EMPLOYEE, "mine sager")
        # MED: a channel registered with hostile unit and committee names, marked done with a hostile link.
        channel = "19:med@thread.tacv2"
        where: dict[str, Any] = {
            "conversation": {"id": channel, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
            "channel_data": {"team": {"id": "19:t@thread.tacv2"}, "channel": {"id": channel}, "tenant": {"id": TENANT}},
        }
        member = f"Mads {LINK} \u202e"
        refused = await bot.click(  # a typed unit must name a known one: refused, with the closest names
            LEADER, "med_register", {"unit": "__other__", "unit_text": PAYLOAD[:180], "committee": LINK}, **where
        )
        answers.append(refused.body)
        registered = await bot.click(LEADER, "med_register", {"unit": "Borgerservice", "committee": LINK}, **where)
        answers.append(registered.body)
        done = {"done_date": "2026-11-23", "meeting_kind": "med_meeting", "minutes_link": f"https://x.dk/{LINK}"}
        for verb, data in [
            ("med_plan", {"unit": "Borgerservice", "plan_link": f"https://x.dk/{LINK}"}),
            ("med_agenda", {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-11-20"}),
            ("med_done", {"unit": "Borgerservice", "period": "2026-H2", **done}),
        ]:
            answers.append((await bot.click(LEADER, verb, data, name=member, **where)).body)
        await bot.say(HR, "med-status", name="HR")

        shown = await everything_shown(bot, answers)
        own_links = f"{bot.runtime.settings.base_url}/evidence/"
        for text in shown:
            check(text, own_links)
        joined = "\n".join(shown)
        assert "klik" in joined and "evil.example" in joined and "isoleret" in joined  # defused, not dropped
        assert f"]{WORD_JOINER}(" in joined  # the defusing really ran on the users' text
        assert own_links in joined  # the bot's own evidence link is still a link
        assert json.dumps(answers)  # every answer was JSON (no failure on the way)


def test_user_text_defuses_each_form() -> None:
    assert user_text(LINK) == f"[klik]{WORD_JOINER}(https://evil.example/a)"
    assert user_text(IMAGE) == f"![x]{WORD_JOINER}(https://evil.example/p.png)"
    assert user_text(AUTOLINK) == f"<{WORD_JOINER}https://evil.example/b>"
    assert user_text(REFERENCE) == f"[se her]{WORD_JOINER}[1]{WORD_JOINER}\n\n[1]{WORD_JOINER}: https://evil.example/c"
    assert user_text(BIDI) == "filgnp.exe isoleret x"
    assert user_text("a\x00b\x1b[31mc\u2028d\te") == "ab[31mc\nd e"
    assert user_text("Åse Ærø Østergård – 🙂") == "Åse Ærø Østergård – 🙂"  # ordinary text is untouched
    assert user_text("x" * 300, 256) == "x" * 255 + "…"
    assert user_text(None) == "" and user_text(5) == ""


def test_a_file_name_as_a_link_label_has_no_brackets() -> None:
    label = user_link_label(f"{LINK}.png")
    assert "[" not in label and "]" not in label
    assert f"[{label}](https://bot/evidence/x)".count("](") == 1


def test_the_takedown_request_quoting_the_case_is_defused() -> None:
    from bot.texts import Texts
    from cards.takedown import TakedownView, takedown_elements

    view = TakedownView("Facebook", None, "Brug menuen", f"Opslaget: {LINK}\nAf: {BIDI}", "https://politi.dk", "x")
    shown = [s for element in takedown_elements(Texts("da"), view) for s in every_string(element)]
    for line in shown:
        check(line, "https://bot.invalid/evidence/")
    assert any("klik" in line for line in shown)
