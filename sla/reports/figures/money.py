"""Estimates of what a contract costs for a period: the yearly amount pro rata temporis, and
its time-based unit prices applied to the incidents restored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from sla.contracts.document import UnitPrice
from sla.reports import text
from sla.reports.figures.facts import ContractFact, IncidentFact, Period


@dataclass(frozen=True)
class MoneyLine:
    label: str
    quantity: str
    amount_ht: Decimal
    basis: str  # how it was estimated


def _yearly_share(yearly_amount_ht: Decimal, period: Period) -> MoneyLine:
    """The yearly amount, pro rata of the period's days."""
    days = (period.last - period.first).days + 1
    share = (yearly_amount_ht * days / Decimal(365)).quantize(Decimal("0.01"))
    return MoneyLine(
        "Forfait annuel (prorata)",
        f"{days} j / 365",
        share,
        f"{text.money(yearly_amount_ht)} par an",
    )


def _unit_price_range(
    price: UnitPrice, unit_seconds: int, handled: Sequence[tuple[IncidentFact, float]]
) -> tuple[MoneyLine, MoneyLine]:
    """A time-based unit price (a unit is `unit_seconds` long) applied to the incidents of the
    levels it is billed on: the floor (one unit each) and the ceiling (their business time in
    whole units)."""
    billed = [
        seconds
        for incident, seconds in handled
        if not price.severities or incident.severity in price.severities
    ]
    low = len(billed)
    high = sum(
        max(1, int((Decimal(str(seconds)) / unit_seconds).to_integral_value(ROUND_CEILING)))
        for seconds in billed
    )
    return (
        MoneyLine(
            f"{price.label} — plancher",
            f"{low} × {price.unit}",
            price.amount_ht * low,
            "une unité par incident rétabli ou résolu dans la période",
        ),
        MoneyLine(
            f"{price.label} — plafond",
            f"{high} × {price.unit}",
            price.amount_ht * high,
            "durée ouvrée du début d'intervention au rétablissement, par unité entamée",
        ),
    )


def money(
    contract: ContractFact,
    period: Period,
    handled: Sequence[tuple[IncidentFact, float]],
) -> tuple[MoneyLine, ...]:
    """Estimates: the yearly amount pro rata temporis, and each time-based unit price applied
    to the incidents (of the levels it is billed on) restored in the period — at least one unit
    per incident (floor) and the business time from the start of work (GTI, else take-charge)
    to restoration in whole units (ceiling: the vendor does not work on it all that time)."""
    lines = []
    if contract.yearly_amount_ht is not None:
        lines.append(_yearly_share(contract.yearly_amount_ht, period))
    for price in contract.prices:
        if price.minutes:
            lines.extend(_unit_price_range(price, price.minutes * 60, handled))
    return tuple(lines)
