"""The app removed from a person's personal scope, or the bot from a team, or the team deleted:
what the bot kept to reach them is forgotten, a re-install writes it again, and what is sent later
behaves as for someone the bot never reached (the fallback route, never "sent").

Two app instances (create_app, over HTTP) share one store; the activities are posted as Teams
sends them (the shapes of Microsoft's "Conversation events in your Teams bot" page), and the
fake Bot Connector answers as Teams does after a removal: 403 in the old conversation, and 403
when the bot tries to open a chat with someone who has not got the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.storage import names
from bot.storage.local import LocalStore
from tests.bot.chat import said
from tests.bot.conftest import EMPLOYEE, HR, LEADER
from tests.fakes.clock import FakeClock
from tests.fakes.connector import FakeConnector
from tests.hostile.harness import TENANT, Bot, hostile_apps, personal_chat

TEAM = "19:team-med@thread.tacv2"
CHANNEL = "19:med-kanal@thread.tacv2"
OTHER_TEAM = "19:team-other@thread.tacv2"
OTHER_CHANNEL = "19:other-kanal@thread.tacv2"


@dataclass
class Two:
    a: Bot
    b: Bot
    store: LocalStore
    connector: FakeConnector
    clock: FakeClock


@asynccontextmanager
async def two_instances(tmp_path: Path) -> AsyncIterator[Two]:
    async with hostile_apps(tmp_path, 2) as (a, b):
        yield Two(a, b, a.store, a.connector, a.clock)


# ---- the activities, as Teams sends them -----------------------------------------------------------


def personal_install(bot: Bot, user: str, action: str) -> dict[str, Any]:
    """installationUpdate in the person's personal chat (add or remove); no text, with a locale."""
    return bot.activity(user, kind="installationUpdate", name="Lene Leder") | {"action": action}


def personal_bot_added(bot: Bot, user: str) -> dict[str, Any]:
    """conversationUpdate after a personal install: the bot (and the person) in membersAdded."""
    body = bot.activity(user, kind="conversationUpdate", name="Lene Leder")
    body.pop("locale")
    return body | {"membersAdded": [{"id": "28:bot"}, {"id": f"29:{user}", "aadObjectId": user}]}


def in_team(team: str = TEAM, channel: str = CHANNEL, event: str | None = None) -> dict[str, Any]:
    channel_data: dict[str, Any] = {"team": {"id": team, "name": "MED"}, "tenant": {"id": TENANT}}
    if event is not None:
        channel_data["eventType"] = event
    else:
        channel_data["channel"] = {"id": channel}
    return {
        "conversation": {"id": channel, "conversationType": "channel", "isGroup": True, "tenantId": TENANT},
        "channel_data": channel_data,
    }


def bot_removed_from_team(bot: Bot, member: str) -> list[dict[str, Any]]:
    """Both events Teams sends when the bot is removed from a team."""
    removed = bot.activity(member, kind="conversationUpdate", **in_team(event="teamMemberRemoved"))
    removed["membersRemoved"] = [{"id": "28:bot"}]
    uninstalled = bot.activity(member, kind="installationUpdate", **in_team()) | {"action": "remove"}
    return [removed, uninstalled]


def team_deleted(bot: Bot, member: str) -> dict[str, Any]:
    return bot.activity(member, kind="conversationUpdate", **in_team(event="teamDeleted"))


async def stored_reference(two: Two, user: str) -> dict[str, Any] | None:
    doc = await two.store.get(names.user_ref(user))
    return doc.data if doc else None


async def stored_channels(two: Two) -> list[tuple[str, str]]:
    doc = await two.store.get(names.CHANNEL_REFS)
    return [(c["team_id"], c["channel_id"]) for c in (doc.data.get("channels") or [])] if doc else []


def requests_to(two: Two, conversation_id: str, since: int) -> list[int]:
    return [r.status for r in two.connector.log[since:] if r.conversation_id == conversation_id]


# ---- a person ------------------------------------------------------------------------------------------


async def test_removing_the_app_forgets_the_person_and_a_reinstall_on_the_other_instance_writes_it_again(
    tmp_path: Path,
) -> None:
    async with two_instances(tmp_path) as two:
        assert (await two.a.say(LEADER, "hjælp", name="Lene Leder")).status in (200, 201)
        assert (await two.b.say(LEADER, "hjælp", name="Lene Leder")).status in (200, 201)  # B remembers it as written
        assert await stored_reference(two, LEADER) is not None

        for _ in range(2):  # to A; Teams may send an event again: the second finds nothing to delete
            removed = await two.a.post(personal_install(two.a, LEADER, "remove"))
            assert removed.status in (200, 201) and removed.posted == []
            assert await stored_reference(two, LEADER) is None

        # The app installed again, its events taken by B, whose memory has that same chat as written.
        assert (await two.b.post(personal_install(two.b, LEADER, "add"))).status in (200, 201)
        again = await stored_reference(two, LEADER)
        assert again is not None and again["reference"]["conversation"]["id"] == personal_chat(LEADER)
        assert again["locale"] == "da-DK"  # the install event's own locale
        welcomed = await two.b.post(personal_bot_added(two.b, LEADER))
        assert welcomed.status in (200, 201) and "Velkommen" in welcomed.text
        assert await stored_reference(two, LEADER) is not None


