"""A MED channel registered before unit records (`med/channels/`, its conversation reference
inside), moved into the new shape on every Store: after `MedUnits.migrate` the reference is in the
Teams side's channel book (`refs/channels.json`), the unit record names its channel by team and
channel id alone, and two instances migrating at once write each thing once."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.guideline.med_units import Workplace
from bot.services.med_units import MedUnits
from bot.storage import names
from bot.storage.names import legacy_med_channel, legacy_med_channel_tags
from bot.storage.store import Store
from bot.teams.channel_book import ChannelBook
from bot.texts import Texts
from tests.fakes.clock import FakeClock
from tests.fakes.notifier import RecordingNotifier

TEAM = "19:team-1@thread.tacv2"
OLD_CHANNEL = "19:old@thread.tacv2"  # registered before unit records, for Borgerservice
OTHER_CHANNEL = "19:other@thread.tacv2"  # registered since, kept in the book by the MED edge


def reference(channel_id: str) -> dict[str, Any]:
    return {
        "serviceUrl": "http://127.0.0.1:1/",
        "channelId": "msteams",
        "conversation": {"id": channel_id, "conversationType": "channel"},
        "bot": {"id": "28:bot"},
    }


async def old_shapes(store: Store) -> None:
    await store.put(
        legacy_med_channel(TEAM, OLD_CHANNEL),
        {"team_id": TEAM, "channel_id": OLD_CHANNEL, "unit": "borgerservice ", "committee": "LMU",
         "reference": reference(OLD_CHANNEL), "active": True, "registered_by": "u-member",
         "registered_at": "2026-01-05T10:00:00+00:00"},
        etag=None,
        tags=legacy_med_channel_tags(True, "borgerservice "),
    )  # fmt: skip
    await ChannelBook(store).keep(TEAM, OTHER_CHANNEL, reference(OTHER_CHANNEL))


def instance(store: Store) -> tuple[MedUnits, ChannelBook]:
    """One process's MED units, wired to its own channel book as app.py wires them."""
    book = ChannelBook(store)

    async def workplaces() -> list[Workplace]:
        return []

    async def never(_person: str) -> bool:
        return False

    async def nobody(_key: str, _values: dict[str, Any]) -> None:
        return None

    units = MedUnits(
        store,
        FakeClock(),
        RecordingNotifier(store),
        workplaces,
        never,
        nobody,
        lambda: Texts("da"),
        book,
        book.remember,
    )
    return units, book


async def stored(store: Store, name: str) -> dict[str, Any]:
    doc = await store.get(name)
    assert doc is not None, name
    return doc.data


async def test_old_records_move_their_references_into_the_channel_book_once(store: Store) -> None:
    await old_shapes(store)
    (a, _), (b, _) = instance(store), instance(store)
    await asyncio.gather(a.migrate(), b.migrate())  # two instances starting at once

    data = await stored(store, names.unit_record("Borgerservice"))
    assert data["channel"]["channel_id"] == OLD_CHANNEL and data["channel"]["committee"] == "LMU"
    assert "reference" not in data["channel"]  # the new shape: named by ids alone
    kept = await stored(store, names.CHANNEL_REFS)
    assert kept["channels"] == [
        {"team_id": TEAM, "channel_id": OTHER_CHANNEL, "reference": reference(OTHER_CHANNEL)},
        {"team_id": TEAM, "channel_id": OLD_CHANNEL, "reference": reference(OLD_CHANNEL)},
    ]  # added beside what the book had, once, though both instances handed it over
    history = (await stored(store, names.unit_record("Borgerservice")))["history"]
    assert [h["what"] for h in history] == ["channel_registered"]  # moved once
    assert (await stored(store, legacy_med_channel(TEAM, OLD_CHANNEL)))["active"] is False

    # A third process finds each channel in the book, with no record carrying it any more.
    _, book = instance(store)
    assert await book.reference(TEAM, OLD_CHANNEL) == reference(OLD_CHANNEL)


async def test_migrating_again_writes_nothing(store: Store) -> None:
    await old_shapes(store)
    first, _ = instance(store)
    await first.migrate()
    watched = [
        names.unit_record("Borgerservice"),
        names.CHANNEL_REFS,
        legacy_med_channel(TEAM, OLD_CHANNEL),
    ]
    before = [(await store.get(name)) for name in watched]
    again, _ = instance(store)  # a restart
    await again.migrate()
    assert [(await store.get(name)) for name in watched] == before  # same data, same ETags


async def test_a_crash_after_the_book_got_the_reference_is_finished_by_the_next_run(store: Store) -> None:
    """The reference goes into the book before the record is written without it: a run that
    stopped between the two left the old shape, and the next run completes it."""
    await old_shapes(store)
    _, book = instance(store)
    await book.keep(TEAM, OLD_CHANNEL, reference(OLD_CHANNEL))  # the first half, then a crash
    assert (await stored(store, legacy_med_channel(TEAM, OLD_CHANNEL)))["active"] is True
    units, _ = instance(store)
    await units.migrate()
    data = await stored(store, names.unit_record("Borgerservice"))
    assert data["channel"]["channel_id"] == OLD_CHANNEL and "reference" not in data["channel"]
    assert len((await stored(store, names.CHANNEL_REFS))["channels"]) == 2
    assert (await stored(store, legacy_med_channel(TEAM, OLD_CHANNEL)))["active"] is False
