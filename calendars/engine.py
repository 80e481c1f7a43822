"""The business-time engine: deadlines and elapsed business time in a calendar.

Rules (shared/DOMAIN.md, "Rules we adopt"):

- Opening hours are local wall time in the calendar's zone; instants are compared in UTC.
  Business time is real elapsed time inside opening intervals, so a 24/7 calendar counts 23 h
  on the spring DST Sunday and 25 h on the autumn one.
- ``deadline(start, N)`` is the earliest instant at which N of business time has elapsed since
  `start`; a start outside opening hours begins at the next opening. So with 9-12/14-18,
  09:00 + 3 h is 12:00 (not 14:00) and 12:00 + 1 h is 15:00.
- ``deadline_business_days(start, N)``: the clock starts at the first open instant at or after
  `start`; the deadline is the same local time on the N-th following business day, or that
  day's last closing if the time is later (or that day's last closing, on request).
- Calendar-time deadlines ignore opening hours and count real time, DST included.
- A wall time that does not exist (inside the spring DST gap) is taken as the transition
  instant; an ambiguous one (autumn) as its first occurrence.

How it is fast: per calendar, the opening intervals of each covered year are turned once into
sorted UTC epoch seconds with the cumulative business seconds before each; a query is then one
or two binary searches (`bisect`, in C). Years are added lazily in both directions, so any date
from 1990 to 2100 (and beyond) works without a horizon error.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from threading import RLock
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from calendars.spec import (
    DAY_SECONDS,
    CalendarError,
    CalendarSpec,
    NaiveDatetimeError,
    split_holiday_code,
)

_UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _timedeltas_of_a_day() -> list[timedelta]:
    """timedelta(seconds=n) for n in 0..86400, built by addition (about 10 ms, 4 MB): creating
    a timedelta costs more than all the rest of a deadline computation."""
    one = timedelta(seconds=1)
    table = [timedelta(0)]
    for _ in range(DAY_SECONDS):
        table.append(table[-1] + one)
    return table


_DAY_OF_SECONDS = _timedeltas_of_a_day()
SEARCH_YEARS = 10  # how far next_opening / next_closing look ahead
MIN_YEAR = 1900
MAX_YEAR = 2400  # searches for an opening or a closing stop here and answer None


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """A day the calendar is closed although its weekday has hours: a holiday or a closure."""

    day: date
    reason: str  # "holiday" or "closure"
    name: str


@dataclass(frozen=True, slots=True)
class Opening:
    """One opening interval, aware datetimes in the calendar's zone."""

    start: datetime
    end: datetime


_Hot = tuple[list[int], list[int], list[int], list[int], list["datetime | None"], int, int]


class _Timeline:
    """The covered years flattened: sorted opening intervals (epoch seconds), cumulative
    business seconds, business days. Never mutated: an extension builds a new one, so a query
    that reads `calendar._t` once sees consistent arrays even while another thread extends."""

    __slots__ = (
        "bdays",
        "cum",
        "cum_end",
        "end_dt",
        "ends",
        "hi_ts",
        "hi_year",
        "hot",
        "last_close",
        "lo_ts",
        "lo_year",
        "starts",
    )

    def __init__(
        self,
        *,
        starts: list[int],
        ends: list[int],
        bdays: list[int],
        last_close: list[int],
        lo_year: int,
        hi_year: int,
        lo_ts: int,
        hi_ts: int,
        zone: ZoneInfo,
    ) -> None:
        self.starts = starts
        self.ends = ends
        # Each interval's end as an aware datetime, when the interval keeps one UTC offset and
        # no ambiguous wall time: then `end_dt[j] - timedelta(...)` is the exact local time,
        # which is much cheaper than `datetime.fromtimestamp`. None: use fromtimestamp.
        self.end_dt: list[datetime | None] = []
        for start, end in zip(starts, ends, strict=True):
            first, last = datetime.fromtimestamp(start, zone), datetime.fromtimestamp(end, zone)
            steady = (
                end - start <= DAY_SECONDS
                and first.utcoffset() == last.utcoffset()
                and first.fold == 0
                and last.fold == 0
                and (last.replace(tzinfo=None) - first.replace(tzinfo=None)).total_seconds()
                == end - start
            )
            self.end_dt.append(last if steady else None)
        self.cum: list[int] = []  # business seconds before each interval
        self.cum_end: list[int] = []  # business seconds at each interval's end
        total = 0
        for start, end in zip(starts, ends, strict=True):
            self.cum.append(total)
            total += end - start
            self.cum_end.append(total)
        # What `deadline` reads, in one tuple (unpacking beats attribute lookups there);
        # base[i] + min(stamp, ends[i]) is the business position of a stamp in interval i.
        base = [c - start for c, start in zip(self.cum, starts, strict=True)]
        self.hot: _Hot = (starts, ends, base, self.cum_end, self.end_dt, lo_ts, hi_ts)
        self.bdays = bdays  # business dates (ordinals)
        self.last_close = last_close  # last closing of each business day
        self.lo_year, self.hi_year = lo_year, hi_year
        # Instants safely inside the covered range (a day of margin for zone offsets).
        self.lo_ts, self.hi_ts = lo_ts, hi_ts

    def position(self, stamp: float) -> float:
        """Business seconds from the covered origin up to `stamp`."""
        i = bisect_right(self.starts, stamp) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum[i] + ((stamp if stamp < end else end) - self.starts[i])


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"naive datetime refused: give an offset or a zone ({value.isoformat()})", key=what
        )


