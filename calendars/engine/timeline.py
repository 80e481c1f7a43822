"""The compiled form of a calendar over a range of years: flat arrays searched with `bisect`.

Opening intervals as sorted UTC epoch seconds, with the cumulative business seconds before and
after each, the business days and their last closings. A query is then one or two binary
searches (in C) and a little arithmetic.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime
from zoneinfo import ZoneInfo

from calendars.spec import DAY_SECONDS

Hot = tuple[list[int], list[int], list[int], list[int], list["datetime | None"], int, int]


class Timeline:
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
        self.hot: Hot = (starts, ends, base, self.cum_end, self.end_dt, lo_ts, hi_ts)
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
