"""The cards as the bot sends them: one scripted conversation through `app.build_runtime`.

Why beside the catalogue: the catalogue draws each card from a typed view, so it pins the cards
but not how the services assemble the views (a receipt's promised moments, the notification's
intro, a list's order, a MED card's figures and state, what the invoke answers). This scenario
drives the real bot (botbuilder's TestAdapter, the real sender, a fake Bot Connector, a local
store, a hand clock) and pins every card it sends: in the chat's replies, as invoke answers, and
as proactive messages and in-place updates seen by the fake connector.

What differs from run to run is replaced before pinning: case ids (new uuid4 hex), uuids, the
evidence links' expiry and signature (a key per process) and the fake servers' ports.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from tests.bot.chat import CARD, ChannelChat, cards, invoke
from tests.bot.conftest import EMPLOYEE, HR, LEADER, STRANGER, World, file_attachment, open_world
from tests.bot.test_report_dialog import GOOD_FORM

Card = dict[str, Any]
START = datetime(2026, 11, 25, 9, tzinfo=UTC)  # Wednesday, 10:00 in Copenhagen: office hours
TEAM = "19:team-1@thread.tacv2"
CHANNEL = "19:med-1@thread.tacv2"

_CASE_ID = re.compile(r"\b[0-9a-f]{32}\b")
_UUID4 = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b")
_LOCAL_PORT = re.compile(r"(https?://(?:127\.0\.0\.1|localhost)):\d+")
_EXPIRY = re.compile(r"([?&]exp=)\d+")
_SIGNATURE = re.compile(r"([?&]sig=)[A-Za-z0-9_\-%=]+")


def stable(card: Card) -> Card:
    """The card with what differs between runs replaced by placeholders (ids numbered per card)."""
    ids: dict[str, str] = {}

    def text(value: str) -> str:
        value = _SIGNATURE.sub(r"\1<sig>", _EXPIRY.sub(r"\1<exp>", value))
        value = _CASE_ID.sub(lambda m: ids.setdefault(m.group(0), f"<id-{len(ids) + 1}>"), value)
        value = _UUID4.sub("<uuid>", value)
        return _LOCAL_PORT.sub(r"\1:<port>", value)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {text(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return text(node) if isinstance(node, str) else node

    result: Card = walk(card)
    return result


class Pinned:
    """The cards of the scenario, by name, in the order they were sent."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cards: dict[str, Card] = {}
        self._seen_sends = 0

    def add(self, name: str, found: list[Card]) -> None:
        assert found, f"{name}: the bot sent no card"
        for n, card in enumerate(found, 1):
            key = name if len(found) == 1 else f"{name}/{n}"
            assert key not in self.cards, f"{key} pinned twice"
            self.cards[key] = stable(card)

    def replies(self, name: str, replies: list[Activity]) -> None:
        self.add(name, cards(replies))

    def sent(self, name: str) -> None:
        """The cards the fake connector received since the last call (proactive messages), and
        the in-place updates of every card it holds."""
        messages = self.world.connector.messages()
        fresh = messages[self._seen_sends :]
        self._seen_sends = len(messages)
        found = [
            a["content"] for m in fresh for a in m.activity.get("attachments") or [] if a.get("contentType") == CARD
        ]
        if found:
            self.add(name, found)

    def updates(self, name: str) -> None:
        found = [
            a["content"]
            for m in self.world.connector.messages()
            for update in m.updates[-1:]
            for a in update.get("attachments") or []
            if a.get("contentType") == CARD
        ]
        if found:
            self.add(name, found)


