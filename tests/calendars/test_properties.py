"""Property tests: the engine agrees with the minute-by-minute oracle on random calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendars.engine import BusinessCalendar
from calendars.spec import CalendarSpec
from tests.calendars.oracle import Oracle

ZONES = ["Europe/Paris", "UTC", "America/New_York", "Indian/Reunion", "Pacific/Noumea"]
# Boundaries on half hours outside 01:00-04:00, where DST changes wall time in these zones:
# inside that window "local wall time" has no single meaning (see the engine's docstring).
BOUNDARIES = [h * 1800 for h in range(0, 49) if not 2 <= h <= 8]
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 3 * 365 * 24 * 60


@st.composite
def day_hours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    points = sorted(set(draw(st.lists(st.sampled_from(BOUNDARIES), max_size=6))))
    pairs = [(points[i], points[i + 1]) for i in range(0, len(points) - 1, 2)]
    # Adjacent intervals are merged by the parser; keep them apart here.
    return tuple(p for k, p in enumerate(pairs) if k == 0 or pairs[k - 1][1] < p[0])


@st.composite
def calendars(draw: st.DrawFn) -> CalendarSpec:
    hours = tuple(draw(day_hours()) for _ in range(7))
    if not any(hours):
        hours = (((9 * 3600, 17 * 3600),), *hours[1:])
    code = draw(st.sampled_from(["", "FR", "FR-57", "FR-974"]))
    closed_start = date(2024, 1, 1) + timedelta(days=draw(st.integers(0, 1000)))
    closed = frozenset(closed_start + timedelta(days=k) for k in range(draw(st.integers(0, 10))))
    worked = frozenset({date(2025, 6, 9)}) if draw(st.booleans()) else frozenset()
    return CalendarSpec(
        timezone=draw(st.sampled_from(ZONES)),
        hours=hours,
        holidays=code,
        closed_dates=closed,
        worked_holidays=worked,
    )


def instants() -> st.SearchStrategy[datetime]:
    return st.integers(0, SPAN_MINUTES).map(lambda m: START + timedelta(minutes=m))


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(spec=calendars(), start=instants(), minutes=st.integers(0, 3000), local=st.booleans())
def test_deadline_matches_the_oracle(
    spec: CalendarSpec, start: datetime, minutes: int, local: bool
) -> None:
    engine = BusinessCalendar(spec)
    if local:
        start = start.astimezone(ZoneInfo(spec.timezone))
    expected = Oracle(spec).deadline(start, minutes)
    got = engine.deadline(start, minutes * 60)
    assert got == expected
    assert got.tzinfo == ZoneInfo(spec.timezone)


@PROPERTY_SETTINGS
@given(spec=calendars(), start=instants(), span=st.integers(0, 8 * 24 * 60))
def test_elapsed_matches_the_oracle(spec: CalendarSpec, start: datetime, span: int) -> None:
    end = start + timedelta(minutes=span)
    assert (
        BusinessCalendar(spec).business_seconds(start, end)
        == Oracle(spec).elapsed_minutes(start, end) * 60
    )


@PROPERTY_SETTINGS
@given(spec=calendars(), start=instants(), seconds=st.integers(0, 400 * 3600))
def test_elapsed_of_deadline_is_the_duration(
    spec: CalendarSpec, start: datetime, seconds: int
) -> None:
    engine = BusinessCalendar(spec)
    assert engine.business_seconds(start, engine.deadline(start, seconds)) == seconds


@PROPERTY_SETTINGS
@given(
    spec=calendars(),
    start=instants(),
    later=st.integers(0, 5 * 24 * 60),
    seconds=st.integers(0, 100 * 3600),
    more=st.integers(0, 100 * 3600),
)
def test_deadline_is_monotonic_in_duration_and_start(
    spec: CalendarSpec, start: datetime, later: int, seconds: int, more: int
) -> None:
    engine = BusinessCalendar(spec)
    assert engine.deadline(start, seconds) <= engine.deadline(start, seconds + more)
    assert engine.deadline(start, seconds) <= engine.deadline(
        start + timedelta(minutes=later), seconds
    )


@PROPERTY_SETTINGS
@given(spec=calendars(), start=instants(), days=st.integers(0, 30), end_of_day=st.booleans())
def test_business_days_land_on_a_business_day_after_the_start(
    spec: CalendarSpec, start: datetime, days: int, end_of_day: bool
) -> None:
    engine = BusinessCalendar(spec)
    result = engine.deadline_business_days(start, days, end_of_day=end_of_day)
    first = engine.open_at_or_after(start)
    assert first is not None and result >= first
    # A closing at 24:00 is the next day's midnight: it belongs to the day before.
    last_day = (result - timedelta(microseconds=1)).date() if end_of_day else result.date()
    business = list(engine.business_days(first.date(), last_day))
    assert business[0] == first.date()
    assert business[-1] == last_day
    assert len(business) == days + 1
