"""What a business-hours calendar says, validated: zone, weekly hours, holidays, closures.

A calendar is written in TOML (or any mapping of the same shape)::

    timezone = "Europe/Paris"
    holidays = "FR-6AE"          # "" or absent: no public holidays
    closed_dates = ["2025-12-29..2025-12-31", "2025-05-30"]
    worked_holidays = ["2025-06-09"]
    [hours]
    mon = ["09:00-12:00", "14:00-18:00"]
    fri = ["09:00-12:00", "14:00-17:00"]   # a day not listed is closed

Every problem raises :class:`CalendarError` naming the key at fault, what is wrong as data (a
code of `sla.problem_codes` and its parameters): pages word it in the reader's language,
`str` in English (the command line). Pure: standard library, `holidays` and the catalogue of
words (`sla.error_codes`).
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

from sla.error_codes import word

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SECONDS = 86_400
_INTERVAL_RE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
KNOWN_KEYS = frozenset(
    {"name", "timezone", "holidays", "closed_dates", "worked_holidays", "hours", "description"}
)


class CalendarError(ValueError):
    """A calendar definition or a query is wrong: `code` (a key of `sla.error_codes.MESSAGES`,
    `"calendar.…"`) and `params` say what, `key` names the part at fault."""

    def __init__(self, code: str, *, key: str | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.key = key
        self.params: dict[str, object] = params

    @property
    def reason(self) -> str:
        """What is wrong, in English (pages word `code` and `params` in their reader's)."""
        return word(self.code, self.params)

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}" if self.key else self.reason


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
        raise CalendarError("calendar.interval_not_string", key=key, value=repr(text))
    match = _INTERVAL_RE.match(text.strip())
    if not match:
        raise CalendarError("calendar.interval_format", key=key, value=repr(text))
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hours, minutes in ((h1, m1), (h2, m2)):
        if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
            raise CalendarError("calendar.not_time_of_day", key=key, value=repr(text))
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start >= end:
        raise CalendarError("calendar.interval_reversed", key=key, value=repr(text))
    return start, end


def parse_day(value: Any, key: str) -> tuple[tuple[int, int], ...]:
    """The opening intervals of one weekday, sorted, refusing overlaps."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise CalendarError("calendar.expected_intervals", key=key, value=repr(value))
    intervals = sorted(_parse_interval(item, key) for item in value)
    for (s1, e1), (s2, e2) in itertools.pairwise(intervals):
        if s2 < e1:
            raise CalendarError(
                "calendar.overlap",
                key=key,
                first=f"{_fmt(s1)}-{_fmt(e1)}",
                second=f"{_fmt(s2)}-{_fmt(e2)}",
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
        raise CalendarError("calendar.bad_date", key=key, value=repr(text)) from None


def parse_dates(value: Any, key: str) -> frozenset[date]:
    """Dates and ranges `YYYY-MM-DD..YYYY-MM-DD` (both ends included)."""
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise CalendarError("calendar.expected_dates", key=key)
    days: set[date] = set()
    for index, item in enumerate(value):
        item_key = f"{key}[{index}]"
        if isinstance(item, date):
            days.add(item)
            continue
        if not isinstance(item, str):
            raise CalendarError("calendar.date_not_string", key=item_key, value=repr(item))
        first, sep, last = item.partition("..")
        start = _parse_date(first, item_key)
        end = _parse_date(last, item_key) if sep else start
        if end < start:
            raise CalendarError("calendar.range_reversed", key=item_key, value=repr(item))
        if (end - start).days > 3660:
            raise CalendarError("calendar.range_too_long", key=item_key, value=repr(item))
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
            "calendar.unknown_country", key=key, value=repr(country), known=sorted(supported)
        )
    subdivisions = supported[country]
    if subdivision is not None and subdivision not in subdivisions:
        valid = [country, *(f"{country}-{s}" for s in subdivisions)]
        raise CalendarError("calendar.unknown_subdivision", key=key, value=repr(code), valid=valid)


def parse_calendar(data: Mapping[str, Any], *, name: str = "") -> CalendarSpec:
    """Validate a calendar mapping (as read from TOML)."""
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise CalendarError(
            "calendar.unknown_keys",
            key=sorted(unknown)[0],
            keys=sorted(unknown),
            known=sorted(KNOWN_KEYS),
        )
    zone = data.get("timezone", "Europe/Paris")
    if not isinstance(zone, str):
        raise CalendarError("calendar.zone_not_string", key="timezone", value=repr(zone))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError("calendar.unknown_zone", key="timezone", value=repr(zone)) from None
    code = data.get("holidays", "") or ""
    if not isinstance(code, str):
        raise CalendarError("calendar.holidays_not_string", key="holidays", value=repr(code))
    check_holiday_code(code.strip())
    hours_table = data.get("hours")
    if not isinstance(hours_table, Mapping):
        raise CalendarError("calendar.no_hours", key="hours")
    bad_days = set(hours_table) - set(WEEKDAYS)
    if bad_days:
        raise CalendarError(
            "calendar.unknown_days",
            key=f"hours.{sorted(bad_days)[0]}",
            days=sorted(bad_days),
            known=list(WEEKDAYS),
        )
    hours = tuple(
        parse_day(hours_table[day], f"hours.{day}") if day in hours_table else ()
        for day in WEEKDAYS
    )
    if not any(hours):
        raise CalendarError("calendar.never_opens", key="hours")
    display_name = data.get("name", name)
    if not isinstance(display_name, str):
        raise CalendarError("calendar.name_not_string", key="name")
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
        raise CalendarError("calendar.file_not_found", key=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CalendarError("calendar.unreadable", key=str(path), detail=str(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise CalendarError("calendar.invalid_toml", key=str(path), detail=str(error)) from None
    try:
        return parse_calendar(data, name=path.stem)
    except CalendarError as error:
        raise CalendarError(error.code, key=f"{path}: {error.key}", **error.params) from None


ALWAYS_OPEN = CalendarSpec(
    timezone="Europe/Paris", hours=tuple(((0, DAY_SECONDS),) for _ in WEEKDAYS)
)