async def _scenario(world: World) -> dict[str, Card]:
    world.clock.current = START
    runtime = await world.runtime()
    pinned = Pinned(world)
    employee = world.chat(runtime, EMPLOYEE, "Mette Medarbejder")

    # The employee's report, with a refused form, an edit and a screenshot.
    pinned.replies("chat/employee/help/da", await employee.send("hjælp"))
    pinned.replies("chat/report/form/da", await employee.send("indberet"))
    pinned.replies("chat/report/form_refused/da", await employee.send(value={**GOOD_FORM, "description": ""}))
    pinned.replies("chat/report/evidence_prompt/da", await employee.send(value=GOOD_FORM))
    await employee.send(attachments=[file_attachment(world.files.url("/files/shot.png"), "shot.png")])
    pinned.replies("chat/report/review/da", await employee.send("færdig"))
    pinned.replies("chat/report/edit/da", await employee.send(value={"verb": "review_edit"}))
    await employee.send(value=GOOD_FORM)
    await employee.send("færdig")
    pinned.replies("chat/report/receipt/da", await employee.send(value={"verb": "review_submit"}))
    await runtime.background.drain()
    pinned.sent("chat/new_case/sent")  # the leader's notification and the reporter's own card
    [case] = await runtime.cases.reported_by(EMPLOYEE)

    # The leader works the case; the other cards are updated in place.
    leader = world.chat(runtime, LEADER, "Lene Leder")
    decide = {"case_id": case.id}
    pinned.add("chat/leader/acknowledged/da", [await invoke(leader, "decide", {**decide, "action": "acknowledge"})])
    refused = await invoke(leader, "decide", {**decide, "action": "police_reported", "journal_number": "x"})
    pinned.add("chat/leader/refused_input/da", [refused])
    removal = {**decide, "action": "removal_requested", "removal_note": "Anmodet hos Meta"}
    pinned.add("chat/leader/removal_requested/da", [await invoke(leader, "decide", removal)])
    offer = {**decide, "action": "offer_made", "offered_via": "phone"}
    pinned.add("chat/leader/offer_made/da", [await invoke(leader, "decide", offer)])
    await runtime.background.drain()
    pinned.sent("chat/offer/sent")  # the employee is asked
    pinned.add("chat/employee/offer_join/da", [await invoke(employee, "decide", {**decide, "action": "offer_join"})])
    await runtime.background.drain()
    pinned.sent("chat/offer_answered/sent")
    pinned.updates("chat/updated")
    pinned.add("chat/leader/history/da", [await invoke(leader, "history", decide)])
    pinned.add("chat/leader/evidence/da", [await invoke(leader, "evidence_list", decide)])
    pinned.replies("chat/leader/my_cases/da", await leader.send("mine sager"))
    pinned.replies("chat/employee/my_cases/da", await employee.send("mine sager"))
    stranger = world.chat(runtime, STRANGER, "Sofie Fremmed", locale="en-US")
    pinned.add("chat/stranger/refused/en", [await invoke(stranger, "decide", {**decide, "action": "acknowledge"})])
    pinned.replies("chat/stranger/help/en", await stranger.send("help"))
    pinned.replies("chat/stranger/report/en", await stranger.send("report"))

    # HR: the list of cases, the help; the MED channel registered and the reminder sent.
    hr = world.chat(runtime, HR, "Hanne HR")
    pinned.replies("chat/hr/help/da", await hr.send("hjælp"))
    pinned.replies("chat/hr/cases/da", await hr.send("sager"))
    med = ChannelChat(runtime, LEADER, TEAM, CHANNEL, service_url=world.connector.service_url)
    typed = Activity(type=ActivityTypes.message, text="<at>Krænkelser</at> registrer MED-kanal")
    pinned.replies("chat/med/registration/da", await med.activity(typed))
    pinned.add(
        "chat/med/registered/da", [await med.invoke_card("med_register", {"unit": "Borgerservice", "committee": "LMU"})]
    )
    await hr.send("send MED-påmindelse")
    await runtime.background.drain()
    pinned.sent("chat/med/reminder/sent")
    agenda = {"unit": "Borgerservice", "period": "2026-H2", "meeting_date": "2026-12-01"}
    pinned.add("chat/med/on_agenda/da", [await med.invoke_card("med_agenda", agenda)])
    pinned.replies("chat/hr/med_overview/da", await hr.send("MED-overblik"))
    return pinned.cards


async def build() -> dict[str, Card]:
    """Every card of the scenario by name ("chat/.../lang"); run in a folder of its own."""
    with tempfile.TemporaryDirectory() as root:
        async with open_world(Path(root)) as world:
            return await _scenario(world)
