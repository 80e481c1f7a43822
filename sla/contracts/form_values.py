"""The contract form's values: a field read as the document wants it, a document value as its
field shows it, and the numbering of repeated rows.

Shared by the parts of the contract form (`form_document`, `form_penalties`). A value the
form cannot read (`quatre` for a number) is given as typed, so that the validator names it;
an empty value is left out of the table being written.

Pure: no database, no request, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

Form = MultiDict[str, str]
Path = tuple[str | int, ...]

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


# -- reading the form ------------------------------------------------------------------------


def text_of(form: Form, name: str) -> str:
    """A field as typed, without surrounding blanks; a text area's lines end with \\n."""
    return (form.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def as_number(text: str) -> int | float | str:
    """A whole or decimal number (a decimal comma and spaces accepted), else the text as
    typed, for the validator to name."""
    cleaned = _SPACES.sub("", text).replace(",", ".")
    if _INTEGER.fullmatch(cleaned):
        return int(cleaned)
    if _DECIMAL.fullmatch(cleaned):
        return float(cleaned)
    return text


def as_amount(text: str) -> str:
    """A money amount as a string (the document's way): `1350.00` kept as typed, `1 350,00`
    written `1350.00`; anything else as typed, for the validator to name."""
    if _AMOUNT.fullmatch(text):
        return text
    cleaned = _SPACES.sub("", text).replace(",", ".")
    return cleaned if _AMOUNT.fullmatch(cleaned) else text


def as_keys(text: str) -> list[str]:
    """Comma-separated (or one a line) keys."""
    return [part.strip() for part in re.split(r"[,\n]", text) if part.strip()]


def as_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def row_indexes(form: Form, prefix: str) -> list[int]:
    """The indexes of the rows under `prefix` that the form holds, in order."""
    pattern = re.compile(re.escape(prefix) + r"\.([0-9]{1,4})\.")
    found = {int(match.group(1)) for key in form if (match := pattern.match(key))}
    return sorted(found)


def filled(pattern: str, indexes: Sequence[int] | None) -> str:
    """A row field's name: each `#` of `pattern` replaced by the next index (None: the
    pattern itself, for the rows the page's script copies and numbers)."""
    if indexes is None:
        return pattern
    numbers = iter(indexes)
    return re.sub("#", lambda _match: str(next(numbers)), pattern)


class Table:
    """A document table being written: empty values are left out."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def put(self, key: str, value: Any) -> None:
        if value is None or value == "" or value == [] or value == {}:
            return
        self.data[key] = value

    def text(self, form: Form, name: str, key: str) -> None:
        self.put(key, text_of(form, name))

    def number(self, form: Form, name: str, key: str) -> None:
        typed = text_of(form, name)
        self.put(key, as_number(typed) if typed else None)

    def amount(self, form: Form, name: str, key: str) -> None:
        typed = text_of(form, name)
        self.put(key, as_amount(typed) if typed else None)


# -- writing the form ------------------------------------------------------------------------


def shown(value: Any) -> str:
    """A document value as a field shows it."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_in(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The table at `key` (empty when there is none, or it is no table)."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def tables_in(data: Mapping[str, Any], key: str) -> list[Any]:
    """The tables of the array at `key` (those that are tables)."""
    value = data.get(key)
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def joined(value: Any, separator: str) -> str:
    return separator.join(str(item) for item in value) if isinstance(value, list) else ""
