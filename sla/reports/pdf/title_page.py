"""The PDF's first page: the organisation (its logo when it has one), period, scope,
production date, summary and the dates ahead."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import (
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from sla.printing.layout import (
    BODY,
    H2,
    H3,
    ORGANISATION,
    SMALL,
    TITLE,
    SectionHeading,
    grid_table,
    none_line,
    para,
    text_width,
)
from sla.printing.organisation import Organisation, logo_flowable
from sla.reports.figures import Report
from sla.reports.text import Words


def _summary(report: Report, w: Words) -> list[Flowable]:
    """One line per contract: incidents, targets met, breached and excluded, the rates."""
    rows = []
    for vendor in report.vendors:
        for contract in vendor.contracts:
            avail = contract.availability
            rows.append(
                [
                    vendor.vendor,
                    contract.contract.reference,
                    str(contract.reported),
                    str(contract.met),
                    str(contract.breached),
                    str(contract.excluded),
                    w.percent(contract.compliance),
                    w.percent(avail.measured_percent) if avail else "—",
                ]
            )
    header = [
        w.gettext("Vendor"),
        w.gettext("Contract"),
        w.gettext("Incidents"),
        w.gettext("Targets met"),
        w.gettext("Breaches"),
        w.gettext("Excluded"),
        w.gettext("Compliance"),
        w.gettext("Availability"),
    ]
    # The references whole on one line: their column as wide as the longest, the vendors'
    # narrower for it (their names wrap between words).
    reference = min(5.0, max(2.4, text_width([row[1] for row in rows])))
    names = max(2.2, 6.4 - reference)
    widths = [names, reference, 1.6, 1.7, 1.6, 1.5, 2.0, 2.0]
    return grid_table(header, rows, widths, whole=(1,))


def _dates_ahead(report: Report, w: Words) -> list[Flowable]:
    """Notice deadlines, renewals and ends in the three months after the period."""
    story: list[Flowable] = [
        Spacer(1, 0.6 * cm),
        para(w.gettext("Contract dates in the next three months"), H3),
    ]
    if not report.dates_ahead:
        return [*story, none_line(w.gettext("No contract date ahead."))]
    header = [w.gettext("Date"), w.gettext("Deadline"), w.gettext("Contract"), w.gettext("Vendor")]
    rows = [
        [w.day(line.day), w.date_label(line.what), line.contract, line.vendor]
        for line in report.dates_ahead
    ]
    reference = min(6.0, max(4.5, text_width([row[2] for row in rows])))
    return [*story, *grid_table(header, rows, [3.5, 4.5, reference, 8.8 - reference], (2,))]


def _organisation(organisation: Organisation) -> list[Flowable]:
    """The organisation's logo and name, above the title."""
    logo = logo_flowable(organisation)
    story: list[Flowable] = [Spacer(1, 2.5 * cm)]
    if logo is not None:
        story += [logo, Spacer(1, 0.4 * cm)]
    if organisation.name:
        story.append(para(organisation.name, ORGANISATION))
    return [*story, Spacer(1, 1.5 * cm)]


def title_page(report: Report, w: Words, organisation: Organisation) -> list[Flowable]:
    period = w.period_title(report.period.first, report.period.last)
    return [
        *_organisation(organisation),
        SectionHeading(w.gettext("SLA report"), TITLE, key="cover", level=0, section=False),
        para(w.gettext("Period: %(period)s", period=period), H2),
        para(w.gettext("Scope: %(scope)s", scope=w.scope(report.scope)), BODY),
        para(w.gettext("Made on %(when)s", when=w.when(report.as_of, report.period.zone)), BODY),
        Spacer(1, 1 * cm),
        SectionHeading(w.gettext("Summary"), H2, key="summary", level=1, section=False),
        *_summary(report, w),
        *_dates_ahead(report, w),
        para(
            w.gettext(
                "A target counts in the period its outcome was decided: met at its milestone, "
                "breached at its deadline, excluded when the clause was invoked. Compliance = "
                "met / (met + breached). Amounts are estimates."
            ),
            SMALL,
        ),
    ]
