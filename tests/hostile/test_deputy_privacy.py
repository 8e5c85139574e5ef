"""A deputy cannot read or act on a case while the leader is present: the running app over HTTP.

The app is built through its one door (`create_app`, see `tests/hostile/harness.py`) on a real
local store, the leader directory file, a fake Bot Connector and a hand clock. The employee reports
a case; the deputy (named in the directory, so a plausible insider) then tries every door into it
with the real case id: the card refresh Teams sends, opening it from a list, the history, the
evidence list, the evidence pack, acknowledging it and deciding steps. Every answer is searched for
the case's content, nothing is posted to the deputy, and the stored case, its audit trail and its
packs are unchanged. Once the acknowledgement deadline passes, the same deputy is let in: the
refusals were about the leader being present, not a broken door.
"""

from __future__ import annotations

from pathlib import Path

from tests.bot.chat import all_text, said
from tests.bot.conftest import DEPUTY, EMPLOYEE, LEADER
from tests.hostile.harness import Bot, hostile_app, invoke_card, personal_chat

SECRETS = ("Han skrev", "Sandhedsvidne", "facebook.com/p/1", "KH-2026-0001", "Mette", "shot.png")


def told(bot: Bot, person: str) -> str:
    """Everything posted in a conversation with this person: their chat, or one the bot opened."""
    where = {personal_chat(person), bot.connector.opened.get(person)}
    return "\n".join(said(m.activity) for m in bot.connector.messages() if m.conversation_id in where)


async def deputy_clicks(bot: Bot, verb: str, data: dict[str, str]) -> str:
    return all_text(invoke_card(await bot.click(DEPUTY, verb, data, name="Dorte Stedfortræder")))


async def test_a_deputy_cannot_read_or_act_on_a_case_while_the_leader_is_present(tmp_path: Path) -> None:
    async with hostile_app(tmp_path) as bot:
        case = await bot.report(EMPLOYEE)
        leader_cards = [a for a in bot.connector.activities if "Ny sag til dig" in said(a.activity)]
        assert len(leader_cards) == 1
        refresh = leader_cards[0].activity["attachments"][0]["content"]["refresh"]["userIds"]
        assert sorted(refresh) == sorted([EMPLOYEE, LEADER])  # Teams refreshes no card for the deputy
        before = (await bot.runtime.cases.get(case.id)).case
        audit_before = await bot.store.read_audit(case.id)

        for verb, data in [
            ("refresh_case", {"case_id": case.id}),
            ("open_case", {"case_id": case.id}),
            ("hr_open_case", {"case_id": case.id}),
            ("history", {"case_id": case.id}),
            ("evidence_list", {"case_id": case.id}),
            ("evidence_pack", {"case_id": case.id}),
            ("decide", {"case_id": case.id, "action": "acknowledge"}),
            ("decide", {"case_id": case.id, "action": "removal_removed"}),
            ("decide", {"case_id": case.id, "action": "citizen_contacted", "citizen_channel": "Borgerservice"}),
            ("decide", {"case_id": case.id, "action": "close"}),
        ]:
            shown = await deputy_clicks(bot, verb, data)
            assert "Ingen adgang" in shown, verb  # refused like any outsider
            assert not [s for s in SECRETS if s in shown], verb
        mine = await bot.say(DEPUTY, "mine sager", name="Dorte Stedfortræder")
        assert mine.status in (200, 201) and "KH-2026-0001" not in mine.text
        assert not [s for s in SECRETS if s in told(bot, DEPUTY)]  # nothing about the case reached the deputy
        assert (await bot.runtime.cases.get(case.id)).case == before
        assert await bot.store.read_audit(case.id) == audit_before
        assert await bot.store.list(f"packs/{case.id}/") == []  # no evidence pack was built for the deputy

        # The same doors open once the leader has not acknowledged in time (Wednesday 10:00).
        bot.clock.advance(hours=11, minutes=6)
        await bot.runtime.scheduler.tick()
        assert "inddraget som stedfortræder" in told(bot, DEPUTY)
        assert "Han skrev" in await deputy_clicks(bot, "refresh_case", {"case_id": case.id})
