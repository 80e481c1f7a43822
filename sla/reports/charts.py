"""The report's charts as ReportLab drawings: drawn into the PDF as vectors, and rendered to
SVG for the web page — one definition for both, in the words of the document or page.

Every text is Helvetica like the PDF's (ReportLab's charts default to Times-Roman), the
legends sit below the plot with their labels whole (wrapped into rows, never cut), the month
labels are thinned when they would overlap, a chart without any value says so ("No data"),
and a chart given a target draws it as a dashed line. The SVG carries presentation attributes
only (the pages' CSP, `style-src 'self'`, blocks inline styles), a title and a text summary of
its values for screen readers, and ids unique in the page."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from sla.formats import month_abbreviation
from sla.reports.figures import TrendPoint
from sla.reports.text import Words

FONT, BOLD = "Helvetica", "Helvetica-Bold"
# Series colours, most severe first: each has a contrast of 3:1 at least on white (RGAA 3.3,
# WCAG 1.4.11), and stacked bars are parted by a white line.
PALETTE = (
    colors.HexColor("#b3261e"),
    colors.HexColor("#e8710a"),
    colors.HexColor("#8a6d00"),
    colors.HexColor("#1a73e8"),
    colors.HexColor("#7b1fa2"),
    colors.HexColor("#00796b"),
    colors.HexColor("#5f6368"),
    colors.HexColor("#6d4c41"),
)
LINE = colors.HexColor("#1a73e8")
BARS = colors.HexColor("#188038")
TARGET = colors.HexColor("#3c4043")
GRID = colors.HexColor("#dadce0")
MUTED = colors.HexColor("#5f6368")

WIDTH = 480
LEFT, RIGHT = 42, 10  # room for the value labels; the plot ends before the right edge
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = 110
TITLE_HEIGHT = 22
AXIS_HEIGHT = 16  # the month labels under the plot
LABEL_SIZE = 8
LEGEND_SIZE = 8
LEGEND_ROW = 12
SWATCH = 8


@dataclass(frozen=True)
class Chart:
    """A chart: its drawing (for the PDF and the SVG), its title, and its values in words
    (the SVG's description, for those who do not see it)."""

    drawing: Drawing
    title: str
    summary: str


# The months -------------------------------------------------------------------------------


def _labels(trend: Sequence[TrendPoint], words: Words) -> list[str]:
    """`nov. 25`, `déc. 25` … (`Nov 25`): every one when they fit side by side, else one in
    two (or three…), the last month always named."""
    labels = [f"{month_abbreviation(p.month.month, words.locale)} {p.month:%y}" for p in trend]
    if not labels:
        return labels
    slot = PLOT_WIDTH / len(labels)
    widest = max(stringWidth(label, FONT, LABEL_SIZE) for label in labels)
    step = max(1, math.ceil((widest + 6) / slot))
    last = len(labels) - 1
    return [label if (last - i) % step == 0 else "" for i, label in enumerate(labels)]


def _month_axis(axis: Any, labels: list[str]) -> None:  # a ReportLab category axis
    axis.categoryNames = labels
    axis.labels.fontName = FONT
    axis.labels.fontSize = LABEL_SIZE
    axis.labels.boxAnchor = "n"
    axis.labels.dy = -2
    axis.strokeColor = MUTED


def _value_axis(axis: Any, top: float, step: float, label: Callable[[float], str]) -> None:
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top, step
    axis.labels.fontName = FONT
    axis.labels.fontSize = LABEL_SIZE
    axis.labelTextFormat = label
    axis.visibleGrid = 1
    axis.gridStrokeColor = GRID
    axis.gridStrokeWidth = 0.5
    axis.strokeColor = MUTED


# The frame, the legend, no data -----------------------------------------------------------


def _legend(items: Sequence[tuple[colors.Color, str]]) -> tuple[list[object], float]:
    """Swatches and whole labels in rows from the left, a row started when the next would not
    fit (a label wider than the drawing wraps onto lines of its own). Shapes from y = 0 up, and
    the height they take."""
    rows: list[list[tuple[colors.Color, list[str], float]]] = [[]]
    x = 0.0
    for colour, label in items:
        lines = simpleSplit(label, FONT, LEGEND_SIZE, WIDTH - SWATCH - 8)
        width = SWATCH + 4 + max(stringWidth(line, FONT, LEGEND_SIZE) for line in lines) + 14
        if rows[-1] and x + width > WIDTH:
            rows.append([])
            x = 0.0
        rows[-1].append((colour, lines, width))
        x += width
    heights = [LEGEND_ROW * max((len(lines) for _c, lines, _w in row), default=1) for row in rows]
    shapes: list[object] = []
    top = sum(heights)
    for row, height in zip(rows, heights, strict=True):
        x = 0.0
        for colour, lines, width in row:
            shapes.append(Rect(x, top - 9, SWATCH, SWATCH, fillColor=colour, strokeColor=None))
            for index, line in enumerate(lines):
                y = top - 8 - index * LEGEND_ROW
                shapes.append(String(x + SWATCH + 4, y, line, fontName=FONT, fontSize=LEGEND_SIZE))
            x += width
        top -= height
    return shapes, sum(heights) if items else 0.0


def _frame(title: str, legend_height: float = 0.0) -> Drawing:
    """A drawing with its title at the top, room for the plot, the months and a legend."""
    height = TITLE_HEIGHT + PLOT_HEIGHT + AXIS_HEIGHT + legend_height + (6 if legend_height else 0)
    drawing = Drawing(WIDTH, height, initialFontName=FONT)
    drawing.add(String(0, height - 12, title, fontName=BOLD, fontSize=10))
    return drawing


def _plot_y(legend_height: float) -> float:
    return legend_height + (6 if legend_height else 0) + AXIS_HEIGHT


def _no_data(title: str, words: Words) -> Chart:
    """The chart's title over a framed "No data"."""
    height = TITLE_HEIGHT + 44
    drawing = Drawing(WIDTH, height, initialFontName=FONT)
    drawing.add(String(0, height - 12, title, fontName=BOLD, fontSize=10))
    drawing.add(Rect(0, 2, WIDTH, 36, fillColor=None, strokeColor=GRID, strokeWidth=0.8))
    text = words.gettext("No data")
    drawing.add(
        String(WIDTH / 2, 16, text, fontName=FONT, fontSize=9, fillColor=MUTED, textAnchor="middle")
    )
    return Chart(drawing, title, text)


def _target_line(drawing: Drawing, target: float, plot_y: float, words: Words) -> None:
    """A dashed line across the plot at `target` % (0-100 scale), labelled at its right end:
    under the line near the top of the scale, over it lower down."""
    y = plot_y + PLOT_HEIGHT * max(0.0, min(100.0, target)) / 100
    drawing.add(
        Line(
            LEFT,
            y,
            LEFT + PLOT_WIDTH,
            y,
            strokeColor=TARGET,
            strokeWidth=1.2,
            strokeDashArray=[4, 3],
        )
    )
    label = words.gettext("Target %(percent)s", percent=words.percent(target))
    drawing.add(
        String(
            LEFT + PLOT_WIDTH - 2,
            y - 10 if target > 50 else y + 3,
            label,
            fontName=FONT,
            fontSize=LABEL_SIZE,
            fillColor=TARGET,
            textAnchor="end",
        )
    )


def _summary(trend: Sequence[TrendPoint], value: Callable[[TrendPoint], str], words: Words) -> str:
    """`octobre 2025 : 80 % ; novembre 2025 : —` …: the values month by month."""
    return "; ".join(f"{words.month_name(p.month)}: {value(p)}" for p in trend)


# The charts -------------------------------------------------------------------------------


def compliance_chart(
    trend: Sequence[TrendPoint], words: Words, target: float | None = None
) -> Chart:
    """Compliance rate per month (met / decided), 0-100 %, with `target` (a percentage) as a
    dashed line when there is one."""
    title = words.gettext("Target compliance (%)")
    values = [p.compliance for p in trend]
    if all(v is None for v in values):
        return _no_data(title, words)
    drawing = _frame(title)
    plot_y = _plot_y(0)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = LEFT, plot_y, PLOT_WIDTH, PLOT_HEIGHT
    # Series 0 draws the line where two months in a row have a rate (a lone month would be a
    # one-point line); series 1 marks every month with a rate.
    linked = [
        v
        if v is not None
        and (
            (i > 0 and values[i - 1] is not None)
            or (i + 1 < len(values) and values[i + 1] is not None)
        )
        else None
        for i, v in enumerate(values)
    ]
    # ReportLab cannot draw a series without any value: such a series is left out.
    series = [
        (data, line)
        for data, line in ((linked, True), (values, False))
        if any(v is not None for v in data)
    ]
    chart.data = [data for data, _line in series]
    chart.joinedLines = 1
    for index, (_data, line) in enumerate(series):
        chart.lines[index].strokeColor = LINE if line else None
        chart.lines[index].strokeWidth = 2
        chart.lines[index].symbol = (
            None if line else makeMarker("FilledCircle", size=4, fillColor=LINE)
        )
    _value_axis(chart.valueAxis, 100, 20, lambda v: words.percent(v))
    _month_axis(chart.categoryAxis, _labels(trend, words))
    drawing.add(chart)
    if target is not None:
        _target_line(drawing, target, plot_y, words)
    summary = _summary(trend, lambda p: words.percent(p.compliance), words)
    if target is not None:
        summary += ". " + words.gettext("Target %(percent)s", percent=words.percent(target))
    return Chart(drawing, title, summary)


def severity_chart(trend: Sequence[TrendPoint], words: Words) -> Chart:
    """Incidents reported per month, stacked by severity, the severities' whole labels in a
    legend below."""
    title = words.gettext("Incidents reported by severity")
    labels = [label for label, _count in trend[0].by_severity] if trend else []
    totals = [sum(c for _l, c in p.by_severity) for p in trend]
    if not labels or not any(totals):
        return _no_data(title, words)
    legend, legend_height = _legend(
        [(PALETTE[i % len(PALETTE)], label) for i, label in enumerate(labels)]
    )
    drawing = _frame(title, legend_height)
    chart = VerticalBarChart()
    chart.x, chart.y = LEFT, _plot_y(legend_height)
    chart.width, chart.height = PLOT_WIDTH, PLOT_HEIGHT
    chart.data = [[dict(p.by_severity).get(label, 0) for p in trend] for label in labels]
    chart.categoryAxis.style = "stacked"
    top = max(4, max(totals))
    step = max(1, math.ceil(top / 4))
    _value_axis(chart.valueAxis, step * math.ceil(top / step), step, lambda v: f"{v:.0f}")
    _month_axis(chart.categoryAxis, _labels(trend, words))
    chart.barWidth = 8
    for index in range(len(labels)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = colors.white
        chart.bars[index].strokeWidth = 0.5
    drawing.add(chart)
    for shape in legend:
        drawing.add(shape)
    summary = _summary(
        trend,
        lambda p: ", ".join(f"{label} {count}" for label, count in p.by_severity),
        words,
    )
    return Chart(drawing, title, summary)


def restoration_chart(trend: Sequence[TrendPoint], words: Words) -> Chart:
    """Median restoration time per month, in business hours."""
    title = words.gettext("Median time to restoration (business hours)")
    if all(p.median_restoration is None for p in trend):
        return _no_data(title, words)
    drawing = _frame(title)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = LEFT, _plot_y(0), PLOT_WIDTH, PLOT_HEIGHT
    hours = [round(p.median_restoration / 3600, 1) if p.median_restoration else 0 for p in trend]
    chart.data = [hours]
    top = max(4.0, max(hours) * 1.1)
    step = _nice_step(top / 4)
    _value_axis(chart.valueAxis, step * math.ceil(top / step), step, lambda v: f"{v:g}")
    _month_axis(chart.categoryAxis, _labels(trend, words))
    chart.bars[0].fillColor = BARS
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    summary = _summary(trend, lambda p: words.hours(p.median_restoration), words)
    return Chart(drawing, title, summary)


def _nice_step(raw: float) -> float:
    """1, 2, 5, 10, 20, 50 … : the round step at or above `raw`."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(float(m * power) for m in (1, 2, 5, 10) if m * power >= raw)


# SVG --------------------------------------------------------------------------------------

# How the PDF's fonts read in a browser: a family it knows and a weight.
_FONTS = {
    FONT: {"family": "Helvetica, Arial, sans-serif"},
    BOLD: {"family": "Helvetica, Arial, sans-serif", "weight": "bold"},
}
_STYLE = re.compile(r'style="([^"]*)"')
_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_TITLE_AND_DESC = re.compile(r"<title>.*?</title>\s*<desc>.*?</desc>", re.S)
_GROUP = re.compile(r' id="group"| clip="[^"]*"')


def _as_attributes(match: re.Match[str]) -> str:
    """`style="fill: #fff; stroke: none"` as SVG presentation attributes: the pages' CSP
    (`style-src 'self'`) blocks inline styles, and the browser would draw black shapes."""
    pairs = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            value = value.strip().replace('"', "'")
            pairs.append(f'{name.strip()}="{value}"')
    return " ".join(pairs)


def svg(chart: Chart, key: str) -> str:
    """The chart as an inline SVG element: no XML prologue; its viewBox lets CSS scale it;
    styles as attributes, which the CSP allows; named by its title and described by its values
    (`role="img"`); no id but its title's and description's, made unique in the page by
    `key`."""
    text = renderSVG.drawToString(chart.drawing, useClip=True, fontHacks=_FONTS)
    text = _PROLOGUE.sub("", text)
    text = _STYLE.sub(_as_attributes, text)
    text = _GROUP.sub("", text)
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    described = (
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart.summary)}</desc>'
    )
    # A function, not a template: the labels people typed may hold backslashes (`P1\d`).
    text = _TITLE_AND_DESC.sub(lambda _match: described, text, count=1)
    # Unfilled unless a shape says otherwise: ReportLab writes no fill for a stroked line,
    # which SVG would paint black (a line chart's polyline as a black area).
    opening = (
        f'<svg class="chart" role="img" aria-labelledby="{title_id}" '
        f'aria-describedby="{desc_id}" fill="none" '
    )
    return text.replace("<svg ", opening, 1)
