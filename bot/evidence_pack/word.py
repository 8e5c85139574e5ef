"""The pack as a Word document, as the guideline asks ("sæt billedet ind i et word-dokument").

python-docx writes the document; the file's ZIP entries are then rewritten with the case's own time
instead of the clock's, so an unchanged case gives the same bytes every time.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt
from docx.table import Table

from bot.evidence_pack.content import PackContent, item_rows, utc
from bot.evidence_pack.images import Preview

TEXT_WIDTH_CM = 16.0
MAX_IMAGE_HEIGHT_CM = 18.0

Label = Callable[..., str]


def _table(document: object, rows: Sequence[tuple[str, ...]], widths: Sequence[float]) -> Table:
    table: Table = document.add_table(rows=0, cols=len(widths))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = Cm(width)
            cell.text = value
    return table


def write_docx(content: PackContent, previews: Sequence[Preview | None], target: Path, label: Label) -> None:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    props = document.core_properties
    props.title = content.title
    props.author = label("pack.producer")
    props.last_modified_by = label("pack.producer")
    props.created = content.as_of.replace(tzinfo=None)
    props.modified = content.as_of.replace(tzinfo=None)
    props.revision = 1

    document.add_heading(content.title, level=0)
    document.add_paragraph(label("pack.intro", as_of=utc(content.as_of)))
    _table(document, content.facts, (5.0, 11.0))

    document.add_heading(label("pack.own_words"), level=1)
    for paragraph in content.description.splitlines() or [""]:
        document.add_paragraph(paragraph)

    document.add_heading(label("pack.timeline"), level=1)
    header = (label("pack.when_utc"), label("pack.who"), label("pack.what"))
    rows = [header, *((utc(e.at), e.who, e.what) for e in content.timeline)]
    timeline = _table(document, rows, (4.0, 4.0, 8.0))
    for cell in timeline.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True

    document.add_heading(label("pack.screenshots", count=len(content.items)), level=1)
    if not content.items:
        document.add_paragraph(label("pack.no_screenshots"))
    for item, preview in zip(content.items, previews, strict=True):
        document.add_heading(label("pack.item_heading", index=item.index, name=item.original_name), level=2)
        if preview is not None:
            width = TEXT_WIDTH_CM
            if preview.height * width / preview.width > MAX_IMAGE_HEIGHT_CM:
                width = MAX_IMAGE_HEIGHT_CM * preview.width / preview.height
            document.add_picture(str(preview.path), width=Cm(width))
            document.add_paragraph(label("pack.view_note"))
        else:
            document.add_paragraph(label("pack.no_view"))
        _table(
            document,
            item_rows(item, label),
            (4.0, 12.0),
        )
        if item.index < len(content.items):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    raw = target.with_suffix(".raw")
    document.save(str(raw))
    _fix_zip_times(raw, target, content)
    raw.unlink()


def _fix_zip_times(source: Path, target: Path, content: PackContent) -> None:
    """Copy the .docx's entries in the same order, stamped with the case's time (not the clock's)."""
    stamp = content.as_of.timetuple()[:6]
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, src.read(info.filename))
