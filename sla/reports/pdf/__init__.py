"""The report as a PDF for a management meeting (ReportLab): a cover with the organisation, the
period and a summary, one section per vendor with its tables and charts; the vendor named at
the top of each of its pages, the organisation and page numbers at the bottom; worded in the
language it is made in (`sla.reports.text`).

For those who read it with assistive technology, as far as ReportLab goes (it writes no
tagged PDF: no structure tree): the document's language, its title shown by the reader in
place of the file name, an outline (bookmarks) per vendor and contract, text drawn in reading
order and extractable, properties (title, author = the organisation, subject, keywords, the
instant it was made)."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate

from sla.printing.layout import Running, report_canvas
from sla.printing.organisation import Organisation
from sla.reports import text as t
from sla.reports.figures import Report
from sla.reports.pdf.sections import vendor_section
from sla.reports.pdf.title_page import title_page
from sla.version import __version__

__all__ = ["Organisation", "render_pdf"]


def render_pdf(
    report: Report, locale: str = t.DEFAULT_LOCALE, organisation: Organisation | None = None
) -> bytes:
    """The report as PDF bytes (A4, in `locale`), from `organisation` (`[organisation]`)."""
    w = t.words(locale)
    organisation = organisation or Organisation()
    author = organisation.name or "Garantie"
    buffer = io.BytesIO()
    period = w.period_title(report.period.first, report.period.last)
    scope = w.scope(report.scope)
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=2 * cm,
        title=t.plain(w.gettext("SLA report — %(period)s — %(scope)s", period=period, scope=scope)),
        author=t.plain(author),
        subject=w.gettext(
            "How the vendors kept their service levels: targets met and breached, "
            "availability, amounts, twelve-month trends"
        ),
        creator=f"Garantie {__version__}",
        keywords=", ".join(t.plain(v.vendor) for v in report.vendors),
        lang=locale,
        # The same report as of the same instant makes the same bytes; the document's dates
        # are that instant (`Running.made_at`), not ReportLab's invariant 2000-01-01.
        invariant=1,
    )
    story = title_page(report, w, organisation)
    for vendor in report.vendors:
        story += vendor_section(report, vendor, w)
    running = Running(
        # Who made it with what, what it covers and when: `Ville de Miramas · Garantie — Tous
        # les prestataires — octobre 2026` (the header names the vendor of the page).
        footer=t.plain(
            " · ".join(filter(None, (organisation.name, "Garantie"))) + f" — {scope} — {period}"
        ),
        header=t.plain(f"{w.gettext('SLA report')} — {period}"),
        page=lambda number, total: f"Page {number} / {total}",
        made_at=report.as_of.astimezone(ZoneInfo(report.period.zone)),
    )
    document.build(story, canvasmaker=report_canvas(running))
    return buffer.getvalue()
