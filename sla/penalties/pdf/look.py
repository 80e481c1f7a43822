"""The statement PDF's own styles, beside `sla.printing.layout`'s."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from sla.printing.layout import (
    BOLD,
    SMALL,
)

WIDTH = 17.0  # cm between the margins
PROCEDURE = "CCAG-TIC 2021 art. 14.1.1"  # the contradictory procedure
RIGHT = ParagraphStyle("right", parent=SMALL, alignment=TA_RIGHT)
RIGHT_BOLD = ParagraphStyle("right-bold", parent=RIGHT, fontName=BOLD)
SMALL_BOLD = ParagraphStyle("small-bold", parent=SMALL, fontName=BOLD)
INFO = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
)
TOTALS = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa0a6")),
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)
