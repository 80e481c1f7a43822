"""Estimates of what a contract costs for a period: the yearly amount pro rata temporis, and
its time-based unit prices applied to the incidents restored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from sla.contracts.document import UnitPrice
from sla.reports.figures.facts import ContractFact, IncidentFact, Period


@dataclass(frozen=True)
class MoneyLine:
    """An estimate, as data: the words that name it are the document's (`sla.reports.text`).

    `yearly`: the yearly amount pro rata of the period's `count` days; `floor` and `ceiling`:
    a unit price (its contract's `label` and `unit`) applied `count` times."""

    kind: str  # yearly, floor, ceiling
    amount_ht: Decimal
    count: int
    label: str = ""
    unit: str = ""
    yearly_amount_ht: Decimal | None = None


def _yearly_share(yearly_amount_ht: Decimal, period: Period) -> MoneyLine:
    """The yearly amount, pro rata of the period's days."""
    days = (period.last - period.first).days + 1
    share = (yearly_amount_ht * days / Decimal(365)).quantize(Decimal("0.01"))
    return MoneyLine("yearly", share, days, yearly_amount_ht=yearly_amount_ht)


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
        MoneyLine("floor", price.amount_ht * low, low, price.label, price.unit),
        MoneyLine("ceiling", price.amount_ht * high, high, price.label, price.unit),
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
