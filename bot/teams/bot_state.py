"""botbuilder's `Storage` over our Store, so dialog and conversation state live beside the cases.

Any web instance can then continue any conversation. Items are serialised the way botbuilder's
own blob storage does (jsonpickle, which keeps the classes of DialogState and friends), and each
item's `e_tag` carries the Store's ETag: a write with a stale e_tag raises `Conflict`, while an
item without e_tag, or with "*", is written last-writer-wins (without e_tag, create-only first: such
an item was not found by the read). jsonpickle restores classes named
in the data, so only ever point this at the bot's own container.

This is the one botbuilder import below the Teams edge; it is confined to this adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any, cast

import jsonpickle
from botbuilder.core import ConversationState, Storage, TurnContext
from botbuilder.dialogs import DialogState

from bot.errors import AlreadyExists, Conflict
from bot.storage import names
from bot.storage.store import Store

_LWW_ATTEMPTS = 20


def state_name(key: str, prefix: str = names.STATE) -> str:
    """A safe, injective storage name for any botbuilder key (`bot.storage.names.state`)."""
    return names.state(key, prefix)


def _etag_of(item: object) -> str | None:
    value = item.get("e_tag") if isinstance(item, Mapping) else getattr(item, "e_tag", None)
    return None if value is None else str(value)


def _set_etag(item: object, etag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = etag
    else:  # an object that cannot carry an e_tag (slots) is simply written last-writer-wins
        with contextlib.suppress(AttributeError, TypeError):
            setattr(item, "e_tag", etag)  # noqa: B010


def _dialogs_ended(item: object) -> bool:
    """A conversation's state that holds only dialog states with empty stacks: every dialog ended."""
    if not isinstance(item, Mapping):
        return False
    values = [value for name, value in item.items() if name != "e_tag"]
    return bool(values) and all(isinstance(v, DialogState) and not v.dialog_stack for v in values)


class StoreBotStorage(Storage):  # type: ignore[misc]  # botbuilder ships no type hints
    """botbuilder `Storage` (read/write/delete by key) backed by a `Store`."""

    def __init__(self, store: Store, prefix: str = names.STATE) -> None:
        super().__init__()
        self._store = store
        self._prefix = prefix

    async def read(self, keys: list[str]) -> dict[str, object]:
        if keys is None:
            raise ValueError("keys are required when reading")
        docs = await asyncio.gather(*(self._store.get(state_name(k, self._prefix)) for k in keys))
        items: dict[str, object] = {}
        for key, doc in zip(keys, docs, strict=True):
            if doc is None:
                continue
            item = cast(object, jsonpickle.Unpickler().restore(doc.data["item"]))
            _set_etag(item, doc.etag)
            items[key] = item
        return items

    async def write(self, changes: dict[str, object]) -> None:
        if changes is None:
            raise ValueError("changes are required when writing")
        for key, item in changes.items():
            etag = _etag_of(item)
            if etag == "":
                raise ValueError("e_tag is empty")
            if _dialogs_ended(item):
                # Nothing left that a next turn reads back (a missing document reads as this): one
                # delete instead of flattening and writing an empty stack (the report's submit).
                await self._store.delete(state_name(key, self._prefix), etag=None if etag == "*" else etag)
                _set_etag(item, "*")  # a second save in the same turn writes it again, last-writer-wins
                continue
            encoded = json.loads(cast(str, jsonpickle.encode(item)))
            if isinstance(encoded, dict):
                encoded.pop("e_tag", None)  # the Store's own ETag is the truth
            doc = {"key": key, "item": encoded}
            name = state_name(key, self._prefix)
            if etag is None:
                new_etag = await self._write_new_or_last_wins(name, doc)
            elif etag == "*":
                new_etag = await self._write_last_wins(name, doc)
            else:
                new_etag = await self._store.put(name, doc, etag=etag)  # Conflict if it moved
            # A second save in the same turn then builds on this write instead of conflicting.
            _set_etag(item, new_etag)

    async def _write_new_or_last_wins(self, name: str, doc: Mapping[str, Any]) -> str:
        """An item without e_tag was not read from the store (the read found nothing: a new
        conversation's state), so it is most likely still missing: a create-only write first,
        instead of reading again for the ETag. If it exists after all, last-writer-wins as before."""
        try:
            return await self._store.put(name, doc, etag=None)
        except AlreadyExists:
            return await self._write_last_wins(name, doc)

    async def _write_last_wins(self, name: str, doc: Mapping[str, Any]) -> str:
        for _ in range(_LWW_ATTEMPTS):
            current = await self._store.get(name)
            try:
                return await self._store.put(name, doc, etag=current.etag if current else None)
            except (Conflict, AlreadyExists):
                continue
        raise Conflict(name)

    async def delete(self, keys: list[str]) -> None:
        if keys is None:
            raise ValueError("keys are required when deleting")
        for key in keys:
            await self._store.delete(state_name(key, self._prefix))


class StoreConversationState(ConversationState):  # type: ignore[misc]  # botbuilder ships no type hints
    """botbuilder's ConversationState, reading the conversation's state from the store once a turn.

    botbuilder's `load` reads again whenever the turn's cached state is empty, and a conversation
    with no dialog running has an empty one: `DialogSet.create_context` read the missing document,
    then read it again to set the default dialog state, before the end of the turn wrote it (the
    report's first turn: three reads of a document that was not there). Here the first read of
    the turn is kept, empty or not; `force` still reads again."""

    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        if force or self.get_cached_state(turn_context) is None:
            await super().load(turn_context, True)
