"""Wall time and instants in the calendar's zone: local wall time ↔ epoch seconds, fast.

The day offsets (local date ordinal → UTC offset) are filled while the years are built; on a
day without DST change they turn a conversion into plain arithmetic, without asking the zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars.spec import DAY_SECONDS, NaiveDatetimeError

UNIX_ORDINAL = date(1970, 1, 1).toordinal()


def _timedeltas_of_a_day() -> list[timedelta]:
    """timedelta(seconds=n) for n in 0..86400, built by addition (about 10 ms, 4 MB): creating
    a timedelta costs more than all the rest of a deadline computation."""
    one = timedelta(seconds=1)
    table = [timedelta(0)]
    for _ in range(DAY_SECONDS):
        table.append(table[-1] + one)
    return table


TIMEDELTA_OF_SECONDS = _timedeltas_of_a_day()


def require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError("calendar.naive_datetime", key=what, value=value.isoformat())


class ZoneClock:
    """Conversions between the calendar's local wall time, aware datetimes and epoch seconds."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._day_offsets: dict[int, int] = {}  # local date ordinal → UTC offset (seconds)

    def _wall_to_epoch(self, day: date, seconds: int) -> int:
        """Local wall time → epoch seconds (gap: the transition; ambiguous: first occurrence)."""
        if seconds >= DAY_SECONDS:
            day, seconds = day + timedelta(days=1), seconds - DAY_SECONDS
        ordinal = day.toordinal()
        offset = self._day_offsets.get(ordinal)
        if offset is not None:  # a day without DST change, already built: plain arithmetic
            return (ordinal - UNIX_ORDINAL) * DAY_SECONDS + seconds - offset
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

    def _epoch(self, value: datetime, what: str = "start") -> float:
        """Epoch seconds of an aware datetime (naive refused), fast for the calendar's zone."""
        zone = value.tzinfo
        if zone is self.zone:
            ordinal = value.toordinal()
            offset = self._day_offsets.get(ordinal)
            if offset is not None:
                stamp = (
                    (ordinal - UNIX_ORDINAL) * DAY_SECONDS
                    + value.hour * 3600
                    + value.minute * 60
                    + value.second
                    - offset
                )
                microsecond = value.microsecond
                return stamp + microsecond / 1e6 if microsecond else stamp
        elif zone is UTC:  # instants read back from the database
            stamp = (
                (value.toordinal() - UNIX_ORDINAL) * DAY_SECONDS
                + value.hour * 3600
                + value.minute * 60
                + value.second
            )
            microsecond = value.microsecond
            return stamp + microsecond / 1e6 if microsecond else stamp
        elif zone is None or value.utcoffset() is None:
            require_aware(value, what)
        return value.timestamp()

    def _stamp(self, value: datetime, what: str) -> float:
        return self._epoch(value, what)

    def _to_datetime(self, stamp: float) -> datetime:
        return datetime.fromtimestamp(stamp, self.zone)
