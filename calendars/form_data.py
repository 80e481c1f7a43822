"""The calendar form's data: what an administrator typed, to and from the calendar mapping that
`calendars.spec.parse_calendar` reads (the same mapping a contract document's [calendars.<key>]
table is). Pure: no web, no database.

The form posts flat lists, so that any number of rows comes back without JavaScript:

- `owner`, `key`, `name`, `timezone`, `holidays`, `description`: one value each;
- per weekday (`mon`…`sun`): `<day>-mode` (`hours`, `closed` or `24h`), and the rows of its
  time ranges as two aligned lists `<day>-start`, `<day>-end` (`HH:MM`, time inputs);
- closures: `closure-first`, `closure-last` (a single day leaves `last` empty);
- holidays worked anyway: `worked` (dates).

A time input cannot hold 24:00: a range ending at 00:00 ends at midnight, the end of its day.
Checking is `parse_calendar`'s alone (one validator, the TOML reader's); `field_of` tells which
field of the form an error's key names.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import zip_longest
from typing import Any, Final, TypeVar
from zoneinfo import available_timezones

from calendars.spec import WEEKDAYS, CalendarError, CalendarSpec, parse_calendar
from sla.safe_text import control_characters

DEFAULT_ZONE: Final = "Europe/Paris"
DEFAULT_HOLIDAYS: Final = "FR"
HOURS, CLOSED, ALWAYS = "hours", "closed", "24h"
DAY_MODES: Final = (HOURS, CLOSED, ALWAYS)
MIDNIGHT: Final = "00:00"
FULL_DAY: Final = "00:00-24:00"
NAME_LENGTH: Final = 200
# A calendar key, as a contract document's [calendars.<key>] (sla.contracts.document.checker).
KEY_RE: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_SECONDS = re.compile(r"([0-9]{2}:[0-9]{2}):00")  # what some browsers' time inputs send
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ROW_ACTION = re.compile(r"(add|remove)-(range|closure|worked)(?::([a-z]{3}))?(?::([0-9]{1,4}))?")

# The codes of the problems the form checks besides the calendar itself.
OWNER_MISSING: Final = "owner.missing"
HOURS_MISSING: Final = "hours.missing"
KEY_FORMAT: Final = "key.format"
NAME_MISSING: Final = "name.missing"
NAME_TOO_LONG: Final = "name.too_long"
NAME_ONE_LINE: Final = "name.one_line"
DESCRIPTION_CONTROLS: Final = "description.controls"


@dataclass
class TimeRow:
    """One opening range of a day, as typed (`09:00`, `12:00`)."""

    start: str = ""
    end: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.start.strip() and not self.end.strip()


@dataclass
class DateRow:
    """One closure: a day, or the first and last days of a range (both included)."""

    first: str = ""
    last: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.first.strip() and not self.last.strip()


Row = TypeVar("Row", TimeRow, DateRow, str)


def _weekdays(value: Any) -> dict[str, Any]:
    return {day: copy.copy(value) for day in WEEKDAYS}


@dataclass
class CalendarFormData:
    """Everything the form shows and posts, as typed."""

    owner: str = ""
    key: str = ""
    name: str = ""
    timezone: str = DEFAULT_ZONE
    holidays: str = DEFAULT_HOLIDAYS
    description: str = ""
    modes: dict[str, str] = field(default_factory=lambda: _weekdays(CLOSED))
    ranges: dict[str, list[TimeRow]] = field(default_factory=lambda: _weekdays([]))
    closures: list[DateRow] = field(default_factory=list)
    worked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuiltCalendar:
    """The calendar mapping built from the form, and which form row each entry of its
    `closed_dates` and `worked_holidays` came from (blank rows are left out)."""

    definition: dict[str, Any]
    closure_rows: tuple[int, ...]
    worked_rows: tuple[int, ...]


def blank_form(owner: int | None = None) -> CalendarFormData:
    """A new calendar: Monday to Friday 09:00-12:00 and 14:00-18:00, French holidays; of
    `owner` when the page was opened from a vendor's."""
    data = CalendarFormData()
    if owner is not None:
        data.owner = str(owner)
    for day in WEEKDAYS[:5]:
        data.modes[day] = HOURS
        data.ranges[day] = [TimeRow("09:00", "12:00"), TimeRow("14:00", "18:00")]
    return data


def _as_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _time_row(text: str) -> TimeRow:
    start, _sep, end = text.strip().partition("-")
    return TimeRow(start, MIDNIGHT if end == "24:00" else end)


