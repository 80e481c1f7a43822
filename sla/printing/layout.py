"""The PDF's look: paragraph styles (Helvetica throughout), the table grid, each page's
header and footer with its number, the headings that make the outline, and the helpers that
lay out paragraphs and long tables fast."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sla.printing.words import plain

FONT, BOLD = "Helvetica", "Helvetica-Bold"
STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontName=FONT, fontSize=9, leading=11)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
# A cell whose words must not break inside (a contract reference, `MIRAMAS-AUKFOOD-2023`):
# its column is made wide enough (`text_width`).
WHOLE = ParagraphStyle("whole", parent=SMALL, splitLongWords=0)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=18, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=13, spaceBefore=10)
H3 = ParagraphStyle("h3", parent=STYLES["Heading3"], fontSize=10.5, spaceBefore=8)
TITLE = ParagraphStyle("title", parent=H1, fontSize=26, leading=32, spaceAfter=20)
ORGANISATION = ParagraphStyle(
    "organisation", parent=BODY, fontName=BOLD, fontSize=14, leading=18, textColor="#3c4043"
)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("FONT", (0, 0), (-1, 0), BOLD, 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaed")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)


@dataclass(frozen=True)
class Running:
    """What every page repeats: the footer's words (the organisation, the report, the
    period), the header's right-hand words on a vendor's pages, "page N / total" in the
    document's language, and the instant the document was made (its properties' dates)."""

    footer: str
    header: str
    page: Callable[[int, int], str]
    made_at: datetime


@dataclass(frozen=True)
class Mark:
    """A place to find again: a bookmark and its outline entry, at a page's height."""

    key: str
    title: str
    level: int
    top: float


class ReportCanvas(Canvas):
    """Draws each page's header and footer once the total of pages is known: the vendor whose
    section a page belongs to (set by a `SectionHeading` drawn on it, or before it), the
    organisation and the period, "page N / total"; adds the bookmarks and the outline (the
    reader's table of contents) on the pages they belong to."""

    running: Running

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self.section: str | None = None
        self.marks: list[Mark] = []
        self.outlined: set[str] = set()  # a heading split over two pages is marked once
        made = self.running.made_at
        offset = made.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        stamp = made.strftime("D:%Y%m%d%H%M%S") + f"{minutes // 60:+03d}'{abs(minutes) % 60:02d}'"
        self.setDateFormatter(lambda *_fields: stamp)
        self.setViewerPreference("DisplayDocTitle", "true")

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self.marks = []
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._header_and_footer(total)
            for mark in self.marks:
                self.bookmarkHorizontalAbsolute(mark.key, mark.top)
                self.addOutlineEntry(mark.title, mark.key, mark.level)
            super().showPage()
        if any(state["marks"] for state in self._pages):
            self.showOutline()
        super().save()

    def _header_and_footer(self, total: int) -> None:
        width, height = A4
        self.setFillColor(colors.HexColor("#5f6368"))
        self.setFont(FONT, 8)
        number = self.running.page(self._pageNumber, total)
        self.drawRightString(width - 2 * cm, 1.2 * cm, number)
        room = width - 4 * cm - stringWidth(number, FONT, 8) - 0.5 * cm
        self.drawString(2 * cm, 1.2 * cm, fitted(self.running.footer, FONT, 8, room))
        if self.section:
            self.setFont(FONT, 8)
            self.drawRightString(width - 2 * cm, height - 1.2 * cm, self.running.header)
            self.setFillColor(colors.black)
            self.setFont(BOLD, 9)
            room = width - 4 * cm - stringWidth(self.running.header, FONT, 8) - 0.5 * cm
            self.drawString(2 * cm, height - 1.2 * cm, fitted(self.section, BOLD, 9, room))
            self.setStrokeColor(colors.HexColor("#9aa0a6"))
            self.setLineWidth(0.4)
            self.line(2 * cm, height - 1.35 * cm, width - 2 * cm, height - 1.35 * cm)


def report_canvas(running: Running) -> type[ReportCanvas]:
    """The canvas class ReportLab makes the document on, with `running` on every page."""
    return type("RunningCanvas", (ReportCanvas,), {"running": running})


def fitted(text: str, font: str, size: float, room: float) -> str:
    """`text` cut with an ellipsis to `room` points wide (a footer on one line)."""
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


class SectionHeading(Paragraph):
    """A heading that is also a place in the outline (`level` 0, 1…); a vendor's heading
    (`section`) also names the vendor in the header of its pages from this one on."""

    def __init__(
        self, text: str, style: ParagraphStyle, *, key: str, level: int, section: bool = False
    ) -> None:
        super().__init__(_escaped(text), style)
        self.title, self.key, self.level, self.section = plain(text), key, level, section

    def draw(self) -> None:
        super().draw()
        canvas = self.canv
        if not isinstance(canvas, ReportCanvas) or self.key in canvas.outlined:
            return
        canvas.outlined.add(self.key)
        if self.section:
            canvas.section = self.title
        _x, top = canvas.absolutePosition(0, self.height + 4)
        canvas.marks.append(Mark(self.key, self.title, self.level, top))


def _escaped(value: str) -> str:
    return plain(value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def para(value: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(_escaped(value), style)


WRAPPED_ROWS = 40  # longer tables get one-line cells: laying out paragraphs costs ~1 ms each
CHARS_PER_CM = 5.2
CHUNK = 30  # Helvetica 7.5 pt, average French text


def cut(text: str, width_cm: float) -> str:
    room = max(4, int((width_cm - 0.3) * CHARS_PER_CM))
    text = plain(text)
    return text if len(text) <= room else text[: room - 1] + "…"


def text_width(texts: Sequence[str], size: float = 7.5) -> float:
    """The width in cm a table column needs to hold the widest of `texts` on one line."""
    widest = max((float(stringWidth(plain(text), FONT, size)) for text in texts), default=0.0)
    return float((widest + 9) / cm)  # the cell's padding, 4 pt each side, and a point to spare


def grid_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    whole: Sequence[int] = (),
) -> list[Flowable]:
    """A table; a long one in one-line cells and in chunks of CHUNK rows, each with its header
    (ReportLab splits a table at a page end by measuring the rest again: chunks keep that
    linear). The columns numbered in `whole` never break a word (references)."""
    head = [para(h, SMALL) for h in header]
    sizes = [w * cm for w in widths]
    if len(rows) <= WRAPPED_ROWS:
        table = Table(
            [
                head,
                *[
                    [para(str(c), WHOLE if i in whole else SMALL) for i, c in enumerate(row)]
                    for row in rows
                ],
            ],
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
        table.setStyle(TableStyle([("FONT", (0, 1), (-1, -1), FONT, 7.5)]))
        tables.append(table)
    return tables


def none_line(text: str) -> Paragraph:
    return para(text, SMALL)
