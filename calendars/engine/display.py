"""What a calendar shows a person: its closed days, opening intervals and business days."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from calendars.engine.closed_days import ClosedDay
from calendars.engine.coverage import YearCoverage


@dataclass(frozen=True, slots=True)
class Opening:
    """One opening interval, aware datetimes in the calendar's zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of time a delay counts, in the calendar's zone."""

    start: datetime
    end: datetime
    seconds: float  # elapsed, not wall-clock
    running_total: float  # counted since the first stretch, this one included


def _less(
    low: datetime, high: datetime, pauses: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """[low, high) without the paused intervals."""
    pieces = [(low, high)]
    for pause_start, pause_end in pauses:
        kept: list[tuple[datetime, datetime]] = []
        for a, b in pieces:
            if pause_end <= a or pause_start >= b:
                kept.append((a, b))
                continue
            if pause_start > a:
                kept.append((a, pause_start))
            if pause_end < b:
                kept.append((pause_end, b))
        pieces = kept
    return [(a, b) for a, b in pieces if b > a]


class CalendarDisplay(YearCoverage):
    """Closed days, openings and business days over date ranges, for display."""

    def closed_days(self, year: int) -> list[ClosedDay]:
        """Holidays and closures of a year that close the calendar (worked holidays left out),
        with the holidays' French names."""
        return self._closed.closed_days(year)

    def openings(self, first_day: date, last_day: date) -> list[Opening]:
        """Opening intervals whose start falls on local dates first_day..last_day (for display)."""
        if last_day < first_day:
            return []
        t = self._cover_years(first_day.year - 1, last_day.year + 1)
        lo = self._wall_to_epoch(first_day, 0)
        hi = self._wall_to_epoch(last_day + timedelta(days=1), 0)
        result: list[Opening] = []
        i = bisect_left(t.starts, lo)
        # An interval merged across midnight (24/7) may have begun before `lo`.
        if i > 0 and t.ends[i - 1] > lo:
            i -= 1
        while i < len(t.starts) and t.starts[i] < hi:
            start, end = max(t.starts[i], lo), min(t.ends[i], hi)
            result.append(Opening(self._to_datetime(start), self._to_datetime(end)))
            i += 1
        return result

    def business_days(self, first_day: date, last_day: date) -> Iterator[date]:
        """The business days (days with an opening) between two dates, both included."""
        t = self._cover_years(first_day.year, last_day.year)
        lo = bisect_left(t.bdays, first_day.toordinal())
        hi = bisect_right(t.bdays, last_day.toordinal())
        return (date.fromordinal(o) for o in t.bdays[lo:hi])

    def stretches(
        self,
        start: datetime,
        end: datetime,
        *,
        business: bool,
        pauses: Sequence[tuple[datetime, datetime]] = (),
    ) -> list[Stretch]:
        """The time a delay counts between two instants, in the calendar's zone: its openings
        (business time) or the whole span (calendar time), less the `pauses`; each stretch
        with the elapsed seconds it adds (real time: a DST change counts as it happens) and
        the running total."""
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)
        if end <= start:
            return []
        if business:
            spans = [
                (max(opening.start, start), min(opening.end, end))
                for opening in self.openings(start.date(), end.date())
                if opening.end > start and opening.start < end
            ]
        else:
            spans = [(start, end)]
        stretches: list[Stretch] = []
        total = 0.0
        for low, high in spans:
            for piece_start, piece_end in _less(low, high, pauses):
                seconds = piece_end.timestamp() - piece_start.timestamp()
                total += seconds
                stretches.append(
                    Stretch(
                        piece_start.astimezone(self.zone),
                        piece_end.astimezone(self.zone),
                        seconds,
                        total,
                    )
                )
        return stretches

    def closed_days_between(self, start: datetime, end: datetime) -> list[ClosedDay]:
        """The holidays and closures from the local date of `start` to that of `end`."""
        first = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        return [
            day
            for year in range(first.year, last.year + 1)
            for day in self.closed_days(year)
            if first <= day.day <= last
        ]
