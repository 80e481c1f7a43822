"""The value types of the API's bodies and query strings, and the rules they carry: ids that
fit the database's integer, instants with their offset in years 1970 to 2200, text without
control characters (one-line fields without line breaks either), ASCII whole numbers in query
strings. Each rule is stated in the JSON Schema the OpenAPI document publishes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from sla.db import DATABASE_INT_MAX
from sla.reach import FIRST_YEAR as EARLIEST_YEAR
from sla.reach import LAST_YEAR as LATEST_YEAR


def _enum_value(value: object) -> object:
    """An enum member as its value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


# A string the domain holds as an enum member (TargetKind, TargetStatus, DurationUnit).
EnumValue = Annotated[str, BeforeValidator(_enum_value)]


def _enum_values(value: object) -> object:
    """A set of enum members as their sorted values; anything else unchanged."""
    if isinstance(value, set | frozenset):
        return sorted(str(_enum_value(member)) for member in value)
    return value


# The waiting states that pause a target (a set the domain holds), sorted.
WaitingStates = Annotated[list[Literal["customer", "third_party"]], BeforeValidator(_enum_values)]

_MISSING = object()


class AttributeSources:
    """The attributes of several objects as one object: each name is looked up on each object
    in turn, the first that has it wins. Lets one model read fields from several sources."""

    __slots__ = ("_sources",)

    def __init__(self, sources: tuple[object, ...]) -> None:
        """Look attributes up on `sources`, in this order."""
        self._sources = sources

    def __getattr__(self, name: str) -> Any:
        """The attribute `name` of the first source having it; AttributeError if none has."""
        for source in self._sources:
            value = getattr(source, name, _MISSING)
            if value is not _MISSING:
                return value
        raise AttributeError(name)


# -- what a client may send ---------------------------------------------------------------


def _integral(value: object) -> object:
    """A JSON number with no fractional part (`3.0`, `1e2`) as the int it is: JSON Schema's
    `integer`, which the document states, takes it. Anything else as it is, for the strict
    int to refuse (a boolean, `3.5`, a string)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A record's id, as the database stores it (PostgreSQL's `integer`).
Id = Annotated[int, Field(ge=1, le=DATABASE_INT_MAX), BeforeValidator(_integral)]

# ISO 8601 / RFC 3339 date and time with its offset, in ASCII digits ("2025-05-05T09:00:00+02:00",
# "…Z"); seconds and their fraction may be left out.
_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # date
    r"[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"  # time
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})"  # offset
)


def _iso_instant(value: object) -> object:
    """`value` if it is a string in ISO 8601 with an offset; an error otherwise (a Unix
    timestamp, a number in a string, a date without its time or offset)."""
    if not isinstance(value, str) or not _INSTANT.fullmatch(value):
        raise PydanticCustomError(
            "iso_instant",
            "an ISO 8601 date and time with its offset, e.g. 2025-05-05T09:00:00+02:00",
        )
    return value


def _plausible_year(value: datetime) -> datetime:
    """`value` if its year is one an incident may have (none before 1970 or after 2200)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError("instant_range", f"a year from {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


# An instant a client gives: ISO 8601 with its offset, in years 1970 to 2200. Checked as text
# first, then parsed (not strictly: strict parsing takes no string in Python mode). Its JSON
# Schema says so: an RFC 3339 date-time whose year is in range.
Instant = Annotated[
    AwareDatetime,
    Field(strict=False),
    BeforeValidator(_iso_instant),
    AfterValidator(_plausible_year),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": "^(19[7-9][0-9]|2[01][0-9][0-9]|2200)-",
        }
    ),
]

# Control characters: C0, DEL and C1. One-line fields also refuse the Unicode line and paragraph
# separators; multi-line fields take tab, line feed and carriage return.
_ONE_LINE_REFUSED = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
_MULTILINE_REFUSED = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"


@dataclass(frozen=True)
class _Text:
    """The rule of a text field on control characters: checked after the string's own
    constraints, and stated as a `pattern` in its JSON Schema."""

    multiline: bool

    @property
    def refused(self) -> str:
        """The characters refused, as the body of a regular expression's character class."""
        return _MULTILINE_REFUSED if self.multiline else _ONE_LINE_REFUSED

    def check(self, value: str) -> str:
        """`value`, if it holds none of the refused characters."""
        if re.search(f"[{self.refused}]", value):
            message = (
                "no control characters (tab and line breaks allowed)"
                if self.multiline
                else "one line, without control characters"
            )
            raise PydanticCustomError("control_character", message)
        return value

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """The string's schema, then this check."""
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The string's JSON Schema with the pattern of the characters allowed."""
        json_schema = handler(schema)
        json_schema["pattern"] = f"^[^{self.refused}]*$"
        return json_schema


ONE_LINE = _Text(multiline=False)  # titles, references, keys: no line break either
MULTILINE = _Text(multiline=True)  # descriptions, comments: tab and line breaks allowed

# The key of a severity, an exclusion or a target in the contract's terms.
Key = Annotated[str, Field(min_length=1, max_length=64), ONE_LINE]


def _whole_number(value: object) -> object:
    """A query string's value as an int, if it is a whole number in ASCII digits ("²" and
    "٣" are digits to `str.isdigit`, not here), at most 20 of them (past any bound, and short
    of int()'s own limit); an error otherwise, the empty string too."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{1,20}", value):
            raise PydanticCustomError("whole_number", "a whole number (ASCII digits)")
        return int(value)
    return value


def _flag(value: object) -> object:
    """A query string's value as a bool: true or 1, false or 0; an error otherwise."""
    if isinstance(value, str):
        if value not in ("true", "1", "false", "0"):
            raise PydanticCustomError("flag", "true or false")
        return value in ("true", "1")
    return value


# Query-string values: the URL's text converted, then checked by the constraints before it.
WHOLE_NUMBER = BeforeValidator(_whole_number)
QueryId = Annotated[int, Field(ge=1, le=DATABASE_INT_MAX), WHOLE_NUMBER]
QueryFlag = Annotated[bool, BeforeValidator(_flag)]
