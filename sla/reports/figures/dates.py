"""The contract dates coming up after a period: notice deadlines, renewals and ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sla.contracts.periods import add_months, dates_of
from sla.reports.figures.facts import ContractFact, Period


@dataclass(frozen=True)
class DateLine:
    contract: str
    vendor: str
    what: str  # notice, renewal, end
    day: date


def dates_ahead(contracts: Sequence[ContractFact], period: Period) -> tuple[DateLine, ...]:
    """Notice deadlines, renewals and ends in the three months after the period."""
    start = period.last + timedelta(days=1)
    horizon = add_months(start, 3)
    lines = []
    for contract in contracts:
        dates = contract.periods
        if dates is None:
            continue
        for item in dates_of(dates):
            if start <= item.day < horizon:
                lines.append(DateLine(contract.reference, contract.vendor, item.what, item.day))
    return tuple(sorted(lines, key=lambda line: line.day))
