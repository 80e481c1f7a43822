"""The public calendar: `BusinessCalendar` assembled from its parts, and the shared instances."""

from __future__ import annotations

from functools import lru_cache

from calendars.engine.display import CalendarDisplay
from calendars.engine.searches import BusinessSearches
from calendars.spec import CalendarSpec


class BusinessCalendar(BusinessSearches, CalendarDisplay):
    """A compiled calendar answering business-time queries. Thread-safe; build once, reuse.

    Every public method takes aware datetimes and returns aware datetimes in the calendar's
    zone. Durations are business seconds (floats: instants keep their microseconds).
    """


@lru_cache(maxsize=512)
def compiled(spec: CalendarSpec) -> BusinessCalendar:
    """The shared compiled engine for a calendar definition (building one takes ~50 ms)."""
    return BusinessCalendar(spec)
