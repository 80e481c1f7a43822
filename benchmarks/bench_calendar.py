"""Deadlines per second: this engine against businesstimedelta and pandas CustomBusinessHour.

Same random (start, N) pairs over 2024-2026 for all: 100,000 for this engine, the first 2,000
for the slow peers. Schedule: Mon-Thu 09-12/14-18, Fri 09-12/14-17, French holidays, in
Europe/Paris; pandas cannot vary hours by weekday, so it is compared on Mon-Fri 09-12/14-18
(and this engine is timed on that schedule too). Every peer answer is checked against ours at
the business instant (12:00 and 14:00 are the same business instant with a lunch break).

Run: `make bench` (installs the `bench` extra: businesstimedelta, pytz, pandas).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import holidays

from calendars.engine import BusinessCalendar
from calendars.spec import parse_calendar

ZONE = "Europe/Paris"
PAIRS = 100_000
PEER_PAIRS = 2_000
SEED = 20_250_509
WEEK = {d: ["09:00-12:00", "14:00-18:00"] for d in ("mon", "tue", "wed", "thu")}
FRIDAY_EARLY = {**WEEK, "fri": ["09:00-12:00", "14:00-17:00"]}
SAME_EVERY_DAY = {**WEEK, "fri": ["09:00-12:00", "14:00-18:00"]}


def make_pairs(count: int) -> list[tuple[dt.datetime, int]]:
    """Random aware starts (to the minute) in 2024-2026 and durations of 1 to 80 business hours."""
    rng = random.Random(SEED)
    zone = ZoneInfo(ZONE)
    low = dt.datetime(2024, 1, 1, tzinfo=zone).timestamp()
    high = dt.datetime(2026, 12, 31, tzinfo=zone).timestamp()
    pairs = []
    for _ in range(count):
        stamp = int(rng.uniform(low, high)) // 60 * 60
        pairs.append((dt.datetime.fromtimestamp(stamp, zone), rng.randint(1, 80) * 3600))
    return pairs


def rate(
    function: Callable[[dt.datetime, int], object],
    pairs: Sequence[tuple[dt.datetime, int]],
    repeat: int = 3,
) -> float:
    """Best of `repeat` runs, in deadlines per second."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for start, seconds in pairs:
            function(start, seconds)
        best = min(best, time.perf_counter() - started)
    return len(pairs) / best


def check_agreement(
    name: str,
    ours: BusinessCalendar,
    theirs: Callable[[dt.datetime, int], dt.datetime],
    pairs: Sequence[tuple[dt.datetime, int]],
) -> None:
    for start, seconds in pairs:
        answer = theirs(start, seconds)
        mine = ours.deadline(start, seconds)
        if ours.business_seconds(mine, answer) != 0:
            sys.exit(
                f"{name} disagrees: start {start.isoformat()} + {seconds} s: ours {mine}, theirs {answer}"
            )


def businesstimedelta_peer(friday_early: bool) -> Callable[[dt.datetime, int], dt.datetime]:
    import businesstimedelta as btd
    import pytz

    tz = pytz.timezone(ZONE)
    rules = [
        btd.LunchTimeRule(
            start_time=dt.time(12), end_time=dt.time(14), working_days=[0, 1, 2, 3, 4], tz=tz
        )
    ]
    if friday_early:
        rules += [
            btd.WorkDayRule(
                start_time=dt.time(9), end_time=dt.time(18), working_days=[0, 1, 2, 3], tz=tz
            ),
            btd.WorkDayRule(start_time=dt.time(9), end_time=dt.time(17), working_days=[4], tz=tz),
        ]
    else:
        rules.append(
            btd.WorkDayRule(
                start_time=dt.time(9), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4], tz=tz
            )
        )
    rules.append(btd.HolidayRule(holidays.country_holidays("FR", years=range(2023, 2029)), tz=tz))
    schedule = btd.Rules(rules)

    def deadline(start: dt.datetime, seconds: int) -> dt.datetime:
        result: dt.datetime = start + btd.BusinessTimeDelta(
            schedule, hours=seconds // 3600, seconds=seconds % 3600
        )
        return result

    return deadline


def pandas_peer() -> Callable[[dt.datetime, int], dt.datetime]:
    import pandas as pd

    closed = list(holidays.country_holidays("FR", years=range(2023, 2029)))
    offsets: dict[int, object] = {}

    def deadline(start: dt.datetime, seconds: int) -> dt.datetime:
        hours = seconds // 3600
        offset = offsets.get(hours)
        if offset is None:
            offset = offsets[hours] = pd.offsets.CustomBusinessHour(
                n=hours, start=["09:00", "14:00"], end=["12:00", "18:00"], holidays=closed
            )
        result: dt.datetime = (pd.Timestamp(start) + offset).to_pydatetime()
        return result

    return deadline


def main() -> None:
    pairs = make_pairs(PAIRS)
    peer_pairs = pairs[:PEER_PAIRS]
    calendar = BusinessCalendar(
        parse_calendar({"timezone": ZONE, "holidays": "FR", "hours": FRIDAY_EARLY})
    )
    flat = BusinessCalendar(
        parse_calendar({"timezone": ZONE, "holidays": "FR", "hours": SAME_EVERY_DAY})
    )
    build_started = time.perf_counter()
    BusinessCalendar(
        parse_calendar({"timezone": ZONE, "holidays": "FR", "hours": FRIDAY_EARLY})
    ).deadline(pairs[0][0], 3600)
    build_ms = (time.perf_counter() - build_started) * 1000
    ours = rate(calendar.deadline, pairs)
    ours_flat = rate(flat.deadline, pairs)
    elapsed_pairs = [(start, calendar.deadline(start, seconds)) for start, seconds in pairs]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for start, end in elapsed_pairs:
            calendar.business_seconds(start, end)
        best = min(best, time.perf_counter() - started)
    elapsed_rate = len(elapsed_pairs) / best
    print(
        f"python {sys.version.split()[0]}, {PAIRS:,} pairs (peers: first {PEER_PAIRS:,}), seed {SEED}"
    )
    print(
        f"garantie calendars    Mon-Thu 9-12/14-18, Fri 9-17: {ours:>12,.0f} deadlines/s  (build {build_ms:.1f} ms)"
    )
    print(
        f"garantie calendars    elapsed business time:        {elapsed_rate:>12,.0f} computations/s"
    )
    print(f"garantie calendars    Mon-Fri 9-12/14-18:           {ours_flat:>12,.0f} deadlines/s")
    try:
        btd_peer = businesstimedelta_peer(friday_early=True)
    except ImportError:
        print("businesstimedelta     not installed (make bench installs it)")
    else:
        check_agreement("businesstimedelta", calendar, btd_peer, peer_pairs)
        btd_rate = rate(btd_peer, peer_pairs, repeat=1)
        print(
            f"businesstimedelta     Mon-Thu 9-12/14-18, Fri 9-17: {btd_rate:>12,.0f} deadlines/s  -> garantie x{ours / btd_rate:,.0f} (answers agree)"
        )
    try:
        pd_peer = pandas_peer()
    except ImportError:
        print("pandas                not installed (make bench installs it)")
    else:
        check_agreement("pandas", flat, pd_peer, peer_pairs)
        pd_rate = rate(pd_peer, peer_pairs, repeat=1)
        print(
            f"pandas CustomBusinessHour  Mon-Fri 9-12/14-18:      {pd_rate:>12,.0f} deadlines/s  -> garantie x{ours_flat / pd_rate:,.0f} (answers agree)"
        )


if __name__ == "__main__":
    main()
