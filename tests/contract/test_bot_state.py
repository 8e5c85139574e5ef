"""StoreBotStorage: botbuilder's Storage contract over each Store, and a dialog that lives in it."""

from __future__ import annotations

import pytest
from botbuilder.core import ConversationState, MessageFactory, StoreItem, TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    DialogInstance,
    DialogSet,
    DialogState,
    DialogTurnResult,
    DialogTurnStatus,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)
from botbuilder.dialogs.prompts import PromptOptions

from bot.errors import Conflict
from bot.storage.store import Store
from bot.teams.bot_state import StoreBotStorage, state_name

KEY = "msteams/conversations/a:1Xy_z/ø?#%/users/29:abc"


async def test_round_trip_of_dicts_and_objects(store: Store) -> None:
    storage = StoreBotStorage(store)
    item = StoreItem(count=3, names=["Åse", "Bo"])
    await storage.write({KEY: {"nested": item, "plain": {"a": [1, 2]}}, "other": StoreItem(x=1)})
    read = await storage.read([KEY, "other", "missing"])
    assert set(read) == {KEY, "other"}
    value = read[KEY]
    assert isinstance(value, dict)
    assert value["plain"] == {"a": [1, 2]}
    assert isinstance(value["nested"], StoreItem)
    assert value["nested"].count == 3 and value["nested"].names == ["Åse", "Bo"]
    assert value["e_tag"]  # the Store's ETag, for the next write
    assert isinstance(read["other"], StoreItem) and read["other"].x == 1
    assert (await store.get(state_name(KEY))) is not None


async def test_stale_e_tag_conflicts_and_star_overwrites(store: Store) -> None:
    storage = StoreBotStorage(store)
    await storage.write({KEY: {"n": 1}})
    first = (await storage.read([KEY]))[KEY]
    second = (await storage.read([KEY]))[KEY]
    assert isinstance(first, dict) and isinstance(second, dict)
    first["n"] = 2
    await storage.write({KEY: first})
    second["n"] = 3
    with pytest.raises(Conflict):
        await storage.write({KEY: second})
    assert (await storage.read([KEY]))[KEY]["n"] == 2  # type: ignore[index]
    first["n"] = 4
    await storage.write({KEY: first})  # our own e_tag was refreshed by the previous write
    await storage.write({KEY: {"n": 5, "e_tag": "*"}})
    assert (await storage.read([KEY]))[KEY]["n"] == 5  # type: ignore[index]
    await storage.write({KEY: {"n": 6}})  # no e_tag (not read) over one that exists: it wins too
    assert (await storage.read([KEY]))[KEY]["n"] == 6  # type: ignore[index]
    await storage.delete([KEY, "never-written"])
    assert await storage.read([KEY]) == {}


def _dialog_bot(storage: StoreBotStorage):  # type: ignore[no-untyped-def]
    """A two-step waterfall; every turn builds fresh state objects, so only storage carries it."""

    async def ask(step: WaterfallStepContext) -> DialogTurnResult:
        return await step.prompt("text", PromptOptions(prompt=MessageFactory.text("Hvad hedder du?")))

    async def greet(step: WaterfallStepContext) -> DialogTurnResult:
        await step.context.send_activity(f"Hej {step.result}")
        return await step.end_dialog()

    async def logic(context: TurnContext) -> None:
        state = ConversationState(storage)
        dialogs = DialogSet(state.create_property("dialog_state"))
        dialogs.add(TextPrompt("text"))
        dialogs.add(WaterfallDialog("main", [ask, greet]))
        dc = await dialogs.create_context(context)
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await dc.begin_dialog("main")
        await state.save_changes(context)

    return logic


async def test_a_dialog_continues_across_turns_through_the_store(store: Store) -> None:
    storage = StoreBotStorage(store)
    adapter = TestAdapter(_dialog_bot(storage))
    await adapter.test("hej", "Hvad hedder du?")
    assert await store.list("state/")  # the dialog stack was persisted between the turns
    await adapter.test("Åse", "Hej Åse")
    await adapter.test("igen", "Hvad hedder du?")


async def test_a_conversation_whose_dialogs_ended_is_deleted_not_written(store: Store) -> None:
    """The last turn of a dialog leaves no state document (the next turn reads nothing, as for an
    empty stack), and that delete keeps the e_tag's rule: a stale one conflicts."""
    adapter = TestAdapter(_dialog_bot(StoreBotStorage(store)))
    await adapter.test("hej", "Hvad hedder du?")
    assert await store.list("state/")
    await adapter.test("Åse", "Hej Åse")
    assert await store.list("state/") == []  # ended: deleted, not written with an empty stack
    await adapter.test("igen", "Hvad hedder du?")  # and the next turn begins afresh

    storage = StoreBotStorage(store)
    await storage.write({KEY: {"dialog_state": DialogState([DialogInstance()])}})
    stale = (await storage.read([KEY]))[KEY]
    fresh = (await storage.read([KEY]))[KEY]
    assert isinstance(stale, dict) and isinstance(fresh, dict)
    await storage.write({KEY: fresh})  # written since `stale` was read
    with pytest.raises(Conflict):
        await storage.write({KEY: {"dialog_state": DialogState(), "e_tag": stale["e_tag"]}})
    assert await storage.read([KEY])  # the stale delete did not win
    await storage.write({KEY: {"dialog_state": DialogState(), "e_tag": fresh["e_tag"]}})
    assert await storage.read([KEY]) == {}
