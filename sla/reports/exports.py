"""The report's figures and breach list as CSV and XLSX (openpyxl), worded in a language (see
`sla.reports.text`). Numbers stay numbers in the workbook (rates in %, times in business hours,
amounts in € HT)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sla.printing.sheets import text_cell
from sla.reports.figures import Report
from sla.reports.text import DEFAULT_LOCALE, Words, words
from sla.web.downloads import csv_text

Table = tuple[tuple[str, ...], Iterator[list[Any]]]  # a header and its rows
Amount = Callable[[Decimal], Any]  # an amount as a file holds it


def _counts_header(w: Words) -> tuple[str, ...]:
    return (w.gettext("Met"), w.gettext("Breaches"), w.gettext("Excluded"))


def _figure_columns(w: Words) -> tuple[str, ...]:
    return (
        w.gettext("Vendor"),
        w.gettext("Contract"),
        w.gettext("Target"),
        *_counts_header(w),
        w.gettext("Compliance (%)"),
    )


def _summary_columns(w: Words) -> tuple[str, ...]:
    return (
        w.gettext("Vendor"),
        w.gettext("Contract"),
        w.gettext("Incidents reported"),
        *_counts_header(w),
        w.gettext("Compliance (%)"),
        w.gettext("Median take-charge (business h)"),
        w.gettext("Take-charge 90th percentile (business h)"),
        w.gettext("Median restoration (business h)"),
        w.gettext("Restoration 90th percentile (business h)"),
        w.gettext("Availability (%)"),
        w.gettext("Availability commitment (%)"),
        w.gettext("Unresolved at the end of the period"),
        w.gettext("Penalties (€ HT)"),
        w.gettext("Penalty statement"),
    )


def _breach_columns(w: Words) -> tuple[str, ...]:
    return (
        w.gettext("Vendor"),
        w.gettext("Contract"),
        w.gettext("Incident"),
        w.gettext("Title"),
        w.gettext("Severity"),
        w.gettext("Target"),
        w.gettext("Article"),
        w.gettext("Deadline (local time)"),
        w.gettext("Milestone at (local time)"),
        w.gettext("Late by (h)"),
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _csv_amount(value: Decimal) -> str:
    """`1234,50`: to the cent, with the decimal comma of the other numbers."""
    return f"{value:.2f}".replace(".", ",")


def _summary_rows(report: Report, w: Words, amount: Amount) -> Iterator[list[Any]]:
    """One row per contract: its figures for the period; its penalties (the amount as
    `amount` gives it, and where the statement stands) when it sets some."""
    for vendor in report.vendors:
        for c in vendor.contracts:
            a = c.availability
            p = c.penalties
            yield [
                vendor.vendor,
                c.contract.reference,
                c.reported,
                c.met,
                c.breached,
                c.excluded,
                _rate(c.compliance),
                _hours(c.take_charge.median),
                _hours(c.take_charge.p90),
                _hours(c.restoration.median),
                _hours(c.restoration.p90),
                _rate(a.measured_percent) if a else None,
                a.target_percent if a else None,
                len(c.open_at_end),
                None if p is None else amount(p.amount),
                None if p is None else w.penalty_status(p),
            ]


def _figure_rows(report: Report, w: Words) -> Iterator[list[Any]]:
    """One row per contract and target kind: met, breached, excluded, compliance."""
    for vendor in report.vendors:
        for c in vendor.contracts:
            for k in c.kinds:
                yield [
                    vendor.vendor,
                    c.contract.reference,
                    w.kind(k.kind),
                    k.met,
                    k.breached,
                    k.excluded,
                    _rate(k.compliance),
                ]


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Local wall time without offset: a spreadsheet's date cell."""
    return None if instant is None else instant.astimezone(zone).replace(tzinfo=None)


def _breach_rows(report: Report) -> Iterator[list[Any]]:
    """One row per breach of the period."""
    zone = ZoneInfo(report.period.zone)
    for vendor in report.vendors:
        for c in vendor.contracts:
            for b in c.breaches:
                yield [
                    vendor.vendor,
                    c.contract.reference,
                    b.incident_id,
                    b.title,
                    b.severity,
                    b.target,
                    b.article,
                    _local(b.deadline, zone),
                    _local(b.milestone_at, zone),
                    _hours(b.lateness_seconds),
                ]


def summary(report: Report, w: Words) -> Table:
    """One row per contract: its figures for the period (amounts as floats, for JSON)."""
    return _summary_columns(w), _summary_rows(report, w, float)


def breaches(report: Report, w: Words) -> Table:
    """One row per breach of the period."""
    return _breach_columns(w), _breach_rows(report)


def figures_csv(report: Report, locale: str) -> str:
    """The figures per contract as CSV (the one CSV writer: `sla.web.downloads.csv_text`)."""
    w = words(locale)
    return csv_text(_summary_columns(w), _summary_rows(report, w, _csv_amount))


def breaches_csv(report: Report, locale: str) -> str:
    """The breaches of the period as CSV."""
    return csv_text(*breaches(report, words(locale)))


def _cell(sheet: Any, value: Any) -> Any:
    """A cell: an amount (a Decimal) a number read to the cent, text kept as text."""
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return text_cell(sheet, value)


def _sheet(book: Workbook, title: str, table: Table) -> None:
    """A sheet: the header in bold, frozen above the rows."""
    header, rows = table
    sheet = book.create_sheet(title)
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name)))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])


def to_xlsx(report: Report, locale: str = DEFAULT_LOCALE) -> bytes:
    """A workbook streamed row by row (openpyxl's write-only mode), worded in `locale`."""
    w = words(locale)
    book = Workbook(write_only=True)
    _sheet(book, w.gettext("Summary"), (_summary_columns(w), _summary_rows(report, w, Decimal)))
    _sheet(book, w.gettext("Targets"), (_figure_columns(w), _figure_rows(report, w)))
    _sheet(book, w.gettext("Breached targets"), breaches(report, w))
    info = book.create_sheet(w.gettext("Period"))
    info.append([w.gettext("Period"), w.period_title(report.period.first, report.period.last)])
    info.append([w.gettext("Period start"), report.period.first])
    info.append([w.gettext("Period end"), report.period.last])
    info.append([w.gettext("Scope"), w.scope(report.scope)])
    info.append([w.gettext("Made on"), w.when(report.as_of, report.period.zone)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
