"""Reading typed values out of a TOML mapping, collecting every problem instead of stopping.

`Checker` is shared by the modules of each table: each read returns a usable default when
the value is missing or wrong, and records a `Problem` at the key's path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sla.contracts.document.types import Problem
from sla.contracts.toml_lines import Path as KeyPath
from sla.reach import FIRST_DAY, LAST_DAY
from sla.safe_text import control_characters

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


# Dates a contract may name: a year like 9999 is a typing mistake, and instants computed
# from it overflow.


# The largest count a document may give (months, renewals, days of notice, minutes, hours of a
# delay): far beyond any contract, low enough that dates and sums built from it never overflow.
MAX_COUNT = 100_000
MAX_AMOUNT = Decimal("9999999999.99")


class Checker:
    """Collects problems while reading a mapping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: KeyPath, code: str, /, **params: object) -> None:
        """Record the problem `code` (of `sla.problem_codes`) at `path`, with its parameters."""
        self.problems.append(Problem(path, code, params))

    def table(
        self, data: Mapping[str, Any], key: str, path: KeyPath, *, required: bool = True
    ) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            if required:
                dotted = ".".join(str(part) for part in (*path, key))
                self.fail((*path, key), "document.missing_table", table=dotted)
            return {}
        if not isinstance(value, Mapping):
            self.fail((*path, key), "document.expected_table")
            return {}
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: KeyPath,
        *,
        required: bool = False,
        default: str = "",
        multiline: bool = False,
    ) -> str:
        """A string; one line unless `multiline` (no control character either way)."""
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "document.missing_key", key=key)
            return default
        if not isinstance(value, str):
            self.fail((*path, key), "document.expected_string", value=repr(value))
            return default
        if required and not value.strip():
            self.fail((*path, key), "document.empty", key=key)
        if control_characters(value, multiline=multiline):
            code = "document.control_characters" if multiline else "document.one_line"
            self.fail((*path, key), code, key=key)
            return default
        return value.strip()

    def slug(self, data: Mapping[str, Any], key: str, path: KeyPath) -> str:
        value = self.text(data, key, path, required=True)
        if value and not KEY_RE.match(value):
            self.fail((*path, key), "document.bad_key", value=repr(value))
        return value

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        path: KeyPath,
        *,
        default: int | None = None,
        low: int = 0,
        high: int = MAX_COUNT,
    ) -> int | None:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail((*path, key), "document.expected_integer", value=repr(value))
            return default
        if value < low:
            self.fail((*path, key), "document.too_small", low=low)
            return default
        if value > high:
            self.fail((*path, key), "document.too_large", high=high)
            return default
        return value

    def number(
        self, data: Mapping[str, Any], key: str, path: KeyPath, *, high: float = MAX_COUNT
    ) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail((*path, key), "document.expected_number", value=repr(value))
            return None
        if value != value or value < 0:  # NaN, or below zero
            self.fail((*path, key), "document.negative")
            return None
        if value > high:
            self.fail((*path, key), "document.too_large", high=high)
            return None
        return float(value)

    def money(self, data: Mapping[str, Any], key: str, path: KeyPath) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        text = str(value).replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.fail((*path, key), "document.expected_amount", value=repr(value))
            return None
        # Euros and cents as written: no exponent ("1e3"), no third decimal ("20,555").
        exponent = amount.as_tuple().exponent
        if "e" in text.lower() or (isinstance(exponent, int) and exponent < -2):
            self.fail((*path, key), "document.expected_amount", value=repr(value))
            return None
        # NaN first: comparing it with 0 raises instead of answering.
        if isinstance(value, bool) or not amount.is_finite() or amount < 0:
            self.fail((*path, key), "document.expected_positive_amount", value=repr(value))
            return None
        if amount > MAX_AMOUNT:  # what the amount columns hold (NUMERIC(12, 2))
            self.fail((*path, key), "document.too_large", high=MAX_AMOUNT)
            return None
        return amount.quantize(Decimal("0.01"))

    def day(
        self, data: Mapping[str, Any], key: str, path: KeyPath, *, required: bool = False
    ) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail((*path, key), "document.missing_date", key=key)
            return None
        found: date | None = None
        if isinstance(value, date):
            found = value.date() if isinstance(value, datetime) else value
        elif isinstance(value, str):
            try:
                found = date.fromisoformat(value)
            except ValueError:
                found = None
        if found is None:
            self.fail((*path, key), "document.expected_date", value=repr(value))
            return None
        if not FIRST_DAY <= found <= LAST_DAY:
            self.fail(
                (*path, key),
                "document.date_out_of_range",
                date=found.isoformat(),
                first=FIRST_DAY.year,
                last=LAST_DAY.year,
            )
            return None
        return found

    def boolean(self, data: Mapping[str, Any], key: str, path: KeyPath, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail((*path, key), "document.expected_boolean", value=repr(value))
            return default
        return value

    def array(self, data: Mapping[str, Any], key: str, path: KeyPath) -> list[Any]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail((*path, key), "document.expected_array")
            return []
        return value

    def unknown(self, data: Mapping[str, Any], allowed: set[str], path: KeyPath) -> None:
        for key in data:
            if key not in allowed:
                self.fail((*path, key), "document.unknown_key", key=key, known=sorted(allowed))
