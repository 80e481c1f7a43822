"""The report as a PDF for a management meeting (ReportLab): a title page with the period and
a summary, one section per vendor with its tables and charts, page numbers."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate

from sla.reports import text as t
from sla.reports.figures import Report
from sla.reports.pdf.layout import NumberedCanvas
from sla.reports.pdf.sections import vendor_section
from sla.reports.pdf.title_page import title_page

__all__ = ["render_pdf"]


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4, French, page N / total in the footer)."""
    buffer = io.BytesIO()
    period = t.period_title(report.period.first, report.period.last)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=f"Garantie — engagements de service — {period}",
        author="Garantie",
        invariant=1,
    )
    story = title_page(report)
    for vendor in report.vendors:
        story += vendor_section(report, vendor)
    document.build(story, canvasmaker=_canvas(f"Garantie — {report.scope} — {period}"))
    return buffer.getvalue()


def _canvas(footer: str) -> type[NumberedCanvas]:
    class Footed(NumberedCanvas):
        _doctitle = t.plain(footer)

    return Footed
