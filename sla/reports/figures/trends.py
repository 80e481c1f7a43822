"""The twelve-month trends: which months they cover, and per month the compliance, the
incidents per severity and the median restoration time of a set of contracts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sla.contracts.periods import add_months
from sla.reports.figures.facts import ContractFact, Period, TrendFacts


@dataclass(frozen=True)
class TrendPoint:
    month: date
    compliance: float | None
    by_severity: tuple[tuple[str, int], ...]
    median_restoration: float | None


def trend_months(last: Period) -> list[Period]:
    """The twelve months ending with the month of `last.first`."""
    first = add_months(last.first.replace(day=1), -11)
    return Period(first, last.first, last.zone).months()


def trend(contracts: Sequence[ContractFact], facts: TrendFacts) -> tuple[TrendPoint, ...]:
    """Twelve months of the contracts together: compliance, incidents per severity, median
    restoration time."""
    labels = {(c.id, key): label for c in contracts for key, label in c.severities}
    order = list(dict.fromkeys(label for c in contracts for _key, label in c.severities))
    ids = [c.id for c in contracts]
    points = []
    for index, month in enumerate(facts.months):
        met = decided = 0
        restore: list[float] = []
        for contract_id in ids:
            m, d = facts.outcomes.get((contract_id, index), (0, 0))
            met, decided = met + m, decided + d
            restore += facts.restorations.get((contract_id, index), [])
        reported: Counter[str] = Counter()
        for (contract_id, i, severity), count in facts.reported.items():
            if i == index and contract_id in ids:
                reported[labels.get((contract_id, severity), severity)] += count
        points.append(
            TrendPoint(
                month.first,
                100.0 * met / decided if decided else None,
                tuple((label, reported.get(label, 0)) for label in order),
                statistics.median(restore) if restore else None,
            )
        )
    return tuple(points)
