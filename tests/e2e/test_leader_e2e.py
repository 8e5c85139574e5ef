"""The leader's side in the Teams Playground: two people (employee, leader) in two Playground
instances against ONE app, the leader found through the leader directory file.

The leader has the app installed before anything happens (so the bot knows the leader's chat); the
employee reports; the case card arrives in the leader's chat at once; the employee answers the offer
to join the police report on their own card; the leader records that the employee does not want a
police report after all, drafts and registers the InsuBiz note and marks the post as removed; the
employee then declines to join (there is no report). Every action is an Action.Execute whose answer
replaces the actor's card in place; the other person's card is updated in place by the bot, in both
directions. At the end both cards show the same state for every step the employee is shown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest_asyncio

from bot.texts.da import TEXTS
from tests.e2e.conftest import BotFactory, ChatFactory, PlaygroundFactory
from tests.e2e.harness.config import DEPUTY, EMPLOYEE, LEADER
from tests.e2e.harness.flows import label, step_states, submit_report, wait_for_step, write_leader_directory
from tests.e2e.harness.procs import BotServer
from tests.e2e.harness.ui import MESSAGE, ChatPage

DESCRIPTION = "Han skrev i en kommentar, at han ved hvor jeg bor, og at jeg skal passe på."
NOTE = "Notat: medarbejderen ønsker ikke politianmeldelse. Opslaget er fjernet af Facebook."
INSUBIZ_REF = "IB-2026-17"


@pytest_asyncio.fixture(loop_scope="session")
async def bot(bot_factory: BotFactory, tmp_path: Path) -> BotServer:
    """The app with a leader directory: the employee's leader is LEADER, the deputy DEPUTY."""
    directory = await asyncio.to_thread(write_leader_directory, tmp_path / "leaders.csv", [(EMPLOYEE, LEADER, DEPUTY)])
    return await bot_factory(extra_env={"LEADER_DIRECTORY_FILE": str(directory)})


@pytest_asyncio.fixture(loop_scope="session")
async def deputy(bot: BotServer, playground_factory: PlaygroundFactory, open_chat: ChatFactory) -> ChatPage:
    """The deputy has the app installed too (a third Playground instance), so the bot reaches them at
    once. (The Playground answers 500 to messages for a user who is in none of its instances, which the
    bot rightly retries with back-off for seconds; that would only slow this test down.)"""
    return await open_chat(await playground_factory(bot, DEPUTY))


