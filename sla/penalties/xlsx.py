"""The statement as a workbook (openpyxl, streamed): a sheet with the statement (contract,
vendor, period, state, dates, totals) and a sheet with one row per line, worded in a language
(`sla.penalties.text`).

Numbers stay numbers: amounts in € HT with a currency format, units as integers, lateness in
hours, percentages as numbers, instants as dates in the calendar's local time (a spreadsheet
has no time zones). Text people typed (an incident title, a reason) that would read as a
formula stays text."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sla.penalties.statement import LineView, StatementView
from sla.penalties.text import TotalRow, Words, words
from sla.printing.sheets import text_cell

__all__ = ["statement_xlsx"]

MONEY = '#,##0.00 "€"'
HOURS = "0.00"
PERCENT = "0.0##"
INTEGER = "0"
# Dates as their readers write them (the cell holds a date: a French Excel shows its own way).
DATES = {"en": ("yyyy-mm-dd", "yyyy-mm-dd hh:mm")}
FRENCH_DATES = ("dd/mm/yyyy", "dd/mm/yyyy hh:mm")


class _Cells:
    """Cells of one write-only sheet: numbers and dates with their number format, text that
    could read as a formula kept as text, headers in bold."""

    def __init__(self, sheet: Any, locale: str) -> None:
        self.sheet = sheet
        self.day_format, self.instant_format = DATES.get(locale, FRENCH_DATES)
        self.bold = Font(bold=True)

    def text(self, value: str) -> Any:
        """Text that a spreadsheet would read as a formula stays text (`sla.printing.sheets`)."""
        return text_cell(self.sheet, value)

    def number(self, value: int | float | Decimal | None, number_format: str) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = number_format
        return cell

    def money(self, value: Decimal | None) -> Any:
        return self.number(value, MONEY)

    def day(self, value: date) -> Any:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = self.day_format
        return cell

    def instant(self, value: datetime | None, zone: str) -> Any:
        """Local wall time without offset: a spreadsheet's date cell."""
        if value is None:
            return None
        cell = WriteOnlyCell(
            self.sheet, value=value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        )
        cell.number_format = self.instant_format
        return cell

    def header(self, value: str) -> Any:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.font = self.bold
        return cell

    def row(self, values: Iterable[Any]) -> None:
        self.sheet.append([self.text(v) if isinstance(v, str) else v for v in values])


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _statement_sheet(book: Workbook, view: StatementView, w: Words) -> None:
    sheet = book.create_sheet(w.gettext("Statement"))
    cells = _Cells(sheet, w.locale)
    for letter, width in (("A", 44), ("B", 44), ("C", 40)):
        sheet.column_dimensions[letter].width = width
    zone = view.zone
    period = w.statement_period(view.period_kind, view.period_start, view.period_end)
    fields: list[tuple[str, Any]] = [
        (w.gettext("Statement"), cells.number(view.id, INTEGER)),
        (w.gettext("Revision"), cells.number(view.revision, INTEGER)),
        (w.gettext("State"), w.state(view.state)),
        (w.gettext("Contract"), view.contract_reference),
        (w.gettext("Contract title"), view.contract_title),
        (w.gettext("Vendor"), view.vendor_name),
        ("SIRET", view.vendor_siret),
        (w.gettext("Period"), period),
        (w.gettext("Period start"), cells.day(view.period_start)),
        (w.gettext("Period end"), cells.day(view.period_end)),
        (w.gettext("Time zone"), zone),
        (w.gettext("Computed on"), cells.instant(view.computed_at, zone)),
        (w.gettext("Notified on"), cells.instant(view.notified_at, zone)),
        (w.gettext("Notified to"), view.notified_to),
        (w.gettext("Answer due by"), cells.instant(view.answer_due_at, zone)),
        (w.gettext("Settled on"), cells.instant(view.finalised_at, zone)),
        (w.gettext("Contradictory procedure"), view.procedure_article),
    ]
    if view.supersedes_id is not None:
        fields.append((w.gettext("Replaces"), cells.number(view.supersedes_id, INTEGER)))
    for label, value in fields:
        cells.row([cells.header(label), value])
    blocks = [(w.gettext("As notified"), view.totals, False)]
    if view.decided is not None:
        blocks.append((w.gettext("As decided"), view.decided, True))
    for title, totals, decided in blocks:
        cells.row([])
        cells.row(
            [
                cells.header(f"{w.gettext('Totals')} — {title}"),
                cells.header(w.gettext("Amount (€ HT)")),
                cells.header(w.gettext("Article")),
            ]
        )
        rows: list[TotalRow] = w.totals_rows(
            totals,
            threshold_article=view.threshold_article,
            cap_article=view.cap_article,
            decided=decided,
        )
        for row in rows:
            label = cells.header(row.label) if row.total else row.label
            cells.row([label, cells.money(row.amount), row.article])
    cells.row([])
    cells.row([w.gettext("Amounts outside VAT: penalties are not subject to VAT.")])


