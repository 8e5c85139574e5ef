"""Word documents are evidence (the guideline suggests pasting the screenshot into one), judged by
their bytes: a ZIP whose central directory lists `[Content_Types].xml` and `word/document.xml`.
Nothing is ever unpacked, so a ZIP bomb dressed as a .docx costs nothing."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from bot.intake.docx_check import DOCX
from bot.storage.local import LocalStore
from tests.fakes.connector import FakeConnector
from tests.fakes.file_host import PNG, FakeFileHost
from tests.hostile.conftest import activity, draft_of, file_attachment, post, running, settings_for, shown, start_report


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


WORD = zip_of(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document/>",
        "word/media/image1.png": PNG,
    }
)
BOMB = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(200 * 1024 * 1024)})
NOT_WORD = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


async def test_a_word_document_is_taken_by_its_bytes_and_other_zips_are_not(tmp_path: Path) -> None:
    assert len(BOMB) < 300 * 1024  # 200 MB of zeros inside
    store = LocalStore(tmp_path / "data")
    async with FakeConnector() as connector, FakeFileHost() as files:
        files.custom["dok"] = (WORD, {"Content-Type": "application/octet-stream"})
        files.custom["bombe"] = (BOMB, {"Content-Type": "application/octet-stream"})
        files.custom["regneark"] = (NOT_WORD, {"Content-Type": "application/octet-stream"})
        async with running(settings_for(tmp_path, files.url("")), store) as app:
            url = connector.service_url
            await start_report(app, connector)
            started = time.monotonic()
            await post(
                app,
                activity(
                    url,
                    attachments=[
                        file_attachment(files.url("/custom/dok"), "skærmbillede.png"),  # the name lies
                        file_attachment(files.url("/custom/bombe"), "bombe.docx"),
                        file_attachment(files.url("/custom/regneark"), "regneark.docx"),
                    ],
                ),
            )
            assert time.monotonic() - started < 3  # the bomb was never inflated
            answer = shown(connector)[-1]
            assert answer.count("Modtaget") == 2
            assert "Kun billeder (PNG, JPEG, GIF, WebP, HEIC), PDF-filer og Word-dokumenter (.docx)" in answer
            draft = await draft_of(store)
            assert draft is not None
            assert [(e["original_name"], e["content_type"]) for e in draft["evidence"]] == [
                ("skærmbillede.png", DOCX),
                ("bombe.docx", DOCX),  # a valid ZIP that is a Word document by its contents list
            ]
    await store.close()
