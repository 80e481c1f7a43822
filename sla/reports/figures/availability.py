"""Availability of a contract's services in a period, from the outages recorded: each outage's
counted duration, and the measured rate against the contract's target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sla.engine.availability import measured
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


def availability(
    contract: ContractFact, outages: Sequence[OutageFact], period: Period, as_of: datetime
) -> tuple[Availability | None, tuple[OutageLine, ...]]:
    """Availability over the contract's calendar (the PSG) against its target. Overlapping
    outages count once; an outage still running counts until `as_of`."""
    start, end = period.start, min(period.end, max(as_of, period.start))
    calendar = contract.availability_calendar
    lines = []
    for outage in sorted(outages, key=lambda o: o.started_at):
        a = max(outage.started_at, start)
        b = min(outage.ended_at or as_of, end)
        if b <= a:
            continue
        seconds = calendar.business_seconds(a, b) if calendar else (b - a).total_seconds()
        lines.append(
            OutageLine(outage.service, outage.started_at, outage.ended_at, outage.cause, seconds)
        )
    if contract.availability_target is None or calendar is None:
        return None, tuple(lines)
    rate = measured(
        calendar, ((o.started_at, o.ended_at) for o in outages), period.start, period.end, as_of
    )
    return (
        Availability(
            contract.availability_target,
            rate.percent,
            rate.open_seconds,
            rate.down_seconds,
            contract.availability_article,
        ),
        tuple(lines),
    )
