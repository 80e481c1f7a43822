"""Availability measured over a calendar (the PSG): the open time of a stretch, the time the
service was down within it (overlapping outages count once; one still running counts until
`as_of`), and the rate. Pure: the reports and the penalty statements both measure with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from calendars.engine import BusinessCalendar

Interval = tuple[datetime, datetime | None]  # an outage: its start, its end (None: running)


@dataclass(frozen=True, slots=True)
class Measured:
    open_seconds: float
    down_seconds: float

    @property
    def percent(self) -> float | None:
        """The share of open time the service was up; None when the stretch has none."""
        if not self.open_seconds:
            return None
        return 100.0 * (self.open_seconds - self.down_seconds) / self.open_seconds


def merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The intervals joined where they overlap or touch, in order."""
    joined: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        elif start < end:
            joined.append((start, end))
    return joined


def clipped(
    outages: Iterable[Interval], start: datetime, end: datetime, as_of: datetime
) -> list[tuple[datetime, datetime]]:
    """Each outage within [start, end), one still running until `as_of`; empty ones left out."""
    found = []
    for began, ended in outages:
        a, b = max(began, start), min(ended or as_of, end)
        if b > a:
            found.append((a, b))
    return found


def measured(
    calendar: BusinessCalendar,
    outages: Iterable[Interval],
    start: datetime,
    end: datetime,
    as_of: datetime,
) -> Measured:
    """The open time of [start, end) in `calendar`, and the open time the outages took, up to
    `as_of` (the stretch's open time counts whole: time to come counts as up)."""
    stop = min(end, max(as_of, start))
    down = sum(
        calendar.business_seconds(a, b) for a, b in merged(clipped(outages, start, stop, as_of))
    )
    return Measured(calendar.business_seconds(start, end), down)
