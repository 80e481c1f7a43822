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

The modules, each importing only those above it:

- `clock`: local wall time ↔ epoch seconds in the calendar's zone;
- `closed_days`: holidays and closures, year by year;
- `timeline`: the flat sorted arrays a query searches;
- `coverage`: years built on demand and the timeline over them, extended under a lock;
- `searches`: deadlines, elapsed business time, next opening and closing;
- `display`: closed days, openings and business days for display;
- `business_calendar`: `BusinessCalendar` and the shared `compiled` instances.
"""

from calendars.engine.business_calendar import BusinessCalendar, compiled

__all__ = ["BusinessCalendar", "compiled"]
