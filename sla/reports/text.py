"""French wording of the report's values, for the PDF, the CSV and the archive (pure).

The documents are for a French management meeting: they are written in French whatever the
reader's interface language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_percent

from sla import formats
from sla.reports.figures import ChangeFact, ContractFact

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


def plural(count: int, singular: str, plural_form: str) -> str:
    """`1 incident signalé`, `0 incident signalé`, `2 incidents signalés` (French: plural
    from 2)."""
    return f"{count} {singular if count < 2 else plural_form}"


def hours(seconds: float | None, business: bool = True) -> str:
    """`45 min ouvrées`, `1 h 30 ouvrée`, `896 h ouvrées` (the one rule: `sla.formats`)."""
    return formats.french_duration(seconds, business)


def percent(value: float | None) -> str:
    """`62,5 %`, `98 %` (one decimal at most)."""
    if value is None:
        return "—"
    share = Decimal(f"{value:.1f}") / 100
    return plain(format_percent(share, locale="fr", decimal_quantization=False))


def money(value: Decimal) -> str:
    """`1 600,00 € HT`."""
    return plain(f"{format_currency(value, 'EUR', locale='fr')} HT")


def change(contract: ContractFact, change: ChangeFact) -> str:
    """A requalification with the severities' labels (`Niveau 0 – Bloquant → Niveau 1 –
    Majeur`), or the exclusion clause invoked (its text) and the delay it applies to (its
    label)."""
    if change.kind == "requalified":
        labels = dict(contract.severities)
        before, after = change.before, change.after
        return f"{labels.get(before, before)} → {labels.get(after, after)}"
    clause = dict(contract.clause_texts).get(change.clause, change.clause)
    target = dict(contract.target_labels).get(change.target, change.target)
    applies = f"délai « {target} »" if change.target else "tous les délais"
    return f"exclusion « {clause} » ({applies})"
