"""The report's charts as ReportLab drawings: drawn into the PDF as vectors, and rendered to
SVG for the web page — one definition for both, in the words of the document or page."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from sla.formats import month_abbreviation
from sla.reports.figures import TrendPoint
from sla.reports.text import Words

PALETTE = (
    colors.HexColor("#b3261e"),
    colors.HexColor("#e8710a"),
    colors.HexColor("#f2b705"),
    colors.HexColor("#1a73e8"),
    colors.HexColor("#5f6368"),
    colors.HexColor("#188038"),
)
WIDTH, HEIGHT = 480, 190


def _labels(trend: Sequence[TrendPoint], words: Words) -> list[str]:
    return [f"{month_abbreviation(p.month.month, words.locale)} {p.month:%y}" for p in trend]


def _frame(title: str) -> Drawing:
    drawing = Drawing(WIDTH, HEIGHT)
    drawing.add(String(0, HEIGHT - 12, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing


def compliance_chart(trend: Sequence[TrendPoint], words: Words) -> Drawing:
    """Compliance rate per month (met / decided), 0-100 %."""
    drawing = _frame(words.gettext("Target compliance (%)"))
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 35, WIDTH - 60, HEIGHT - 65
    values = [p.compliance for p in trend]
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
    series = [(linked, True), (values, False)]
    series = [(data, line) for data, line in series if any(v is not None for v in data)]
    chart.data = [data for data, _line in series] or [[0] * len(values)]
    chart.joinedLines = 1
    for index, (_data, line) in enumerate(series):
        chart.lines[index].strokeColor = PALETTE[3] if line else None
        chart.lines[index].strokeWidth = 2
        chart.lines[index].symbol = (
            None if line else makeMarker("FilledCircle", size=4, fillColor=PALETTE[3])
        )
    if not series:
        chart.lines[0].strokeColor = None
        chart.lines[0].symbol = None
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.categoryAxis.categoryNames = _labels(trend, words)
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontSize = 7
    drawing.add(chart)
    return drawing


def severity_chart(trend: Sequence[TrendPoint], words: Words) -> Drawing:
    """Incidents reported per month, stacked by severity."""
    drawing = _frame(words.gettext("Incidents reported by severity"))
    labels = [label for label, _count in trend[0].by_severity] if trend else []
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 35, WIDTH - 190, HEIGHT - 65
    chart.data = [[dict(p.by_severity).get(label, 0) for p in trend] for label in labels] or [[0]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = _labels(trend, words)
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.forceZero = 1
    top = max((sum(c for _l, c in p.by_severity) for p in trend), default=0)
    chart.valueAxis.valueMax = max(4, top)
    chart.valueAxis.valueStep = max(1, -(-max(4, top) // 4))
    chart.barWidth = 8
    for index in range(len(labels)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 140, HEIGHT - 30
    legend.fontSize = 7
    legend.dx = legend.dy = 7
    legend.deltay = 10
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [
        (PALETTE[i % len(PALETTE)], _short(label)) for i, label in enumerate(labels)
    ]
    drawing.add(legend)
    return drawing


def restoration_chart(trend: Sequence[TrendPoint], words: Words) -> Drawing:
    """Median restoration time per month, in business hours."""
    drawing = _frame(words.gettext("Median time to restoration (business hours)"))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 35, WIDTH - 60, HEIGHT - 65
    hours = [round(p.median_restoration / 3600, 1) if p.median_restoration else 0 for p in trend]
    chart.data = [hours]
    chart.categoryAxis.categoryNames = _labels(trend, words)
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(4.0, max(hours, default=0) * 1.1)
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = PALETTE[5]
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _short(label: str, size: int = 26) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


_STYLE = re.compile(r'style="([^"]*)"')
_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


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


def svg(drawing: Drawing) -> str:
    """The drawing as an inline SVG element (no XML prologue; its viewBox lets CSS scale it;
    styles as attributes, which the CSP allows)."""
    text = renderSVG.drawToString(drawing)
    text = _PROLOGUE.sub("", text)
    text = _STYLE.sub(_as_attributes, text)
    return text.replace("<svg ", '<svg class="chart" ', 1)
