"""Availability of a contract's services in a period, from the outages recorded: each outage's
counted duration, and the measured rate against the contract's target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sla.reports.figures.facts import ContractFact, OutageFact, Period


@dataclass(frozen=True)
class OutageLine:
    service: str
    started_at: datetime
    ended_at: datetime | None
    cause: str
    down_seconds: float  # in the availability calendar when there is one, else real time


@dataclass(frozen=True)
class Availability:
    target_percent: float
    measured_percent: float | None  # None when the calendar has no open time in the period
    open_seconds: float
    down_seconds: float
    article: str

    @property
    def met(self) -> bool | None:
        if self.measured_percent is None:
            return None
        return self.measured_percent >= self.target_percent


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    return merged


def availability(
    contract: ContractFact, outages: Sequence[OutageFact], period: Period, as_of: datetime
) -> tuple[Availability | None, tuple[OutageLine, ...]]:
    """Availability over the contract's calendar (the PSG) against its target. Overlapping
    outages count once; an outage still running counts until `as_of`."""
    start, end = period.start, min(period.end, max(as_of, period.start))
    calendar = contract.availability_calendar
    lines = []
    clipped = []
    for outage in sorted(outages, key=lambda o: o.started_at):
        a = max(outage.started_at, start)
        b = min(outage.ended_at or as_of, end)
        if b <= a:
            continue
        clipped.append((a, b))
        seconds = calendar.business_seconds(a, b) if calendar else (b - a).total_seconds()
        lines.append(
            OutageLine(outage.service, outage.started_at, outage.ended_at, outage.cause, seconds)
        )
    if contract.availability_target is None or calendar is None:
        return None, tuple(lines)
    open_seconds = calendar.business_seconds(period.start, period.end)
    down = sum(calendar.business_seconds(a, b) for a, b in _merged(clipped))
    measured = 100.0 * (open_seconds - down) / open_seconds if open_seconds else None
    return (
        Availability(
            contract.availability_target,
            measured,
            open_seconds,
            down,
            contract.availability_article,
        ),
        tuple(lines),
    )
