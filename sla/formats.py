"""How instants read for people, in one place for pages, mails and PDFs. Pure: Babel's locale
data only, no request, no clock.

`lun. 3 févr. 2025 14:30` in French, `Mon 3 Feb 2025 14:30` in English: the wording of Babel's
pattern `EEE d MMM y HH:mm`, built from Babel's own day and month names but without running
the pattern machinery for every value (reports and alert sweeps format thousands of rows).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale

NO_VALUE = "—"


@lru_cache(maxsize=8)
def _names(locale: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Abbreviated day names (Monday first) and month names (January first)."""
    data = Locale.parse(locale)
    days = data.days["format"]["abbreviated"]
    months = data.months["format"]["abbreviated"]
    return tuple(days[i] for i in range(7)), tuple(months[i] for i in range(1, 13))


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def instant(value: datetime | None, zone: str, locale: str = "fr") -> str:
    """An instant as a person reads it, in the zone of the calendar it belongs to."""
    if value is None:
        return NO_VALUE
    moment = value.astimezone(_zone(zone))
    days, months = _names(locale)
    return (
        f"{days[moment.weekday()]} {moment.day} {months[moment.month - 1]} {moment.year} "
        f"{moment.hour:02d}:{moment.minute:02d}"
    )


def month_abbreviation(month: int, locale: str = "fr") -> str:
    """`janv.`, `févr.` … (1 is January)."""
    return _names(locale)[1][month - 1]


# Business durations in whole hours from here on ("896 h ouvrées"): never in days, as a
# business day's length depends on the vendor's calendar.
WHOLE_HOURS_FROM = 100


# How a duration's words read per language: days, and business time by its count (French
# agrees "ouvrée(s)" with the hours, or the minutes below an hour: plural from 2). The pages
# word the same through the catalogue (`sla.web.i18n.duration`: `%(days)d d`, `%(time)s
# business`), with these very words.
_DAY_UNIT = {"fr": "j", "en": "d"}


def _business(text: str, count: int, locale: str) -> str:
    if locale == "en":
        return f"{text} business"
    return f"{text} {'ouvrée' if count < 2 else 'ouvrées'}"


def duration(seconds: float | None, business: bool = True, locale: str = "fr") -> str:
    """`45 min ouvrées`, `1 h 30 ouvrée`, `3 h ouvrées`, `896 h ouvrées`; real time `2 h 05`,
    `3 j 4 h` (`45 min business`, `3 d 4 h` in English). Any other language reads as French
    (the product's language)."""
    if seconds is None:
        return NO_VALUE
    language = locale if locale in _DAY_UNIT else "fr"
    total = round(abs(seconds) / 60)
    hours, minutes = divmod(total, 60)
    if hours >= WHOLE_HOURS_FROM:
        hours, minutes = (total + 30) // 60, 0
    if not business and hours >= 48:
        days, rest = divmod(round(abs(seconds) / 3600), 24)
        unit = _DAY_UNIT[language]
        return f"{days} {unit} {rest} h" if rest else f"{days} {unit}"
    clock = f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
    text = clock if hours else f"{minutes} min"
    if not business:
        return text
    return _business(text, hours or minutes, language)


def french_duration(seconds: float | None, business: bool = True) -> str:
    """`duration` in French: for the documents written in French whatever the reader's
    language; pages word durations through the catalogue with the same rule (`sla.web.i18n`)."""
    return duration(seconds, business, "fr")
