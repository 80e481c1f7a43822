"""The report as a PDF for a management meeting (ReportLab): a title page with the period and
a summary, one section per vendor with its tables and charts, page numbers; worded in the
language it is made in (`sla.reports.text`)."""

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


def render_pdf(report: Report, locale: str = t.DEFAULT_LOCALE) -> bytes:
    """The report as PDF bytes (A4, in `locale`, page N / total in the footer)."""
    w = t.words(locale)
    buffer = io.BytesIO()
    period = w.period_title(report.period.first, report.period.last)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=t.plain(w.gettext("Garantie — SLA report — %(period)s", period=period)),
        author="Garantie",
        lang=locale,
        invariant=1,
    )
    story = title_page(report, w)
    for vendor in report.vendors:
        story += vendor_section(report, vendor, w)
    footer = f"Garantie — {w.scope(report.scope)} — {period}"
    document.build(story, canvasmaker=_canvas(footer))
    return buffer.getvalue()


def _canvas(footer: str) -> type[NumberedCanvas]:
    class Footed(NumberedCanvas):
        _doctitle = t.plain(footer)

    return Footed
