"""Conversation references on every store: deleted when Teams says the bot is gone, and never
brought back, nor a newer one lost, by a writer racing on the same document (the ETag)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.repositories.references import References
from bot.storage import names
from bot.storage.store import Store
from tests.fakes.held_store import HeldStore

PERSON = "00000000-0000-0000-0000-00000000a001"


def chat(conversation_id: str) -> dict[str, Any]:
    return {"conversation": {"id": conversation_id}, "serviceUrl": "https://smba.example/emea/"}


async def test_a_person_s_reference_is_deleted_and_only_while_it_is_the_chat_that_failed(store: Store) -> None:
    refs = References(store)
    assert await refs.delete_user(PERSON) is False  # none: nothing to do
    await refs.put_user(PERSON, {"aad_object_id": PERSON, "reference": chat("a:new"), "locale": "da-DK"})
    assert await refs.delete_user(PERSON, chat("a:old")) is False  # a newer chat than the one that failed
    assert await refs.user(PERSON) is not None
    assert await refs.delete_user(PERSON, chat("a:new")) is True
    assert await refs.user(PERSON) is None
    await refs.put_user(PERSON, {"aad_object_id": PERSON, "reference": chat("a:new"), "locale": ""})
    assert await refs.delete_user(PERSON) is True and await refs.user(PERSON) is None


async def _race(store: Store, held_first: str) -> list[tuple[str, str]]:
    """Team 1's channels are deleted while a channel of team 2 is registered; `held_first` names
    the writer that read the document first and writes last."""
    await References(store).put_channel("team-1", "c-1", chat("c-1"))
    await References(store).put_channel("team-1", "c-2", chat("c-2"))
    held = HeldStore(store, lambda name, _data: name == names.CHANNEL_REFS)
    slow, fast = References(held), References(store)
    late: asyncio.Task[list[str] | None]
    if held_first == "delete":
        late = asyncio.ensure_future(slow.delete_channels("team-1"))
        await held.holding.wait()
        await fast.put_channel("team-2", "c-3", chat("c-3"))
    else:
        late = asyncio.ensure_future(slow.put_channel("team-2", "c-3", chat("c-3")))
        await held.holding.wait()
        assert await fast.delete_channels("team-1") == ["c-1", "c-2"]
    held.release.set()
    await late
    return [(c["team_id"], c["channel_id"]) for c in await References(store).channels()]


async def test_a_team_s_channels_deleted_while_another_team_registers_keeps_both_changes(store: Store) -> None:
    assert await _race(store, "delete") == [("team-2", "c-3")]


async def test_a_registration_read_before_a_team_was_deleted_does_not_bring_the_team_back(store: Store) -> None:
    assert await _race(store, "put") == [("team-2", "c-3")]
