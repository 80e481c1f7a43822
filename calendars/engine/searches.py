"""The business-time queries: deadlines, elapsed business time, opening and closing searches.

`deadline`, `deadline_business_days` and `business_seconds` are the hot paths of every SLA
figure: their arithmetic is inlined over the timeline's prebuilt arrays, on purpose.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from calendars.engine.clock import TIMEDELTA_OF_SECONDS, UNIX_ORDINAL, require_aware
from calendars.engine.coverage import MAX_YEAR, YearCoverage
from calendars.engine.timeline import Timeline
from calendars.spec import DAY_SECONDS, CalendarError

SEARCH_YEARS = 10  # how far next_opening / next_closing look ahead


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


class BusinessSearches(YearCoverage):
    """Deadlines and elapsed business time, and where the calendar next opens or closes."""

    def deadline(self, start: datetime, business_seconds: float) -> datetime:
        """The earliest instant at which `business_seconds` of business time has elapsed since
        `start`. A deadline that lands on a closing time is that closing time."""
        if business_seconds <= 0:
            if business_seconds < 0:
                raise CalendarError("calendar.negative_duration", key="duration")
            require_aware(start, "start")
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
                    (ordinal - UNIX_ORDINAL) * DAY_SECONDS
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
                        return closing - TIMEDELTA_OF_SECONDS[before_end] if before_end else closing
                    return datetime.fromtimestamp(ends[j] - before_end, zone)
        return self._deadline_slow(stamp, business_seconds)

    def _deadline_slow(self, stamp: float, business_seconds: float) -> datetime:
        """`deadline` when the timeline must first grow, or the start precedes every opening."""
        t: Timeline | None = self._covering(stamp)
        while t is not None:
            target = t.position(stamp) + business_seconds
            j = bisect_left(t.cum_end, target)
            if j < len(t.cum_end):
                return datetime.fromtimestamp(t.ends[j] - (t.cum_end[j] - target), self.zone)
            t = self._extended(t)
        raise CalendarError("calendar.deadline_too_late", key="duration", year=MAX_YEAR)

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
        t: Timeline | None = self._covering(stamp)
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
        t: Timeline | None = self._covering(stamp)
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
        """Deadline N business days after `start` (see the package's rules)."""
        if days < 0:
            raise CalendarError("calendar.negative_days", key="duration")
        first = self.open_at_or_after(start)
        if first is None:
            raise CalendarError("calendar.never_opens_again", key="start", year=MAX_YEAR)
        if days == 0 and not end_of_day:
            return first
        ordinal = first.date().toordinal()
        t: Timeline | None = self._covering(first.timestamp())
        while t is not None:
            k = bisect_left(t.bdays, ordinal) + days
            if k < len(t.bdays):
                break
            t = self._extended(t)
        if t is None:
            raise CalendarError("calendar.deadline_too_late", key="duration", year=MAX_YEAR)
        last_close = t.last_close[k]
        if end_of_day:
            return self._to_datetime(last_close)
        target_day = date.fromordinal(t.bdays[k])
        wall = first.time()
        seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
        candidate = self._wall_to_epoch(target_day, seconds) + wall.microsecond / 1e6
        return self._to_datetime(min(candidate, last_close))

    def civil_deadline(
        self, start: datetime, *, days: int = 0, months: int = 0, end_of_day: bool = False
    ) -> datetime:
        """Calendar days and months, opening hours ignored: the same local wall time `days`
        civil days and `months` calendar months after `start`, whatever DST does in between
        (a month from 31 January is the last day of February); or the end of that day
        (23:59:59.999999 local) on request. A wall time that does not exist is the transition."""
        require_aware(start, "start")
        if days < 0 or months < 0:
            raise CalendarError("calendar.negative_days", key="duration")
        local = start.astimezone(self.zone)
        day = add_months(local.date(), months) + timedelta(days=days)
        if end_of_day:  # the last instant of the day: 23:59:59.999999 local
            return self._to_datetime(self._wall_to_epoch(day, DAY_SECONDS - 1) + 0.999999)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return self._to_datetime(self._wall_to_epoch(day, seconds) + local.microsecond / 1e6)

    @staticmethod
    def calendar_deadline(
        start: datetime, duration: timedelta, zone: ZoneInfo | None = None
    ) -> datetime:
        """Real-time deadline (calendar hours or days): opening hours ignored, DST counted."""
        require_aware(start, "start")
        result = start.astimezone(UTC) + duration
        return result.astimezone(zone) if zone else result.astimezone(start.tzinfo)
