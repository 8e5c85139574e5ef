"""The local store's index: a document's entries are hard links to one file (one inode per
document, not one per tag), and `find` answers as before when entries come and go."""

from __future__ import annotations

import os
from pathlib import Path

from bot.storage import local_files as lf
from bot.storage.local import LocalStore

NAME = "cases/0123456789abcdef0123456789abcdef.json"
TAGS = {"kind": "case", "status": "open", "leader": "u-leader", "due": "2026-12-01T09:00:00Z"}


def entries(root: Path) -> dict[str, os.stat_result]:
    component = lf.encode_component(NAME)
    return {p.parent.parent.name: p.stat() for p in (root / ".index").glob(f"*/*/{component}")}


async def test_a_documents_index_entries_share_one_inode_as_its_tags_change(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    etag = await store.put(NAME, {"n": 1}, etag=None, tags=TAGS)
    first = entries(tmp_path)
    assert set(first) == set(TAGS)
    assert len({s.st_ino for s in first.values()}) == 1 and first["kind"].st_nlink == len(TAGS)
    # Every tag but one changes: the new entries link to the one kept.
    moved = {"kind": "case", "status": "closed", "leader": "u-other", "due": "9999-12-31T00:00:00Z"}
    etag = await store.put(NAME, {"n": 2}, etag=etag, tags=moved)
    after = entries(tmp_path)
    assert len({s.st_ino for s in after.values()}) == 1 and after["kind"].st_nlink == len(moved)
    assert await store.find({"status": "closed"}) == [NAME] and await store.find({"status": "open"}) == []
    assert await store.find({"leader": "u-other"}, at_most={"due": "9999-12-31T00:00:00Z"}) == [NAME]
    await store.delete(NAME, etag=etag)
    assert entries(tmp_path) == {} and await store.find({"kind": "case"}) == []


async def test_an_entry_missing_by_hand_is_made_as_a_file_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    etag = await store.put(NAME, {"n": 1}, etag=None, tags={"kind": "case", "status": "open"})
    (tmp_path / ".index" / "kind" / "case" / lf.encode_component(NAME)).unlink()  # the one a link would copy
    await store.put(NAME, {"n": 2}, etag=etag, tags={"kind": "case", "status": "closed"})
    assert await store.find({"status": "closed"}) == [NAME]
    assert (tmp_path / ".index" / "status" / "closed" / lf.encode_component(NAME)).read_text() == NAME
