"""What a business-hours calendar says, validated: zone, weekly hours, holidays, closures.

A calendar is written in TOML (or any mapping of the same shape)::

    timezone = "Europe/Paris"
    holidays = "FR-6AE"          # "" or absent: no public holidays
    closed_dates = ["2025-12-29..2025-12-31", "2025-05-30"]
    worked_holidays = ["2025-06-09"]
    [hours]
    mon = ["09:00-12:00", "14:00-18:00"]
    fri = ["09:00-12:00", "14:00-17:00"]   # a day not listed is closed

Every problem raises :class:`CalendarError` naming the key at fault. Pure: standard library
and `holidays` only.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SECONDS = 86_400
_INTERVAL_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
KNOWN_KEYS = frozenset(
    {"name", "timezone", "holidays", "closed_dates", "worked_holidays", "hours", "description"}
)


class CalendarError(ValueError):
    """A calendar definition or a query is wrong; `key` names the part at fault."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.reason = message


class NaiveDatetimeError(CalendarError):
    """A naive datetime was given where an aware instant is required."""


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A validated calendar. Hours are seconds since local midnight, per weekday (0 = Monday)."""

    timezone: str
    hours: tuple[tuple[tuple[int, int], ...], ...]
    holidays: str = ""
    closed_dates: frozenset[date] = frozenset()
    worked_holidays: frozenset[date] = frozenset()
    name: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_always_open(self) -> bool:
        return (
            all(day == ((0, DAY_SECONDS),) for day in self.hours)
            and not self.holidays
            and not self.closed_dates
        )


def _parse_interval(text: Any, key: str) -> tuple[int, int]:
    if not isinstance(text, str):
        raise CalendarError(f"expected a string 'HH:MM-HH:MM', got {text!r}", key=key)
    match = _INTERVAL_RE.match(text.strip())
    if not match:
        raise CalendarError(f"expected 'HH:MM-HH:MM', got {text!r}", key=key)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hours, minutes in ((h1, m1), (h2, m2)):
        if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
            raise CalendarError(f"{text!r} is not a time of day (00:00 to 24:00)", key=key)
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start >= end:
        raise CalendarError(f"{text!r} ends before it starts", key=key)
    return start, end


def parse_day(value: Any, key: str) -> tuple[tuple[int, int], ...]:
    """The opening intervals of one weekday, sorted, refusing overlaps."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise CalendarError(f"expected a list of 'HH:MM-HH:MM', got {value!r}", key=key)
    intervals = sorted(_parse_interval(item, key) for item in value)
    for (s1, e1), (s2, e2) in itertools.pairwise(intervals):
        if s2 < e1:
            raise CalendarError(
                f"intervals overlap: {_fmt(s1)}-{_fmt(e1)} and {_fmt(s2)}-{_fmt(e2)}", key=key
            )
    merged: list[tuple[int, int]] = []
    for start, end in intervals:  # 09:00-12:00 and 12:00-14:00 are one opening
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _fmt(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _parse_date(text: str, key: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(f"{text!r} is not a date YYYY-MM-DD", key=key) from None


def parse_dates(value: Any, key: str) -> frozenset[date]:
    """Dates and ranges `YYYY-MM-DD..YYYY-MM-DD` (both ends included)."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise CalendarError("expected a list of dates or ranges 'YYYY-MM-DD..YYYY-MM-DD'", key=key)
    days: set[date] = set()
    for index, item in enumerate(value):
        item_key = f"{key}[{index}]"
        if isinstance(item, date):
            days.add(item)
            continue
        if not isinstance(item, str):
            raise CalendarError(f"expected a date string, got {item!r}", key=item_key)
        first, sep, last = item.partition("..")
        start = _parse_date(first, item_key)
        end = _parse_date(last, item_key) if sep else start
        if end < start:
            raise CalendarError(f"range {item!r} ends before it starts", key=item_key)
        if (end - start).days > 3660:
            raise CalendarError(f"range {item!r} spans more than ten years", key=item_key)
        days.update(date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1))
    return frozenset(days)


def split_holiday_code(code: str) -> tuple[str, str | None]:
    """`FR-6AE` → ("FR", "6AE"); `FR` → ("FR", None)."""
    country, _, subdivision = code.partition("-")
    return country.upper(), (subdivision or None)


def check_holiday_code(code: str, key: str = "holidays") -> None:
    """Refuse a code the `holidays` package does not know, listing the valid ones."""
    if not code:
        return
    supported: dict[str, list[str]] = holidays_lib.list_supported_countries()
    country, subdivision = split_holiday_code(code)
    if country not in supported:
        raise CalendarError(
            f"unknown country {country!r}; known: {', '.join(sorted(supported))}", key=key
        )
    subdivisions = supported[country]
    if subdivision is not None and subdivision not in subdivisions:
        valid = ", ".join(f"{country}-{s}" for s in subdivisions)
        raise CalendarError(f"unknown code {code!r}; valid: {country}, {valid}", key=key)


def parse_calendar(data: Mapping[str, Any], *, name: str = "") -> CalendarSpec:
    """Validate a calendar mapping (as read from TOML)."""
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise CalendarError(
            f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN_KEYS))}",
            key=sorted(unknown)[0],
        )
    zone = data.get("timezone", "Europe/Paris")
    if not isinstance(zone, str):
        raise CalendarError(f"expected an IANA zone name, got {zone!r}", key="timezone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"unknown IANA time zone {zone!r}", key="timezone") from None
    code = data.get("holidays", "") or ""
    if not isinstance(code, str):
        raise CalendarError(
            f"expected a code such as 'FR' or 'FR-57', got {code!r}", key="holidays"
        )
    check_holiday_code(code.strip())
    hours_table = data.get("hours")
    if not isinstance(hours_table, Mapping):
        raise CalendarError("missing table [hours] (e.g. mon = ['09:00-12:00'])", key="hours")
    bad_days = set(hours_table) - set(WEEKDAYS)
    if bad_days:
        raise CalendarError(
            f"unknown day(s) {', '.join(sorted(bad_days))}; use {', '.join(WEEKDAYS)}",
            key=f"hours.{sorted(bad_days)[0]}",
        )
    hours = tuple(
        parse_day(hours_table[day], f"hours.{day}") if day in hours_table else ()
        for day in WEEKDAYS
    )
    if not any(hours):
        raise CalendarError("the calendar never opens: give at least one day's hours", key="hours")
    display_name = data.get("name", name)
    if not isinstance(display_name, str):
        raise CalendarError("expected a string", key="name")
    return CalendarSpec(
        timezone=zone,
        hours=hours,
        holidays=code.strip(),
        closed_dates=parse_dates(data.get("closed_dates"), "closed_dates"),
        worked_holidays=parse_dates(data.get("worked_holidays"), "worked_holidays"),
        name=display_name,
    )


def load_calendar_file(path: Path) -> CalendarSpec:
    """Read and validate a calendar TOML file; errors name the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalendarError("file not found", key=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarError(f"cannot be read: {error}", key=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"not valid TOML: {error}", key=str(path)) from None
    try:
        return parse_calendar(data, name=path.stem)
    except CalendarError as error:
        raise CalendarError(error.reason, key=f"{path}: {error.key}") from None


ALWAYS_OPEN = CalendarSpec(
    timezone="Europe/Paris", hours=tuple(((0, DAY_SECONDS),) for _ in WEEKDAYS)
)