def _date_row(value: Any) -> DateRow:
    first, sep, last = _as_text(value).partition("..")
    return DateRow(first.strip(), last.strip() if sep else "")


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def form_of(owner: int, key: str, name: str, definition: Mapping[str, Any]) -> CalendarFormData:
    """A stored calendar in the form (its definition as `parse_calendar` reads it)."""
    data = CalendarFormData(
        owner=str(owner),
        key=key,
        name=str(definition.get("name", name) or name),
        timezone=str(definition.get("timezone", DEFAULT_ZONE)),
        holidays=str(definition.get("holidays", "") or ""),
        description=str(definition.get("description", "") or ""),
    )
    hours = definition.get("hours")
    for day in WEEKDAYS:
        value = hours.get(day) if isinstance(hours, Mapping) else None
        items = [value] if isinstance(value, str) else _listed(value)
        texts = [str(item).strip() for item in items]
        if texts == [FULL_DAY]:
            data.modes[day] = ALWAYS
        elif texts:
            data.modes[day] = HOURS
            data.ranges[day] = [_time_row(text) for text in texts]
    data.closures = [_date_row(item) for item in _listed(definition.get("closed_dates"))]
    data.worked = [_as_text(item) for item in _listed(definition.get("worked_holidays"))]
    return data


def read_form(values: Callable[[str], list[str]]) -> CalendarFormData:
    """The form as posted; `values(name)` gives every value posted under a name."""

    def one(name: str, default: str = "") -> str:
        found = values(name)
        return found[0] if found else default

    data = CalendarFormData(
        owner=one("owner").strip(),
        key=one("key").strip(),
        name=one("name").strip(),
        timezone=one("timezone", DEFAULT_ZONE).strip(),
        holidays=one("holidays").strip(),
        description=one("description").strip(),
    )
    for day in WEEKDAYS:
        mode = one(f"{day}-mode", HOURS)
        data.modes[day] = mode if mode in DAY_MODES else HOURS
        rows = zip_longest(values(f"{day}-start"), values(f"{day}-end"), fillvalue="")
        data.ranges[day] = [TimeRow(start.strip(), end.strip()) for start, end in rows]
    data.closures = [
        DateRow(first.strip(), last.strip())
        for first, last in zip_longest(
            values("closure-first"), values("closure-last"), fillvalue=""
        )
    ]
    data.worked = [text.strip() for text in values("worked")]
    return data


def apply_row_action(data: CalendarFormData, action: str) -> CalendarFormData | None:
    """The form with a row added or removed (`add-range:mon`, `remove-range:mon:1`,
    `add-closure`, `remove-closure:0`, `add-worked`, `remove-worked:2`), everything typed kept;
    None when `action` is no row action. Adding a range to a closed day opens it."""
    match = _ROW_ACTION.fullmatch(action)
    if not match:
        return None
    verb, rows, day, index = match.groups()
    changed = copy.deepcopy(data)
    position = int(index) if index is not None else None
    if rows == "range":
        if day not in WEEKDAYS:
            return None
        if verb == "add":
            changed.modes[day] = HOURS
        _add_or_remove(changed.ranges[day], TimeRow(), verb, position)
    elif rows == "closure":
        _add_or_remove(changed.closures, DateRow(), verb, position)
    else:
        _add_or_remove(changed.worked, "", verb, position)
    return changed


def _add_or_remove(rows: list[Row], blank: Row, verb: str, position: int | None) -> None:
    if verb == "add":
        rows.append(blank)
    elif position is not None and position < len(rows):
        del rows[position]


def _hhmm(text: str) -> str:
    seconds = _SECONDS.fullmatch(text)
    return seconds.group(1) if seconds else text


def interval_text(row: TimeRow) -> str:
    """`09:00-12:00` as `parse_calendar` reads it; an end at 00:00 is midnight (24:00)."""
    start, end = _hhmm(row.start.strip()), _hhmm(row.end.strip())
    if end == MIDNIGHT and start:
        end = "24:00"
    return f"{start}-{end}"


def _closure_text(row: DateRow) -> str:
    first, last = row.first.strip(), row.last.strip()
    if first and last and first != last:
        return f"{first}..{last}"
    return first or last  # one day, whichever end was given


def build_calendar(data: CalendarFormData) -> BuiltCalendar:
    """The calendar mapping of the form, keys as a contract document writes them: a closed
    day, no holidays, no closure, no description are left out."""
    hours: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        if data.modes[day] == ALWAYS:
            hours[day] = [FULL_DAY]
        elif data.modes[day] == HOURS:
            typed = [interval_text(row) for row in data.ranges[day] if not row.is_blank]
            if typed:
                hours[day] = typed
    closure_rows = tuple(i for i, row in enumerate(data.closures) if not row.is_blank)
    worked_rows = tuple(i for i, text in enumerate(data.worked) if text.strip())
    definition: dict[str, Any] = {"name": data.name or data.key, "timezone": data.timezone}
    if data.holidays:
        definition["holidays"] = data.holidays
    if closure_rows:
        definition["closed_dates"] = [_closure_text(data.closures[i]) for i in closure_rows]
    if worked_rows:
        definition["worked_holidays"] = [data.worked[i].strip() for i in worked_rows]
    definition["hours"] = hours
    if data.description:
        definition["description"] = data.description
    return BuiltCalendar(definition, closure_rows, worked_rows)


