"""French wording of the report's values, for the PDF, the CSV and the archive (pure).

The documents are for a French management meeting: they are written in French whatever the
reader's interface language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from sla import formats

KIND_LABELS = {
    "take_charge": "Prise en charge",
    "intervention": "Intervention (GTI)",
    "restoration": "Rétablissement (GTR)",
    "resolution": "Résolution",
    "other": "Autre",
}
DATE_LABELS = {"notice": "Dernier jour de préavis", "renewal": "Reconduction", "end": "Fin"}


def plain(text: str) -> str:
    """Spaces the PDF's standard fonts can draw (no narrow no-break space)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def when(instant: datetime | None, zone: str) -> str:
    """`lun. 3 févr. 2025 14:30` (thousands of rows format fast)."""
    return formats.instant(instant, zone, "fr")


def day(value: date) -> str:
    return plain(format_date(value, "d MMMM y", locale="fr"))


def month_name(value: date) -> str:
    return plain(format_date(value, "MMMM y", locale="fr"))


def period_title(first: date, last: date) -> str:
    """ "octobre 2026" for a whole month, else "du 1 octobre 2026 au 15 octobre 2026"."""
    whole_month = first.day == 1 and (last + timedelta(days=1)).day == 1
    if whole_month and (first.year, first.month) == (last.year, last.month):
        return month_name(first)
    return f"du {day(first)} au {day(last)}"


def hours(seconds: float | None, business: bool = True) -> str:
    if seconds is None:
        return "—"
    total = round(abs(seconds) / 60)
    h, m = divmod(total, 60)
    text = f"{h} h {m:02d}" if h else f"{m} min"
    return f"{text} ouvrées" if business else text


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} %".replace(".", ",")


def money(value: Decimal) -> str:
    return plain(f"{format_decimal(value, format='#,##0.00', locale='fr')} € HT")
