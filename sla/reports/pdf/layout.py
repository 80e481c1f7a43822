"""The PDF's look: paragraph styles, the table grid, page numbers, and the helpers that lay
out paragraphs and long tables fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sla.reports import text as t

STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=11)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=18, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=13, spaceBefore=10)
H3 = ParagraphStyle("h3", parent=STYLES["Heading3"], fontSize=10.5, spaceBefore=8)
TITLE = ParagraphStyle("title", parent=H1, fontSize=26, leading=32, spaceAfter=20)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaed")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)


class NumberedCanvas(Canvas):
    """Writes "page N / total" on every page once the total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.HexColor("#5f6368"))
            self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {self._pageNumber} / {total}")
            self.drawString(2 * cm, 1.2 * cm, self._doctitle or "")
            super().showPage()
        super().save()


def para(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(t.plain(escaped), style)


WRAPPED_ROWS = 40  # longer tables get one-line cells: laying out paragraphs costs ~1 ms each
CHARS_PER_CM = 5.2
CHUNK = 30  # Helvetica 7.5 pt, average French text


def cut(text: str, width_cm: float) -> str:
    room = max(4, int((width_cm - 0.3) * CHARS_PER_CM))
    text = t.plain(text)
    return text if len(text) <= room else text[: room - 1] + "…"


def grid_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> list[Flowable]:
    """A table; a long one in one-line cells and in chunks of CHUNK rows, each with its header
    (ReportLab splits a table at a page end by measuring the rest again: chunks keep that
    linear)."""
    head = [para(h, SMALL) for h in header]
    sizes = [w * cm for w in widths]
    if len(rows) <= WRAPPED_ROWS:
        table = Table(
            [head, *[[para(str(c), SMALL) for c in row] for row in rows]],
            colWidths=sizes,
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(GRID)
        return [table]
    tables: list[Flowable] = []
    for start in range(0, len(rows), CHUNK):
        body = [
            [cut(str(c), w) for c, w in zip(row, widths, strict=True)]
            for row in rows[start : start + CHUNK]
        ]
        table = Table([head, *body], colWidths=sizes, repeatRows=1, hAlign="LEFT")
        table.setStyle(GRID)
        table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), "Helvetica", 7.5)]))
        tables.append(table)
    return tables


def none_line(text: str) -> Paragraph:
    return para(text, SMALL)
