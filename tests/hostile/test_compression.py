"""Evidence downloads ask for the bytes as they are; a host that compresses anyway is refused,
never inflated (a few kilobytes of gzip can stand for gigabytes of zeros)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import PNG, FakeFileHost
from tests.hostile.conftest import activity, draft_of, file_attachment, post, running, settings_for, shown, start_report

BOMB = gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(64 * 1024 * 1024), compresslevel=9)  # 64 MB in ~64 KB


@pytest.mark.parametrize(
    ("body", "encoding"),
    [(gzip.compress(PNG), "gzip"), (BOMB, "gzip"), (b"\x0b\x02\x80garbage", "br"), (gzip.compress(PNG), "x-gzip")],
)
async def test_a_host_that_compresses_anyway_is_refused_and_nothing_is_inflated(
    tmp_path: Path, body: bytes, encoding: str
) -> None:
    assert len(BOMB) < 200 * 1024
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        files.custom["packed.png"] = (body, {"Content-Type": "image/png", "Content-Encoding": encoding})
        async with running(settings_for(tmp_path, files.url("")), store) as app:
            url = connector.service_url
            await start_report(app, connector)
            await post(app, activity(url, attachments=[file_attachment(files.url("/custom/packed.png"), "x.png")]))
            assert "pakket på en måde, så jeg ikke kan gemme den uændret" in shown(connector)[-1]
            assert files.seen[-1].accept_encoding == "identity"
            draft = await draft_of(store)
            assert draft is not None and draft["evidence"] == []
            assert await store.list(f"evidence/{draft['case_id']}/") == []
    await store.close()


async def test_every_download_asks_for_identity(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    async with (
        FakeConnector() as connector,
        FakeFileHost() as files,
        running(settings_for(tmp_path, files.url("")), store) as app,
    ):
        url = connector.service_url
        await start_report(app, connector)
        await post(app, activity(url, attachments=[file_attachment(files.url("/redirect/same-host"), "x.png")]))
        assert "Modtaget" in shown(connector)[-1]
        assert [s.accept_encoding for s in files.seen] == ["identity", "identity"]  # every hop
    await store.close()
