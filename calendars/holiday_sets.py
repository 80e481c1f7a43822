"""The sets of public holidays a calendar form offers: France and each subdivision of France
the `holidays` library knows, by their proper names (French names, read the same in English).

A code is what a calendar's `holidays` key holds: `FR`, `FR-6AE` (Alsace), `FR-974` (La
Réunion). The library's school zones (`Zone A`…) are left out: for public holidays they are
national France, their own days being school holidays. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from holidays.countries.france import France

COUNTRY: Final = "FR"
COUNTRY_NAME: Final = "France"


@dataclass(frozen=True, slots=True)
class HolidaySet:
    """A holiday code and its proper name (`FR-6AE`, `Alsace`)."""

    code: str
    name: str


def _proper_names() -> dict[str, str]:
    """Each subdivision by its longest alias: `Guadeloupe`, not `GP` nor `GUA`."""
    names: dict[str, str] = {}
    for alias, subdivision in France.subdivisions_aliases.items():
        if len(alias) > len(names.get(subdivision, "")):
            names[subdivision] = alias
    return names


@cache
def holiday_sets() -> tuple[HolidaySet, ...]:
    """National France first, then its subdivisions in the library's order (mainland first)."""
    names = _proper_names()
    return (
        HolidaySet(COUNTRY, COUNTRY_NAME),
        *(
            HolidaySet(f"{COUNTRY}-{subdivision}", names[subdivision])
            for subdivision in France.subdivisions
            if subdivision in names
        ),
    )


def holiday_set_choices(current: str = "") -> tuple[HolidaySet, ...]:
    """The sets offered, with a calendar's own code kept when it is none of them (another
    country's, imported from a contract): editing the calendar must not drop it."""
    offered = holiday_sets()
    if current and current not in {entry.code for entry in offered}:
        return (*offered, HolidaySet(current, current))
    return offered