def _line_columns(w: Words) -> tuple[str, ...]:
    return (
        w.gettext("No."),
        w.gettext("Kind"),
        w.gettext("Incident"),
        w.gettext("Title"),
        w.gettext("Severity"),
        w.gettext("Target"),
        w.gettext("Target article"),
        w.gettext("Deadline (local time)"),
        w.gettext("Milestone at (local time)"),
        w.gettext("Still open"),
        w.gettext("Late by (business h)"),
        w.gettext("Late by (real h)"),
        w.gettext("Clause"),
        w.gettext("Clause article"),
        w.gettext("Units"),
        w.gettext("Unit"),
        w.gettext("Basis"),
        w.gettext("Amount (€ HT)"),
        w.gettext("Stretch start (local time)"),
        w.gettext("Stretch end (local time)"),
        w.gettext("Target (%)"),
        w.gettext("Measured (%)"),
        w.gettext("Decision"),
        w.gettext("Amount decided (€ HT)"),
        w.gettext("Reason"),
        w.gettext("Decided on (local time)"),
        w.gettext("Decided by"),
    )


def _line_row(line: LineView, cells: _Cells, w: Words, zone: str) -> list[Any]:
    breach = line.kind == "breach"
    late = line.lateness
    decision = line.decision
    return [
        cells.number(line.position, INTEGER),
        w.gettext("Breach") if breach else w.gettext("Availability"),
        cells.number(line.incident_id, INTEGER),
        line.incident_title,
        line.severity,
        line.target_label or line.target_key,
        line.target_article,
        cells.instant(line.deadline, line.zone),
        cells.instant(line.milestone_at, line.zone),
        (w.gettext("yes") if line.milestone_at is None else w.gettext("no")) if breach else None,
        cells.number(_hours(late.business_seconds) if late else None, HOURS),
        cells.number(_hours(late.calendar_seconds) if late else None, HOURS),
        line.clause_label,
        line.clause_article,
        cells.number(line.units, INTEGER),
        w.unit_name(line.unit),
        w.basis(line),
        cells.money(line.amount),
        cells.instant(line.stretch_start, line.zone),
        cells.instant(line.stretch_end, line.zone),
        cells.number(line.target_percent, PERCENT),
        cells.number(line.measured_percent, PERCENT),
        w.decision(decision.decision) if decision else None,
        cells.money(decision.amount) if decision else None,
        decision.reason if decision else None,
        cells.instant(decision.decided_at, zone) if decision else None,
        decision.decided_by if decision else None,
    ]


def _lines_sheet(book: Workbook, view: StatementView, w: Words) -> None:
    sheet = book.create_sheet(w.gettext("Lines"))
    cells = _Cells(sheet, w.locale)
    header = _line_columns(w)
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 2))
    sheet.freeze_panes = "A2"
    cells.row([cells.header(name) for name in header])
    for line in view.lines:
        cells.row(_line_row(line, cells, w, view.zone))


def statement_xlsx(view: StatementView, locale: str) -> bytes:
    """The statement as XLSX bytes, worded in `locale`: the sheet of the statement, then the
    sheet of its lines."""
    w = words(locale)
    book = Workbook(write_only=True)
    _statement_sheet(book, view, w)
    _lines_sheet(book, view, w)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
