"""The contract dates coming up after a period: notice deadlines, renewals and ends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sla.contracts.periods import add_months
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
        candidates = [("notice", dates.notice_deadline)]
        if dates.renews and dates.period_end is not None:
            candidates.append(("renewal", dates.period_end + timedelta(days=1)))
        candidates.append(("end", dates.final_end))
        for what, day in candidates:
            if day is not None and start <= day < horizon:
                lines.append(DateLine(contract.reference, contract.vendor, what, day))
    return tuple(sorted(lines, key=lambda line: line.day))
