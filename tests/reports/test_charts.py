"""The charts' drawings and their SVG: Helvetica, whole legends in rows, months that never
overlap, a target line, "no data", and SVG the CSP lets through."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from itertools import pairwise

from reportlab.graphics.shapes import Drawing, Group, Line, String, UserNode
from reportlab.pdfbase.pdfmetrics import stringWidth

from sla.formats import month_abbreviation
from sla.reports.charts import (
    PLOT_WIDTH,
    WIDTH,
    compliance_chart,
    restoration_chart,
    severity_chart,
    svg,
)
from sla.reports.figures import TrendPoint
from sla.reports.text import words

FR, EN = words("fr"), words("en")
LEVELS = (
    "Niveau 0 – Bloquant",
    "Niveau 1 – Majeur",
    "Niveau 2 – Sérieux",
    "Niveau 3 – Mineur",
    "Indisponibilité du service hébergé (hébergement, plateforme et sauvegardes)",
    "Mission 1 – Collabora Online",
)


def _trend(months: int = 12, empty: bool = False) -> list[TrendPoint]:
    points = []
    for index in range(months):
        year, month = divmod(9 + index, 12)
        points.append(
            TrendPoint(
                date(2025 + year, month + 1, 1),
                None if empty or index == 3 else 50.0 + 4 * index,
                tuple((level, 0 if empty else (index + i) % 4) for i, level in enumerate(LEVELS)),
                None if empty else 3600.0 * (index + 1),
            )
        )
    return points


def _strings(drawing: Drawing) -> list[String]:
    """The drawing's texts, the charts' own included."""
    found: list[String] = []

    def walk(node: object) -> None:
        if isinstance(node, String):
            found.append(node)
        elif isinstance(node, UserNode):
            walk(node.provideNode())
        elif isinstance(node, Group):
            for child in node.contents:
                walk(child)

    walk(drawing)
    return found


def test_every_text_is_helvetica_and_the_legend_whole() -> None:
    for chart in (
        compliance_chart(_trend(), FR),
        severity_chart(_trend(), FR),
        restoration_chart(_trend(), FR),
    ):
        strings = _strings(chart.drawing)
        assert strings
        assert {s.fontName for s in strings} <= {"Helvetica", "Helvetica-Bold"}
        assert chart.drawing.initialFontName == "Helvetica"
    legend = " ".join(s.text for s in _strings(severity_chart(_trend(), FR).drawing))
    for level in LEVELS[:4] + LEVELS[5:]:
        assert level in legend  # whole: no "Mission 1 – Coll…"
    assert "…" not in legend
    # The long label wraps onto lines of its own, inside the drawing.
    assert "Indisponibilité du service hébergé" in legend and "sauvegardes)" in legend
    for string in _strings(severity_chart(_trend(), FR).drawing):
        assert string.getBounds()[2] <= WIDTH


def test_month_labels_thin_out_rather_than_overlap() -> None:
    twelve = [s.text for s in _strings(compliance_chart(_trend(), FR).drawing)]
    assert "oct. 25" in twelve and "sept. 26" in twelve  # all twelve fit side by side
    many = _trend(months=30)
    every = [f"{month_abbreviation(p.month.month, 'fr')} {p.month:%y}" for p in many]
    named = [s.text for s in _strings(restoration_chart(many, FR).drawing) if s.text in every]
    assert 0 < len(named) < 30
    assert named[-1] == "mars 28"  # the last month is always named
    positions = [every.index(text) for text in named]
    steps = {b - a for a, b in pairwise(positions)}
    assert len(steps) == 1  # evenly
    widest = max(stringWidth(text, "Helvetica", 8) for text in named)
    assert steps.pop() * PLOT_WIDTH / 30 >= widest + 4  # each one's room is wider than it


def test_a_target_is_a_dashed_line_named_in_words() -> None:
    chart = compliance_chart(_trend(), EN, target=95.0)
    lines = [n for n in chart.drawing.contents if isinstance(n, Line)]
    assert len(lines) == 1 and lines[0].strokeDashArray
    assert "Target 95%" in [s.text for s in _strings(chart.drawing)]
    assert chart.summary.endswith("Target 95%")
    assert not [n for n in compliance_chart(_trend(), EN).drawing.contents if isinstance(n, Line)]


def test_an_empty_chart_says_no_data() -> None:
    for make in (compliance_chart, severity_chart, restoration_chart):
        chart = make(_trend(empty=True), EN)
        assert [s.text for s in _strings(chart.drawing)] == [chart.title, "No data"]
        assert [s.text for s in _strings(make([], EN).drawing)][-1] == "No data"


def test_the_svg_has_no_inline_style_and_unique_ids() -> None:
    first = svg(severity_chart(_trend(), FR), "v1-1")
    second = svg(severity_chart(_trend(), FR), "v2-1")
    assert "style=" not in first
    assert 'font-family="Helvetica, Arial, sans-serif"' in first
    assert 'fill="none"' in first.split(">", 1)[0]  # stroked lines are not painted black
    ids = re.findall(r'\bid="([^"]+)"', first + second)
    assert len(ids) == len(set(ids)) == 4
    assert '<title id="chart-v1-1-title">Incidents signalés par gravité</title>' in first
    assert 'aria-describedby="chart-v1-1-desc"' in first and 'role="img"' in first
    assert "octobre 2025: Niveau 0 – Bloquant 0" in first  # the values in words
    escaped = svg(compliance_chart(_trend(), FR), "x")
    assert "<script" not in escaped and escaped.startswith('<svg class="chart"')


def test_typed_labels_are_escaped_and_backslashes_do_not_break_the_page() -> None:
    """Severity labels are typed by people: markup comes out as text, and a backslash (which
    a regular expression's replacement would read) is kept as it is."""
    labelled = [
        replace(
            point,
            by_severity=tuple(
                (rf"<script>&\"x \d \1 {i}", n) for i, (_, n) in enumerate(point.by_severity)
            ),
        )
        for point in _trend()
    ]
    drawn = svg(severity_chart(labelled, FR), "typed")
    assert "<script>" not in drawn
    assert "&lt;script&gt;&amp;" in drawn
    assert r"\d \1" in drawn
