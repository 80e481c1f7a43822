"""What a calendar being typed will do: its opening hours day by day over the next four weeks
(local time), and the days of the year it is closed, named in the reader's language. Pure:
the engine computes, this module only lays it out for the calendar form's preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars.engine import BusinessCalendar, compiled
from calendars.engine.closed_days import holiday_names
from calendars.spec import CalendarSpec

PREVIEW_DAYS = 28


@dataclass(frozen=True, slots=True)
class PreviewDay:
    """One day: its opening ranges (`09:00–12:00`), and why it is closed when a holiday or a
    closure closes it (its name; "" otherwise)."""

    day: date
    openings: tuple[str, ...]
    closed_by: str


@dataclass(frozen=True, slots=True)
class Preview:
    days: tuple[PreviewDay, ...]
    year: int
    closed_days: tuple[tuple[date, str], ...]  # the year's, by date, named


def named_closed_days(
    engine: BusinessCalendar, spec: CalendarSpec, year: int, locale: str, closure: str
) -> dict[date, str]:
    """The days of a year the calendar is closed although their weekday has hours: each
    holiday by its name in `locale`, each closure by the word `closure`."""
    names = holiday_names(spec.holidays, year, locale)
    return {
        found.day: names.get(found.day, found.name) if found.reason == "holiday" else closure
        for found in engine.closed_days(year)
    }


def _by_day(
    engine: BusinessCalendar, zone: ZoneInfo, first: date, last: date
) -> dict[date, list[str]]:
    """Each day's opening ranges; an opening that runs past midnight (a 24 h day, or a
    round-the-clock week merged into one opening) is cut at each midnight."""
    ranges: dict[date, list[str]] = {}
    for opening in engine.openings(first, last):
        start = opening.start
        while start < opening.end:
            midnight = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=zone)
            end = min(opening.end, midnight)
            until = "24:00" if end == midnight else f"{end:%H:%M}"
            ranges.setdefault(start.date(), []).append(f"{start:%H:%M}–{until}")
            start = end
    return ranges


def preview(
    spec: CalendarSpec, today: date, *, locale: str, closure: str, days: int = PREVIEW_DAYS
) -> Preview:
    """`days` days from `today`, and the closed days of `today`'s year."""
    engine = compiled(spec)
    last = today + timedelta(days=days - 1)
    closed: dict[date, str] = {}
    for year in range(today.year, last.year + 1):
        closed.update(named_closed_days(engine, spec, year, locale, closure))
    ranges = _by_day(engine, spec.zone, today, last)
    return Preview(
        days=tuple(
            PreviewDay(day, tuple(ranges.get(day, ())), closed.get(day, ""))
            for day in (today + timedelta(days=n) for n in range(days))
        ),
        year=today.year,
        closed_days=tuple(sorted((d, n) for d, n in closed.items() if d.year == today.year)),
    )
