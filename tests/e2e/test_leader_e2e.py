"""The leader's side in the Teams Playground: two people (employee, leader) in two Playground
instances against ONE app, the leader found through the leader directory file.

The leader has the app installed before anything happens (so the bot knows the leader's chat); the
employee reports; the case card arrives in the leader's chat at once. The guideline's "skal" holds:
the leader finds no way to skip the police report (no waiver, no "declined" button of their own),
only the offer to take part. The leader records that the offer was made; only then is the employee
asked, on their own card; the employee answers "no police report"; the InsuBiz note appears on the
leader's card, and the leader drafts and registers it. Every action is an Action.Execute whose
answer replaces the actor's card in place; the other person's card is updated in place by the bot,
in both directions. At the end both cards show the same state for every step the employee is shown.
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
from tests.e2e.harness.ui import MESSAGE, Card, ChatPage

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


async def buttons(card: Card) -> set[str]:
    """The text keys of the card's buttons, as the person sees them."""
    titles = {t.strip() for t in await card.root.get_by_role("button").all_inner_texts()}
    return {key for key, value in TEXTS.items() if key.startswith("act.") and value in titles}


async def test_the_police_step_cannot_be_skipped_and_the_employee_declines_on_their_own_card(
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
    await leader.wait_for_message("Ny sag til dig", after=leader_before)
    leader_card = await leader.wait_for_card(f"Sag {submitted.number}", after=leader_before, name="leader-case-card")
    text = await leader_card.text()
    assert f"Sag {submitted.number}" in text and DESCRIPTION in text
    # While the leader is present, the deputy gets nothing (checked again at the end, once all is sent).

    # No way to skip the police step: no waiver anywhere, no button that ends the police step without
    # a report, and no report before the offer to take part. The one police action is the offer.
    shown = await buttons(leader_card)
    assert {"act.offer_made", "act.removal_removed", "act.apv_measures"} <= shown
    police = {k for k in shown if k.startswith(("act.police", "act.offer")) or "waive" in k or "declin" in k}
    assert police == {"act.offer_made"}, f"the leader could skip the police step with {police}"
    assert TEXTS["act.police_reported"] not in text
    assert "Fravælg" not in text and "fravælg" not in text

    # The employee's own card asks nothing yet.
    await employee.wait_for_message("Her er din sag")
    own = await employee.wait_for_card(f"Sag {submitted.number}", name="employee-case-card")
    assert TEXTS["act.offer_no_report"] not in await own.text()

    # The leader made the offer by phone and records it; the answer is now pending.
    employee_before = await employee.message_count()
    await leader_card.select(label("in.offered_via"), TEXTS["choice.offered_via.phone"])
    await leader_card.click(TEXTS["act.offer_made"])
    await wait_for_step(leader_card, "step.police_offer", TEXTS["outcome.offered"])
    await wait_for_step(leader_card, "step.police_report", TEXTS["case.paused"])
    await leader_card.screenshot("leader-case-card-offer-pending")

    # The employee is asked at once, on a fresh card in their chat, and answers "no police report".
    asked = await employee.wait_for_card(
        TEXTS["notify.offer_asked"].split("{")[0].strip(), after=employee_before, name="employee-asked"
    )
    await asked.click(TEXTS["act.offer_no_report"])
    await wait_for_step(asked, "step.police_report", TEXTS["outcome.declined_by_employee"])
    await wait_for_step(asked, "step.police_offer", TEXTS["outcome.no_report"])
    assert TEXTS["act.offer_join"] not in await asked.text(), "the question is still open after the answer"
    await asked.screenshot("employee-case-card-no-report")

    # The leader's card follows by itself: the police step is the employee's answer, the InsuBiz
    # note is now the leader's job, pre-filled with a draft.
    not_updated = "the bot did not update the leader's case card in place; see bot.log (after_decision)"
    await wait_for_step(leader_card, "step.police_report", TEXTS["outcome.declined_by_employee"], hint=not_updated)
    await wait_for_step(leader_card, "step.insubiz_note", TEXTS["stepstatus.open"], hint=not_updated)
    await leader_card.wait_for_text(label("in.insubiz_text"))
    assert TEXTS["act.police_reported"] not in await leader_card.text()
    await leader_card.screenshot("leader-case-card-insubiz-open")
    note_box = leader_card.root.get_by_label(label("in.insubiz_text"), exact=False)
    drafted = await note_box.input_value()
    assert "ikke ønsker at anmelde episoden til politiet" in drafted, "the InsuBiz note is not pre-filled"
    await note_box.fill(NOTE)
    await leader_card.click(TEXTS["act.insubiz_draft"])
    await wait_for_step(leader_card, "step.insubiz_note", TEXTS["outcome.drafted"])
    await leader_card.wait_for_text(TEXTS["in.insubiz_ref"])
    assert NOTE in await leader_card.text(), "the saved note is not shown for copying"
    await leader_card.fill(TEXTS["in.insubiz_ref"], INSUBIZ_REF)
    await leader_card.click(TEXTS["act.insubiz_registered"])
    await wait_for_step(leader_card, "step.insubiz_note", TEXTS["outcome.registered"], INSUBIZ_REF)
    await leader_card.screenshot("leader-case-card-insubiz-registered")

    # The employee's card shows the same, without the employee doing anything.
    not_updated = "the bot did not update the employee's case card in place; see bot.log (after_decision)"
    await wait_for_step(asked, "step.insubiz_note", TEXTS["outcome.registered"], INSUBIZ_REF, hint=not_updated)
    await asked.screenshot("employee-case-card-final")

    # The deputy was never brought in (the leader acknowledged nothing, but the deadline has not passed).
    assert await deputy.message_count() == deputy_before, "the deputy was told about a case the leader has"

    # One case, one notification: the leader's chat holds the case card once (updated, never re-posted).
    leader_texts = await leader.page.locator(MESSAGE).all_inner_texts()
    copies = sum(f"Sag {submitted.number}" in t for t in leader_texts)
    assert copies == 1, f"the leader's chat shows the case card {copies} times"

    leader_states = step_states(await leader_card.text())
    employee_states = step_states(await asked.text())
    shared = set(leader_states) & set(employee_states)
    assert {TEXTS["step.police_report"], TEXTS["step.police_offer"], TEXTS["step.insubiz_note"]} <= shared
    assert {k: employee_states[k] for k in shared} == {k: leader_states[k] for k in shared}
    # The employee is not shown the steps that do not apply; the leader is, as such.
    for hidden in set(leader_states) - shared:
        assert leader_states[hidden].startswith(TEXTS["stepstatus.not_applicable"]), hidden