async def test_leader_decides_on_the_case_card_and_both_cards_agree(
    leader: ChatPage, deputy: ChatPage, employee: ChatPage
) -> None:
    # The leader and the deputy installed the app first (the fixture order): the bot has their chats.
    await leader.wait_for_card(TEXTS["welcome.title"], name="leader-welcome")
    await deputy.wait_for_card(TEXTS["welcome.title"], name="deputy-welcome")
    leader_before = await leader.message_count()
    deputy_before = await deputy.message_count()

    submitted = await submit_report(employee, description=DESCRIPTION)
    receipt = submitted.receipt_text
    assert LEADER.name in receipt, f"the receipt does not name the leader:\n{receipt}"

    # The case card reaches the leader's own chat, proactively.
    # (The Playground draws a message's text and its card as two bubbles; Teams draws one.)
    await leader.wait_for_message("Ny sag til dig", after=leader_before)
    leader_card = await leader.wait_for_card(f"Sag {submitted.number}", after=leader_before, name="leader-case-card")
    text = await leader_card.text()
    assert f"Sag {submitted.number}" in text and DESCRIPTION in text
    assert TEXTS["act.police_declined"] in text and TEXTS["act.removal_removed"] in text

    await deputy.wait_for_message("Ny sag til dig", after=deputy_before)
    await deputy.wait_for_card(f"Sag {submitted.number}", after=deputy_before, name="deputy-case-card")

    # The employee's own card: they will join the police report.
    await employee.wait_for_message("Her er din sag")
    own = await employee.wait_for_card(f"Sag {submitted.number}", name="employee-case-card")
    assert f"Sag {submitted.number}" in await own.text()
    await own.click(TEXTS["act.offer_join"])
    await wait_for_step(own, "step.police_offer", TEXTS["outcome.wants_to_join"])
    await own.screenshot("employee-case-card-joined")

    # The employee does not want a police report after all: the InsuBiz note becomes the leader's job.
    # The answer to the leader's action is the whole current card, so it also shows the employee's answer.
    await leader_card.click(TEXTS["act.police_declined"])
    await wait_for_step(leader_card, "step.police_report", TEXTS["outcome.declined_by_employee"])
    await wait_for_step(leader_card, "step.police_offer", TEXTS["outcome.wants_to_join"])
    await leader_card.wait_for_text(label("in.insubiz_text"))
    await leader_card.screenshot("leader-case-card-declined")
    note_box = leader_card.root.get_by_label(label("in.insubiz_text"), exact=False)
    drafted = await note_box.input_value()
    assert drafted.strip(), "the InsuBiz note is not pre-filled with a draft"
    await note_box.fill(NOTE)
    await leader_card.click(TEXTS["act.insubiz_draft"])
    await wait_for_step(leader_card, "step.insubiz_note", TEXTS["outcome.drafted"])
    await leader_card.wait_for_text(TEXTS["in.insubiz_ref"])
    assert NOTE in await leader_card.text(), "the saved note is not shown for copying"
    await leader_card.fill(TEXTS["in.insubiz_ref"], INSUBIZ_REF)
    await leader_card.click(TEXTS["act.insubiz_registered"])
    await wait_for_step(leader_card, "step.insubiz_note", TEXTS["outcome.registered"], INSUBIZ_REF)

    await leader_card.fill(TEXTS["in.removal_note"], "Facebook har fjernet kommentaren.")
    await leader_card.click(TEXTS["act.removal_removed"])
    await wait_for_step(leader_card, "step.removal", TEXTS["outcome.removed"])
    await leader_card.screenshot("leader-case-card-after-decisions")

    # The employee's card shows the same, without the employee doing anything: the bot updates it
    # in place (updateActivity on the activity id it kept when it sent the card).
    not_updated = "the bot did not update the employee's case card in place; see bot.log (after_decision)"
    await wait_for_step(own, "step.removal", TEXTS["outcome.removed"], hint=not_updated)
    await wait_for_step(own, "step.insubiz_note", TEXTS["outcome.registered"], INSUBIZ_REF, hint=not_updated)
    await own.screenshot("employee-case-card-after-decisions")

    # One case, one notification: the leader's chat holds the case card once (the bot updates it, never
    # posts it again).
    leader_texts = await leader.page.locator(MESSAGE).all_inner_texts()
    copies = sum(f"Sag {submitted.number}" in t for t in leader_texts)
    assert copies == 1, f"the leader's chat shows the case card {copies} times"

    # With no police report to join, the employee changes the answer; the leader's card follows.
    await own.click(TEXTS["act.offer_decline"])
    await wait_for_step(own, "step.police_offer", TEXTS["outcome.declined_to_join"])
    await wait_for_step(
        leader_card,
        "step.police_offer",
        TEXTS["outcome.declined_to_join"],
        hint="the bot did not update the leader's case card in place; see bot.log (after_decision)",
    )
    await leader_card.screenshot("leader-case-card-final")

    leader_states = step_states(await leader_card.text())
    employee_states = step_states(await own.text())
    shared = set(leader_states) & set(employee_states)
    assert {TEXTS["step.removal"], TEXTS["step.police_report"], TEXTS["step.insubiz_note"]} <= shared
    assert {k: employee_states[k] for k in shared} == {k: leader_states[k] for k in shared}
    # The employee is not shown the steps that do not apply; the leader is, as such.
    for hidden in set(leader_states) - shared:
        assert leader_states[hidden].startswith(TEXTS["stepstatus.not_applicable"]), hidden