async def test_a_manager_who_removed_the_app_is_not_written_to_and_the_case_goes_to_hr(tmp_path: Path) -> None:
    async with two_instances(tmp_path) as two:
        await two.a.say(HR, "hjælp", name="Hanne HR")
        await two.b.say(LEADER, "hjælp", name="Lene Leder")
        await two.a.post(personal_install(two.a, LEADER, "remove"))
        # Teams after the removal: the old chat refuses the bot, and no new chat is opened for her.
        two.connector.remove_bot(personal_chat(LEADER))
        two.connector.blocked_users.add(LEADER)
        since = len(two.connector.log)

        case = await two.a.report(EMPLOYEE)  # B, which read her chat a moment ago: the next test

        assert requests_to(two, personal_chat(LEADER), since) == []  # nothing sent into the old chat
        [hr_card] = [m for m in two.connector.messages(personal_chat(HR)) if "kunne ikke kontaktes" in _said(m)]
        assert case.number in _said(hr_card) and "Følg op på sagen" in _said(hr_card)
        told = [_said(m) for m in two.connector.messages(personal_chat(EMPLOYEE))]
        assert any(f"Lederen på sag {case.number} kunne ikke kontaktes i Teams. HR har fået sagen" in t for t in told)
        assert not any("er sendt til din leder" in t for t in told)
        assert await stored_reference(two, LEADER) is None  # the delivery wrote none for her


async def test_a_chat_that_answers_403_is_forgotten_and_the_case_goes_to_hr(tmp_path: Path) -> None:
    """The removal event was missed, or went to the other instance while this one still had the
    chat it read in memory (kept 60 s): the one send into the old chat meets Teams' 403, that
    reference is deleted there and then, and the case goes to HR in the same round."""
    async with two_instances(tmp_path) as two:
        await two.a.say(HR, "hjælp", name="Hanne HR")
        await two.b.say(LEADER, "hjælp", name="Lene Leder")  # B has read (and keeps) her chat
        two.connector.remove_bot(personal_chat(LEADER))
        two.connector.blocked_users.add(LEADER)
        since = len(two.connector.log)

        case = await two.b.report(EMPLOYEE)

        assert requests_to(two, personal_chat(LEADER), since) == [403]  # refused, and not tried again
        assert await stored_reference(two, LEADER) is None
        assert any(case.number in _said(m) for m in two.connector.messages(personal_chat(HR)))
        # The next message from her (the app installed again) writes it again, on either instance.
        two.connector.removed.discard(personal_chat(LEADER))
        await two.a.say(LEADER, "hjælp", name="Lene Leder")
        assert await stored_reference(two, LEADER) is not None


# ---- a team --------------------------------------------------------------------------------------------


async def _register(two: Two, bot: Bot, team: str = TEAM, channel: str = CHANNEL) -> None:
    answer = await bot.click(
        LEADER, "med_register", {"unit": "Borgerservice", "committee": "LMU"}, **in_team(team, channel)
    )
    assert answer.status in (200, 201)
    assert (team, channel) in await stored_channels(two)


async def test_the_bot_removed_from_a_team_forgets_its_channels_and_the_round_never_says_sent(tmp_path: Path) -> None:
    async with two_instances(tmp_path) as two:
        two.clock.current = datetime(2026, 11, 25, 9, tzinfo=UTC)
        await two.a.say(HR, "hjælp", name="Hanne HR")
        await _register(two, two.a)  # A keeps the channel's reference in memory too
        for event in bot_removed_from_team(two.b, LEADER):
            assert (await two.b.post(event)).status in (200, 201)
        assert await stored_channels(two) == []
        told = [_said(m) for m in two.connector.messages(personal_chat(HR))]
        assert sum("modtager ikke længere" in t for t in told) == 1  # two events, one notice to HR

        # Teams: the bot is out of the channel; the manager never installed the app.
        two.connector.remove_bot(CHANNEL)
        two.connector.blocked_users.add(LEADER)
        since = len(two.connector.log)
        answer = await two.a.say(HR, "send MED-påmindelse", name="Hanne HR")
        assert "sendt til 0 MED-kanal(er) og til 0 leder(e)" in answer.text
        assert requests_to(two, CHANNEL, since) == []  # A's memory did not post in the old channel
        overview = (await two.a.say(HR, "MED-overblik", name="Hanne HR")).text
        assert "Borgerservice" in overview and "Påmindelse sendt" not in overview


async def test_a_deleted_team_s_channels_are_forgotten_and_other_teams_kept(tmp_path: Path) -> None:
    async with two_instances(tmp_path) as two:
        await two.a.say(HR, "hjælp", name="Hanne HR")
        await _register(two, two.a)
        await _register(two, two.b, OTHER_TEAM, OTHER_CHANNEL)  # the unit moves: the first team keeps its entry
        await _register(two, two.a)  # and back, so the first team's channel serves the unit again
        assert (await two.b.post(team_deleted(two.b, LEADER))).status in (200, 201)
        assert await stored_channels(two) == [(OTHER_TEAM, OTHER_CHANNEL)]
        runtime = two.a.runtime
        assert await runtime.med.channels() == []  # the unit lost its channel: its leader's chat now
        record = await runtime.med.units.records.get("Borgerservice")
        assert record is not None and record.history[-1]["what"] == "channel_gone"


def _said(recorded: Any) -> str:
    return said(recorded.activity)


async def test_a_deleted_channel_alone_is_forgotten(tmp_path: Path) -> None:
    async with two_instances(tmp_path) as two:
        await two.a.say(HR, "hjælp", name="Hanne HR")
        await _register(two, two.a)
        await _register(two, two.a, TEAM, OTHER_CHANNEL)  # moved to another channel of the same team
        deleted = two.b.activity(LEADER, kind="conversationUpdate", **in_team(event="channelDeleted"))
        deleted["conversation"]["id"] = TEAM  # Teams names the team as the conversation here
        deleted["channelData"]["channel"] = {"id": OTHER_CHANNEL, "name": "MED"}
        assert (await two.b.post(deleted)).status in (200, 201)
        assert await stored_channels(two) == [(TEAM, CHANNEL)]
        assert await two.a.runtime.med.channels() == []
