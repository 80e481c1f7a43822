"""The years a date people give may have: 1970 to 2200. Before, a clock reads nonsense; after,
a typing slip (22025). Forms, filters, the API and contract documents refuse dates outside
with a message, never an overflow deep in the database or the date library."""

from __future__ import annotations

from datetime import date

FIRST_YEAR, LAST_YEAR = 1970, 2200
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


def year_in_reach(year: int) -> bool:
    """Whether a date of this year may be given."""
    return FIRST_YEAR <= year <= LAST_YEAR
