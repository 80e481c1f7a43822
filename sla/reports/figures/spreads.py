"""Spreads of times to a milestone: how many, the median and the nearest-rank 90th
percentile."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """Times in business seconds (or real seconds for calendar-time targets)."""

    count: int
    median: float | None
    p90: float | None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (90th: the smallest value at or above 90 % of them)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(0, None, None)
    return Spread(len(values), statistics.median(values), percentile(values, 0.9))
