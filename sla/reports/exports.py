"""The report's figures and breach list as CSV and XLSX (openpyxl). Numbers stay numbers in
the workbook (rates in %, times in business hours, amounts in € HT)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sla.reports import text as t
from sla.reports.figures import Report
from sla.web.downloads import csv_text

FIGURE_COLUMNS = (
    "Prestataire",
    "Contrat",
    "Délai",
    "Respectés",
    "Dépassés",
    "Exclus",
    "Taux de respect (%)",
)
SUMMARY_COLUMNS = (
    "Prestataire",
    "Contrat",
    "Incidents signalés",
    "Respectés",
    "Dépassés",
    "Exclus",
    "Taux de respect (%)",
    "Prise en charge médiane (h ouvrées)",
    "Prise en charge 90e centile (h ouvrées)",
    "Rétablissement médian (h ouvrées)",
    "Rétablissement 90e centile (h ouvrées)",
    "Disponibilité (%)",
    "Engagement de disponibilité (%)",
    "Non résolus en fin de période",
)
BREACH_COLUMNS = (
    "Prestataire",
    "Contrat",
    "Incident",
    "Titre",
    "Gravité",
    "Délai",
    "Article",
    "Échéance (heure locale)",
    "Étape (heure locale)",
    "Retard (h)",
)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary_rows(report: Report) -> Iterator[list[Any]]:
    """One row per contract: its figures for the period."""
    for vendor in report.vendors:
        for c in vendor.contracts:
            a = c.availability
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
            ]


def figure_rows(report: Report) -> Iterator[list[Any]]:
    """One row per contract and target kind: met, breached, excluded, compliance."""
    for vendor in report.vendors:
        for c in vendor.contracts:
            for k in c.kinds:
                yield [
                    vendor.vendor,
                    c.contract.reference,
                    t.KIND_LABELS.get(k.kind, k.kind),
                    k.met,
                    k.breached,
                    k.excluded,
                    _rate(k.compliance),
                ]


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Local wall time without offset: a spreadsheet's date cell."""
    return None if instant is None else instant.astimezone(zone).replace(tzinfo=None)


def breach_rows(report: Report) -> Iterator[list[Any]]:
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


def to_csv(header: tuple[str, ...], rows: Iterator[list[Any]]) -> str:
    """A report table as CSV (the one CSV writer: `sla.web.downloads.csv_text`)."""
    return csv_text(header, rows)


def _text_cell(sheet: Any, value: Any) -> Any:
    """Text that looks like a formula (an incident title typed as "=...") stays text."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def to_xlsx(report: Report) -> bytes:
    """A workbook streamed row by row (openpyxl's write-only mode)."""
    book = Workbook(write_only=True)
    sheets = (
        ("Synthèse", SUMMARY_COLUMNS, summary_rows(report)),
        ("Délais", FIGURE_COLUMNS, figure_rows(report)),
        ("Dépassements", BREACH_COLUMNS, breach_rows(report)),
    )
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name)))
        sheet.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([_text_cell(sheet, v) for v in row])
    info = book.create_sheet("Période")
    info.append(["Période", t.period_title(report.period.first, report.period.last)])
    info.append(["Du", report.period.first])
    info.append(["Au", report.period.last])
    info.append(["Périmètre", report.scope])
    info.append(["Produit le", t.when(report.as_of, report.period.zone)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
