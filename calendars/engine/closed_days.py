"""Which days a calendar is closed although their weekday has hours: holidays and closures.

Public holidays come from the `holidays` library (French names), fetched once per year and
kept; worked holidays are left out and the calendar's own closures added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays as holidays_lib

from calendars.spec import CalendarSpec, split_holiday_code

# The `holidays` library's languages for the interface's.
HOLIDAY_LANGUAGES = {"fr": "fr", "en": "en_US"}


def holiday_names(code: str | None, year: int, locale: str) -> dict[date, str]:
    """The public holidays of a year named in the reader's language (French by default)."""
    if not code:
        return {}
    country, subdivision = split_holiday_code(code)
    language = HOLIDAY_LANGUAGES.get(locale, "fr")
    found = holidays_lib.country_holidays(
        country, subdiv=subdivision, years=year, language=language
    )
    return dict(found.items())


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """A day the calendar is closed although its weekday has hours: a holiday or a closure."""

    day: date
    reason: str  # "holiday" or "closure"
    name: str


class ClosedDayRules:
    """The holidays and closures of one calendar definition, resolved year by year."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        code = spec.holidays
        self._holiday_country, self._holiday_subdivision = (
            split_holiday_code(code) if code else ("", None)
        )
        self._holiday_names: dict[date, str] = {}
        self._holiday_years: set[int] = set()

    def _holidays_of(self, year: int) -> dict[date, str]:
        if not self._holiday_country:
            return {}
        if year not in self._holiday_years:
            found = holidays_lib.country_holidays(
                self._holiday_country, subdiv=self._holiday_subdivision, years=year, language="fr"
            )
            self._holiday_names.update(found.items())
            self._holiday_years.add(year)
        return {d: n for d, n in self._holiday_names.items() if d.year == year}

    def closed_days(self, year: int) -> list[ClosedDay]:
        """Holidays and closures of a year that close the calendar (worked holidays left out),
        with the holidays' French names."""
        days: dict[date, ClosedDay] = {}
        for day, name in self._holidays_of(year).items():
            if day not in self.spec.worked_holidays:
                days[day] = ClosedDay(day, "holiday", name)
        for day in self.spec.closed_dates:
            if day.year == year and day not in days:
                days[day] = ClosedDay(day, "closure", "fermeture")
        return [days[d] for d in sorted(days)]
