"""Which years a calendar covers: each year's intervals built once, flattened into a timeline
that grows lazily in both directions, under a lock.

Any date from 1990 to 2100 (and beyond) works without a horizon error: a query outside the
covered years extends the timeline first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from threading import RLock
from zoneinfo import ZoneInfo

from calendars.engine.clock import UNIX_ORDINAL, ZoneClock
from calendars.engine.closed_days import ClosedDayRules
from calendars.engine.timeline import Timeline
from calendars.spec import DAY_SECONDS, CalendarError, CalendarSpec

MIN_YEAR = 1900
MAX_YEAR = 2400  # searches for an opening or a closing stop here and answer None


class YearCoverage(ZoneClock):
    """A calendar's years built on demand and the current timeline over them (`_t`, `_hot`)."""

    def __init__(self, spec: CalendarSpec) -> None:
        super().__init__(ZoneInfo(spec.timezone))
        self.spec = spec
        self._lock = RLock()
        self._day_hours = spec.hours
        self._closed = ClosedDayRules(spec)
        # Per covered year: the raw intervals (epoch seconds) and its business days.
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._year_days: dict[int, list[tuple[int, int]]] = {}
        self._publish(self._timeline(2024, 2027))

    def _build_year(self, year: int) -> None:
        closed = {c.day for c in self._closed.closed_days(year)}
        intervals: list[tuple[int, int]] = []
        business_days: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        midnight = self._wall_to_epoch(day, 0)
        while day.year == year:
            # The day's UTC offset, for days without a DST change: lets `deadline` turn an
            # aware start into epoch seconds without asking the zone.
            next_midnight = self._wall_to_epoch(day + one, 0)
            wall_midnight = (day.toordinal() - UNIX_ORDINAL) * DAY_SECONDS
            if next_midnight - midnight == DAY_SECONDS:
                self._day_offsets[day.toordinal()] = wall_midnight - midnight
            midnight = next_midnight
            hours = self._day_hours[day.weekday()]
            if hours and day not in closed:
                first = len(intervals)
                for start, end in hours:
                    intervals.append(
                        (self._wall_to_epoch(day, start), self._wall_to_epoch(day, end))
                    )
                if intervals[-1][1] > intervals[first][0]:  # not swallowed by a DST gap
                    business_days.append((day.toordinal(), intervals[-1][1]))
            day += one
        self._years[year] = intervals
        self._year_days[year] = business_days

    def _timeline(self, lo: int, hi: int) -> Timeline:
        if lo < MIN_YEAR or hi > MAX_YEAR:
            raise CalendarError(
                "calendar.years_out_of_range", key="date", first=MIN_YEAR, last=MAX_YEAR
            )
        for year in range(lo, hi + 1):
            if year not in self._years:
                self._build_year(year)
        starts: list[int] = []
        ends: list[int] = []
        bdays: list[int] = []
        last_close: list[int] = []
        for year in range(lo, hi + 1):
            for start, end in self._years[year]:
                if end <= start:
                    continue  # an interval swallowed by a DST gap
                if ends and start <= ends[-1]:
                    ends[-1] = max(ends[-1], end)  # contiguous (24/7, midnight): one opening
                else:
                    starts.append(start)
                    ends.append(end)
            for ordinal, close in self._year_days[year]:
                bdays.append(ordinal)
                last_close.append(close)
        return Timeline(
            starts=starts,
            ends=ends,
            bdays=bdays,
            last_close=last_close,
            lo_year=lo,
            hi_year=hi,
            lo_ts=self._wall_to_epoch(date(lo, 1, 1), 0) + DAY_SECONDS,
            hi_ts=self._wall_to_epoch(date(hi + 1, 1, 1), 0) - DAY_SECONDS,
            zone=self.zone,
        )

    def _publish(self, timeline: Timeline) -> None:
        """Make `timeline` the current one; `_hot` is what `deadline` reads in one go."""
        self._t = timeline
        self._hot = (self.zone, self._day_offsets, *timeline.hot)

    def _cover_years(self, lo: int, hi: int) -> Timeline:
        """The timeline, extended if needed to cover years lo..hi."""
        with self._lock:
            current = self._t
            if lo >= current.lo_year and hi <= current.hi_year:
                return current
            self._publish(self._timeline(min(lo, current.lo_year), max(hi, current.hi_year)))
            return self._t

    def _covering(self, stamp: float) -> Timeline:
        t = self._t
        if t.lo_ts < stamp < t.hi_ts:
            return t
        year = datetime.fromtimestamp(stamp, self.zone).year
        return self._cover_years(year - 1, year + 1)

    def _extended(self, t: Timeline, limit_year: int = MAX_YEAR) -> Timeline | None:
        """A timeline reaching further into the future than `t`, or None past `limit_year`."""
        if t.hi_year >= min(limit_year, MAX_YEAR):
            return None
        grow = max(2, (t.hi_year - t.lo_year) // 2)
        return self._cover_years(t.lo_year, min(limit_year, MAX_YEAR, t.hi_year + grow))