_INDEXED = re.compile(r"(closed_dates|worked_holidays)\[([0-9]+)\]")


def field_of(error_key: str | None, built: BuiltCalendar) -> str:
    """The form field a `CalendarError`'s key names: `hours.mon` → `hours-mon`,
    `closed_dates[1]` → the closure row it came from (`closure-3`), `timezone`, `holidays`,
    `hours` (the week as a whole), `name`; "" for the calendar as a whole."""
    key = error_key or ""
    indexed = _INDEXED.fullmatch(key)
    if indexed:
        rows = built.closure_rows if indexed.group(1) == "closed_dates" else built.worked_rows
        position = int(indexed.group(2))
        if position < len(rows):
            prefix = "closure" if indexed.group(1) == "closed_dates" else "worked"
            return f"{prefix}-{rows[position]}"
        return ""
    if key.startswith("hours.") and key[6:] in WEEKDAYS:
        return f"hours-{key[6:]}"
    if key in ("timezone", "holidays", "hours", "name", "description"):
        return key
    return ""


# What stands in for a part found wrong, so that the next check looks at the rest.
_STAND_INS: Final[Mapping[str, Any]] = {
    "timezone": "UTC",
    "holidays": "",
    "hours": {"mon": [FULL_DAY]},  # a week that never opens
}
_STAND_IN_DAY: Final = [FULL_DAY]
_STAND_IN_DATE: Final = "2000-01-01"
MOST_PROBLEMS: Final = 20


def _set_aside(definition: dict[str, Any], error_key: str | None) -> bool:
    """Put a valid stand-in where `error_key` names a part of `definition` (False: it names
    none that can be set aside)."""
    key = error_key or ""
    indexed = _INDEXED.fullmatch(key)
    if indexed and isinstance(definition.get(indexed.group(1)), list):
        entries: list[Any] = definition[indexed.group(1)]
        if int(indexed.group(2)) < len(entries):
            entries[int(indexed.group(2))] = _STAND_IN_DATE
            return True
    hours = definition.get("hours")
    if key.startswith("hours.") and isinstance(hours, dict) and key[6:] in hours:
        hours[key[6:]] = _STAND_IN_DAY
        return True
    if key in _STAND_INS and definition.get(key) != _STAND_INS[key]:
        definition[key] = copy.deepcopy(_STAND_INS[key])
        return True
    return False


def check_calendar(
    built: BuiltCalendar,
) -> tuple[CalendarSpec | None, list[tuple[str, CalendarError]]]:
    """The calendar read by `parse_calendar` (the TOML reader's one validator), or every
    problem it finds, each with the form field at fault: `parse_calendar` stops at the first,
    so each part found wrong is set aside (a valid stand-in) and the rest read again."""
    definition = copy.deepcopy(built.definition)
    problems: list[tuple[str, CalendarError]] = []
    for _attempt in range(MOST_PROBLEMS):
        try:
            spec = parse_calendar(definition)
        except CalendarError as error:
            problems.append((field_of(error.key, built), error))
            if not _set_aside(definition, error.key):
                break
        else:
            return (None if problems else spec), problems
    return None, problems


def form_problems(data: CalendarFormData, owners: Collection[int]) -> dict[str, str]:
    """What the form checks besides the calendar: its owner, key and name, by field."""
    problems: dict[str, str] = {}
    owner = data.owner
    if not (len(owner) <= 10 and owner.isascii() and owner.isdigit() and int(owner) in owners):
        problems["owner"] = OWNER_MISSING
    if not KEY_RE.fullmatch(data.key):
        problems["key"] = KEY_FORMAT
    if not data.name:
        problems["name"] = NAME_MISSING
    elif len(data.name) > NAME_LENGTH:
        problems["name"] = NAME_TOO_LONG
    elif control_characters(data.name):
        problems["name"] = NAME_ONE_LINE
    if control_characters(data.description, multiline=True):
        problems["description"] = DESCRIPTION_CONTROLS
    for day in WEEKDAYS:  # "hours" chosen with no hour typed: say so, never save it closed
        if data.modes[day] == HOURS and all(row.is_blank for row in data.ranges[day]):
            problems[f"hours-{day}"] = HOURS_MISSING
    return problems


def is_plain_date(text: str) -> bool:
    """Whether a date input can show `text` (`2025-06-09`; not a stored range)."""
    return not text or bool(_PLAIN_DATE.fullmatch(text))


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def time_zones(current: str = "") -> tuple[str, ...]:
    """The IANA zones to choose from, with a calendar's own kept when it is none of them."""
    zones = _zones()
    return zones if not current or current in zones else (current, *zones)
