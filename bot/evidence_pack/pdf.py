"""The pack as PDF (fpdf2), for the police's online report and for printing.

The font is DejaVu Sans, shipped in `fonts/` (from Debian's fonts-dejavu-core, Bitstream Vera
licence): it has the Danish letters and most European names, and it travels with the code to every
host, so nothing depends on fonts installed there. fpdf2 embeds only the glyphs used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from bot.evidence_pack.content import PackContent, item_rows, utc
from bot.evidence_pack.images import Preview

FONTS = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
MAX_IMAGE_HEIGHT_MM = 170.0

Label = Callable[..., str]


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")


def _rows(pdf: FPDF, rows: Sequence[tuple[str, ...]], widths: tuple[int, ...], *, header: bool = False) -> None:
    pdf.set_font(FAMILY, size=9)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=header,
        line_height=5,
        wrapmode=WrapMode.WORD,
        text_align="LEFT",
    ) as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.ln(3)


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(0, 7, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.WORD)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, size: int = 10) -> None:
    pdf.set_font(FAMILY, size=size)
    pdf.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.WORD)
    pdf.ln(2)


def write_pdf(content: PackContent, previews: Sequence[Preview | None], target: Path, label: Label) -> None:
    pdf = _Pdf(content.title)
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(content.as_of.astimezone(UTC))
    pdf.set_title(content.title)
    pdf.set_creator(label("pack.producer"))
    pdf.set_producer(label("pack.producer"))
    pdf.set_lang("da-DK" if content.language == "da" else "en")
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    _heading(pdf, content.title, 16)
    _paragraph(pdf, label("pack.intro", as_of=utc(content.as_of)))
    _rows(pdf, content.facts, (45, 135))

    _heading(pdf, label("pack.own_words"))
    _paragraph(pdf, content.description)

    _heading(pdf, label("pack.timeline"))
    header = (label("pack.when_utc"), label("pack.who"), label("pack.what"))
    _rows(pdf, [header, *((utc(e.at), e.who, e.what) for e in content.timeline)], (42, 40, 98), header=True)

    _heading(pdf, label("pack.screenshots", count=len(content.items)))
    if not content.items:
        _paragraph(pdf, label("pack.no_screenshots"))
    for item, preview in zip(content.items, previews, strict=True):
        pdf.add_page()
        _heading(pdf, label("pack.item_heading", index=item.index, name=item.original_name), 12)
        _rows(
            pdf,
            item_rows(item, label),
            (35, 145),
        )
        if preview is None:
            _paragraph(pdf, label("pack.no_view"))
            continue
        room = pdf.h - pdf.get_y() - 20
        width = pdf.epw
        height = preview.height * width / preview.width
        limit = min(MAX_IMAGE_HEIGHT_MM, max(room, 60.0))
        if height > limit:
            height = limit
            width = preview.width * height / preview.height
        pdf.image(str(preview.path), x=pdf.l_margin, w=width, h=height)
        pdf.ln(2)
        _paragraph(pdf, label("pack.view_note"), 8)
    pdf.output(str(target))