class BusinessCalendar:
    """A compiled calendar answering business-time queries. Thread-safe; build once, reuse.

    Every public method takes aware datetimes and returns aware datetimes in the calendar's
    zone. Durations are business seconds (floats: instants keep their microseconds).
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self._lock = RLock()
        self._day_hours = spec.hours
        code = spec.holidays
        self._holiday_country, self._holiday_subdivision = (
            split_holiday_code(code) if code else ("", None)
        )
        self._holiday_names: dict[date, str] = {}
        self._holiday_years: set[int] = set()
        # Per covered year: the raw intervals (epoch seconds) and its business days.
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._day_offsets: dict[int, int] = {}  # local date ordinal → UTC offset (seconds)
        self._year_days: dict[int, list[tuple[int, int]]] = {}
        self._publish(self._timeline(2024, 2027))

    # -- building -------------------------------------------------------------------------

    def _holidays_of(self, year: int) -> dict[date, str]:
        if not self._holiday_country:
            return {}
        if year not in self._holiday_years:
            found = holidays_lib.country_holidays(
                self._holiday_country, subdiv=self._holiday_subdivision, years=year, language="fr"
            )
            self._holiday_names.update(found.items())
            self._holiday_years.add(year)
        return {d: n for d, n in self._holiday_names.items() if d.year == year}

    def closed_days(self, year: int) -> list[ClosedDay]:
        """Holidays and closures of a year that close the calendar (worked holidays left out),
        with the holidays' French names."""
        days: dict[date, ClosedDay] = {}
        for day, name in self._holidays_of(year).items():
            if day not in self.spec.worked_holidays:
                days[day] = ClosedDay(day, "holiday", name)
        for day in self.spec.closed_dates:
            if day.year == year and day not in days:
                days[day] = ClosedDay(day, "closure", "fermeture")
        return [days[d] for d in sorted(days)]

    def _wall_to_epoch(self, day: date, seconds: int) -> int:
        """Local wall time → epoch seconds (gap: the transition; ambiguous: first occurrence)."""
        if seconds >= DAY_SECONDS:
            day, seconds = day + timedelta(days=1), seconds - DAY_SECONDS
        ordinal = day.toordinal()
        offset = self._day_offsets.get(ordinal)
        if offset is not None:  # a day without DST change, already built: plain arithmetic
            return (ordinal - _UNIX_ORDINAL) * DAY_SECONDS + seconds - offset
        wall = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
        aware = wall.replace(tzinfo=self.zone)
        stamp = int(aware.timestamp())
        if datetime.fromtimestamp(stamp, self.zone).replace(tzinfo=None) == wall:
            return stamp
        # Nonexistent wall time: find the transition between the two readings by bisection.
        low = int(wall.replace(tzinfo=self.zone, fold=1).timestamp())
        high = stamp
        if low > high:
            low, high = high, low
        offset_high = datetime.fromtimestamp(high, self.zone).utcoffset()
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, self.zone).utcoffset() == offset_high:
                high = middle
            else:
                low = middle
        return high

    def _build_year(self, year: int) -> None:
        closed = {c.day for c in self.closed_days(year)}
        intervals: list[tuple[int, int]] = []
        business_days: list[tuple[int, int]] = []
        day = date(year, 1, 1)
        one = timedelta(days=1)
        midnight = self._wall_to_epoch(day, 0)
        while day.year == year:
            # The day's UTC offset, for days without a DST change: lets `deadline` turn an
            # aware start into epoch seconds without asking the zone.
            next_midnight = self._wall_to_epoch(day + one, 0)
            wall_midnight = (day.toordinal() - _UNIX_ORDINAL) * DAY_SECONDS
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

    def _timeline(self, lo: int, hi: int) -> _Timeline:
        if lo < MIN_YEAR or hi > MAX_YEAR:
            raise CalendarError(f"dates must fall between {MIN_YEAR} and {MAX_YEAR}", key="date")
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
        return _Timeline(
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

    def _publish(self, timeline: _Timeline) -> None:
        """Make `timeline` the current one; `_hot` is what `deadline` reads in one go."""
        self._t = timeline
        self._hot = (self.zone, self._day_offsets, *timeline.hot)

    def _cover_years(self, lo: int, hi: int) -> _Timeline:
        """The timeline, extended if needed to cover years lo..hi."""
        with self._lock:
            current = self._t
            if lo >= current.lo_year and hi <= current.hi_year:
                return current
            self._publish(self._timeline(min(lo, current.lo_year), max(hi, current.hi_year)))
            return self._t

    def _covering(self, stamp: float) -> _Timeline:
        t = self._t
        if t.lo_ts < stamp < t.hi_ts:
            return t
        year = datetime.fromtimestamp(stamp, self.zone).year
        return self._cover_years(year - 1, year + 1)

    def _extended(self, t: _Timeline, limit_year: int = MAX_YEAR) -> _Timeline | None:
        """A timeline reaching further into the future than `t`, or None past `limit_year`."""
        if t.hi_year >= min(limit_year, MAX_YEAR):
            return None
        grow = max(2, (t.hi_year - t.lo_year) // 2)
        return self._cover_years(t.lo_year, min(limit_year, MAX_YEAR, t.hi_year + grow))

    # -- positions on the business-time axis ------------------------------------------------

    def _epoch(self, value: datetime, what: str = "start") -> float:
        """Epoch seconds of an aware datetime (naive refused), fast for the calendar's zone."""
        zone = value.tzinfo
        if zone is self.zone:
            ordinal = value.toordinal()
            offset = self._day_offsets.get(ordinal)
            if offset is not None:
                stamp = (
                    (ordinal - _UNIX_ORDINAL) * DAY_SECONDS
                    + value.hour * 3600
                    + value.minute * 60
                    + value.second
                    - offset
                )
                microsecond = value.microsecond
                return stamp + microsecond / 1e6 if microsecond else stamp
        elif zone is UTC:  # instants read back from the database
            stamp = (
                (value.toordinal() - _UNIX_ORDINAL) * DAY_SECONDS
                + value.hour * 3600
                + value.minute * 60
                + value.second
            )
            microsecond = value.microsecond
            return stamp + microsecond / 1e6 if microsecond else stamp
        elif zone is None or value.utcoffset() is None:
            _require_aware(value, what)
        return value.timestamp()

    def _stamp(self, value: datetime, what: str) -> float:
        return self._epoch(value, what)

    def _to_datetime(self, stamp: float) -> datetime:
        return datetime.fromtimestamp(stamp, self.zone)

    # -- queries ----------------------------------------------------------------------------

    def deadline(self, start: datetime, business_seconds: float) -> datetime:
        """The earliest instant at which `business_seconds` of business time has elapsed since
        `start`. A deadline that lands on a closing time is that closing time."""
        if business_seconds <= 0:
            if business_seconds < 0:
                raise CalendarError("a duration cannot be negative", key="duration")
            _require_aware(start, "start")
            return start.astimezone(self.zone)
        if business_seconds.__class__ is not int and float(business_seconds).is_integer():
            business_seconds = int(business_seconds)
        # The start in epoch seconds; an int when whole, so that the arithmetic stays exact.
        # (Inlined `_epoch`: this is the hot path of every SLA figure.)
        stamp: float
        zone, offsets, starts, ends, base, cum_end, end_dt, lo_ts, hi_ts = self._hot
        if start.tzinfo is zone:
            ordinal = start.toordinal()
            try:
                offset = offsets[ordinal]
            except KeyError:  # a DST day, or a day not built yet
                stamp = self._epoch(start)
            else:
                stamp = (
                    (ordinal - _UNIX_ORDINAL) * DAY_SECONDS
                    + start.hour * 3600
                    + start.minute * 60
                    + start.second
                    - offset
                )
                if start.microsecond:
                    stamp += start.microsecond / 1e6
        else:
            stamp = self._epoch(start)
        if lo_ts < stamp < hi_ts:
            # Two binary searches over the precomputed arrays.
            i = bisect_right(starts, stamp) - 1
            if i >= 0:
                end = ends[i]
                target = base[i] + (stamp if stamp < end else end) + business_seconds
                j = bisect_left(cum_end, target)
                if j < len(cum_end):
                    before_end = cum_end[j] - target
                    closing = end_dt[j]
                    if closing is not None and before_end.__class__ is int:
                        # Wall-time arithmetic is exact inside a steady interval (one offset).
                        return closing - _DAY_OF_SECONDS[before_end] if before_end else closing
                    return datetime.fromtimestamp(ends[j] - before_end, zone)
        return self._deadline_slow(stamp, business_seconds)

    def _deadline_slow(self, stamp: float, business_seconds: float) -> datetime:
        """`deadline` when the timeline must first grow, or the start precedes every opening."""
        t: _Timeline | None = self._covering(stamp)
        while t is not None:
            target = t.position(stamp) + business_seconds
            j = bisect_left(t.cum_end, target)
            if j < len(t.cum_end):
                return datetime.fromtimestamp(t.ends[j] - (t.cum_end[j] - target), self.zone)
            t = self._extended(t)
        raise CalendarError(f"the deadline falls after {MAX_YEAR}", key="duration")

    def deadline_after(self, start: datetime, duration: timedelta) -> datetime:
        """`deadline` with a timedelta of business time."""
        return self.deadline(start, duration.total_seconds())

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Business seconds between two instants (negative when `end` is before `start`)."""
        a = self._stamp(start, "start")
        b = self._stamp(end, "end")
        self._covering(a)
        t = self._covering(b)  # covers both: extensions only ever widen the range
        return t.position(b) - t.position(a)

    def positions(self, instants: list[datetime]) -> list[float]:
        """Business positions of several instants on one common axis: the business time
        between any two of them is the difference of their positions."""
        epoch = self._epoch
        stamps = [epoch(value, "instant") for value in instants]
        t = self._t
        low, high = min(stamps), max(stamps)
        if not (t.lo_ts < low and high < t.hi_ts):
            self._covering(low)
            t = self._covering(high)  # covers both ends: extensions only widen the range
        position = t.position
        return [position(stamp) for stamp in stamps]

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants, as a timedelta."""
        return timedelta(seconds=self.business_seconds(start, end))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` falls inside an opening interval (start included, end excluded)."""
        stamp = self._stamp(at, "at")
        t = self._covering(stamp)
        i = bisect_right(t.starts, stamp) - 1
        return i >= 0 and stamp < t.ends[i]

    def open_at_or_after(self, at: datetime) -> datetime | None:
        """`at` itself when open, else the next opening (None if none before MAX_YEAR)."""
        return at.astimezone(self.zone) if self.is_open(at) else self.next_opening(at)

    def next_opening(self, after: datetime) -> datetime | None:
        """Start of the first opening interval that begins strictly after `after` (None if
        none within SEARCH_YEARS: a 24/7 calendar never opens again)."""
        stamp = self._stamp(after, "after")
        t: _Timeline | None = self._covering(stamp)
        limit = after.year + SEARCH_YEARS
        while t is not None:
            i = bisect_right(t.starts, stamp)
            if i < len(t.starts):
                return self._to_datetime(t.starts[i])
            t = self._extended(t, limit)
        return None

    def next_closing(self, after: datetime) -> datetime | None:
        """End of the interval open at `after`, or else of the next one (None for a calendar
        that does not close within SEARCH_YEARS, such as 24/7)."""
        stamp = self._stamp(after, "after")
        t: _Timeline | None = self._covering(stamp)
        limit = after.year + SEARCH_YEARS
        while t is not None:
            i = bisect_right(t.starts, stamp) - 1
            if i < 0 or stamp >= t.ends[i]:
                i += 1
            # An interval reaching the end of the covered years may go on beyond them.
            if i < len(t.ends) and t.ends[i] < t.hi_ts:
                return self._to_datetime(t.ends[i])
            t = self._extended(t, limit)
        return None

    def deadline_business_days(
        self, start: datetime, days: int, *, end_of_day: bool = False
    ) -> datetime:
        """Deadline N business days after `start` (see the module's rules)."""
        if days < 0:
            raise CalendarError("a number of days cannot be negative", key="duration")
        first = self.open_at_or_after(start)
        if first is None:
            raise CalendarError(f"the calendar never opens again before {MAX_YEAR}", key="start")
        if days == 0 and not end_of_day:
            return first
        ordinal = first.date().toordinal()
        t: _Timeline | None = self._covering(first.timestamp())
        while t is not None:
            k = bisect_left(t.bdays, ordinal) + days
            if k < len(t.bdays):
                break
            t = self._extended(t)
        if t is None:
            raise CalendarError(f"the deadline falls after {MAX_YEAR}", key="duration")
        last_close = t.last_close[k]
        if end_of_day:
            return self._to_datetime(last_close)
        target_day = date.fromordinal(t.bdays[k])
        wall = first.time()
        seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
        candidate = self._wall_to_epoch(target_day, seconds) + wall.microsecond / 1e6
        return self._to_datetime(min(candidate, last_close))

    @staticmethod
    def calendar_deadline(
        start: datetime, duration: timedelta, zone: ZoneInfo | None = None
    ) -> datetime:
        """Real-time deadline (calendar hours or days): opening hours ignored, DST counted."""
        _require_aware(start, "start")
        result = start.astimezone(UTC) + duration
        return result.astimezone(zone) if zone else result.astimezone(start.tzinfo)

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


@lru_cache(maxsize=512)
def compiled(spec: CalendarSpec) -> BusinessCalendar:
    """The shared compiled engine for a calendar definition (building one takes ~50 ms)."""
    return BusinessCalendar(spec)
