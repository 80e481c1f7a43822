"""Read a report's filters from a query string (pure): period, vendor, contract."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from sla.contracts.periods import add_months
from sla.db import DATABASE_INT_MAX
from sla.reach import FIRST_YEAR, LAST_YEAR
from sla.reports.figures import Period
from sla.reports.queries import Scope

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
ID = re.compile(r"[0-9]{1,10}")
LONGEST = 366  # days: a report is about a month, at most a year
# The years a report may be about: beyond, a zone offset or the next day overflows Python's
# dates (year 1, year 9999), and no contract lives there.


@dataclass
class Filters:
    period: Period
    scope: Scope
    month: str  # YYYY-MM when the period is a whole month, else ""
    errors: dict[str, object] = field(default_factory=dict)  # field → message

    def query(self) -> dict[str, str]:
        """The query string that gives these filters back (for export links)."""
        args = (
            {"month": self.month}
            if self.month
            else {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        )
        if self.scope.vendor_id is not None:
            args["vendor"] = str(self.scope.vendor_id)
        if self.scope.contract_id is not None:
            args["contract"] = str(self.scope.contract_id)
        return args


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _in_years(day: date | None) -> bool:
    return day is not None and FIRST_YEAR <= day.year <= LAST_YEAR


def _id(text: str) -> int | None:
    """An id in ASCII digits that fits the database (`²` or `١` is no id)."""
    if not ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= DATABASE_INT_MAX else None


def _out_of_years() -> object:
    return _l("Expected a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)


def read_filters(args: Mapping[str, str], *, today: date, zone: str) -> Filters:
    """Last month by default; `month=YYYY-MM`, or `from` and `to` (YYYY-MM-DD); `vendor` and
    `contract` ids. A bad value is reported against its field and the default used instead."""
    errors: dict[str, object] = {}
    last_month = add_months(today.replace(day=1), -1)
    period = Period.month(last_month.year, last_month.month, zone)
    month = f"{last_month:%Y-%m}"
    first_text, last_text = args.get("from", ""), args.get("to", "")
    if first_text or last_text:
        first, last = _date(first_text), _date(last_text)
        if first is None:
            errors["from"] = _l("Expected a date such as 2026-10-01.")
        elif not _in_years(first):
            errors["from"], first = _out_of_years(), None
        if last is None:
            errors["to"] = _l("Expected a date such as 2026-10-31.")
        elif not _in_years(last):
            errors["to"], last = _out_of_years(), None
        if first and last:
            if last < first:
                errors["to"] = _l("The end comes before the start.")
            elif (last - first) > timedelta(days=LONGEST):
                errors["to"] = _l("A report covers at most %(days)d days.", days=LONGEST)
            else:
                period, month = Period(first, last, zone), ""
    elif args.get("month"):
        match = MONTH.fullmatch(args["month"])
        if not match or not 1 <= int(match.group(2)) <= 12:
            errors["month"] = _l("Expected a month such as 2026-10.")
        elif not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            errors["month"] = _out_of_years()
        else:
            period = Period.month(int(match.group(1)), int(match.group(2)), zone)
            month = args["month"]
    vendor = _id(args.get("vendor", ""))
    contract = _id(args.get("contract", ""))
    if args.get("vendor") and vendor is None:
        errors["vendor"] = _l("Unknown vendor.")
    if args.get("contract") and contract is None:
        errors["contract"] = _l("Unknown contract.")
    scope = Scope(contract_id=contract) if contract else Scope(vendor_id=vendor)
    return Filters(period, scope, month, errors)
