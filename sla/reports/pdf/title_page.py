"""The PDF's first page: period, scope, production date, summary and the dates ahead."""

from __future__ import annotations

from reportlab.lib.units import cm
from reportlab.platypus import (
    Spacer,
)
from reportlab.platypus.flowables import Flowable

from sla.reports.figures import Report
from sla.reports.pdf.layout import (
    BODY,
    H2,
    H3,
    SMALL,
    TITLE,
    grid_table,
    none_line,
    para,
)
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
    return grid_table(header, rows, [3.1, 3.3, 1.6, 1.7, 1.6, 1.5, 2, 2])


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
    return [*story, *grid_table(header, rows, [3.5, 4.5, 4.5, 4.3])]


def title_page(report: Report, w: Words) -> list[Flowable]:
    period = w.period_title(report.period.first, report.period.last)
    return [
        Spacer(1, 5 * cm),
        para(w.gettext("SLA report"), TITLE),
        para(w.gettext("Period: %(period)s", period=period), H2),
        para(w.gettext("Scope: %(scope)s", scope=w.scope(report.scope)), BODY),
        para(w.gettext("Made on %(when)s", when=w.when(report.as_of, report.period.zone)), BODY),
        Spacer(1, 1 * cm),
        para(w.gettext("Summary"), H2),
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
