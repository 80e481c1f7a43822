"""A brute-force oracle for business time: walks UTC minute by minute and asks, for each
minute, whether its local wall time falls in an opening interval of a business day. Slow and
obviously right; the engine must agree with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from calendars.spec import CalendarSpec

MINUTE = timedelta(minutes=1)


class Oracle:
    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone)
        self.closed: set[date] = set(spec.closed_dates)
        if spec.holidays:
            country, _, subdivision = spec.holidays.partition("-")
            found = holidays.country_holidays(
                country, subdiv=subdivision or None, years=range(2022, 2030)
            )
            self.closed |= {d for d in found if d not in spec.worked_holidays}

    def minute_is_open(self, minute_utc: datetime) -> bool:
        local = minute_utc.astimezone(self.zone)
        if local.date() in self.closed:
            return False
        wall = local.hour * 3600 + local.minute * 60
        return any(start <= wall < end for start, end in self.spec.hours[local.weekday()])

    def deadline(self, start: datetime, minutes: int, limit: int = 400_000) -> datetime:
        """End of the `minutes`-th open minute at or after `start` (start when minutes == 0)."""
        cursor = start.astimezone(UTC)
        counted = 0
        for _ in range(limit):
            if counted == minutes:
                return cursor
            if self.minute_is_open(cursor):
                counted += 1
            cursor += MINUTE
        raise AssertionError("oracle limit reached")

    def elapsed_minutes(self, start: datetime, end: datetime) -> int:
        cursor, stop = start.astimezone(UTC), end.astimezone(UTC)
        counted = 0
        while cursor < stop:
            counted += self.minute_is_open(cursor)
            cursor += MINUTE
        return counted
