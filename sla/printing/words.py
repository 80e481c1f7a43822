"""The words of a document in one language (a PDF, a spreadsheet, a mail), pure: Babel, no Flask.

A document is worded in the language it is made in (`locale`, "fr" or "en"): the reader's when
it is downloaded from the web, the application's default (`[app] default_locale`) when the
scheduler makes it. The words are English msgids translated by the catalogue of
`translations/`, the one Flask-Babel reads for the pages; dates, numbers, percentages and
amounts are Babel's for the locale. Each domain's documents add their own words to these
(`sla.reports.text.Words`, `sla.penalties.text.Words`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from gettext import NullTranslations
from typing import Final

from babel.dates import format_date
from babel.numbers import format_currency, format_percent

from sla import formats
from sla.config import SCHEMA

DEFAULT_LOCALE: Final[str] = str(SCHEMA["app"]["default_locale"].default)


def plain(text: str) -> str:
    """Spaces the PDF's standard fonts can draw (no narrow no-break space)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def capitalised(text: str) -> str:
    """The first letter upper case, the rest as it is (`Tous les délais`, `GTR`)."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class DocumentWords:
    """A document's words in one language: the locale (Babel's dates and numbers) and the
    catalogue that translates the English msgids (an empty one for English)."""

    locale: str
    catalogue: NullTranslations

    def gettext(self, msgid: str, **values: object) -> str:
        text = self.catalogue.gettext(msgid)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        """The form of `num` (French: plural from 2), `%(num)d` filled in."""
        return self.catalogue.ngettext(singular, plural, num) % {"num": num, **values}

    def when(self, instant: datetime | None, zone: str) -> str:
        """`lun. 3 févr. 2025 14:30`, `Mon 3 Feb 2025 14:30` (thousands of rows format fast)."""
        return formats.instant(instant, zone, self.locale)

    def day(self, value: date) -> str:
        """`1 octobre 2026`, `October 1, 2026`."""
        return plain(format_date(value, "long", locale=self.locale))

    def month_name(self, value: date) -> str:
        """`octobre 2026`, `October 2026`."""
        return plain(format_date(value, "MMMM y", locale=self.locale))

    def period_title(self, first: date, last: date) -> str:
        """`octobre 2026` for a whole month, else `du 1 octobre 2026 au 15 octobre 2026`."""
        whole_month = first.day == 1 and (last + timedelta(days=1)).day == 1
        if whole_month and (first.year, first.month) == (last.year, last.month):
            return self.month_name(first)
        return self.gettext(
            "from %(first)s to %(last)s", first=self.day(first), last=self.day(last)
        )

    def hours(self, seconds: float | None, business: bool = True) -> str:
        """`45 min ouvrées`, `1 h 30 ouvrée`, `896 h ouvrées` (`1 h 30 business`); real time
        `2 h 05`, `3 j 4 h` (`3 d 4 h`): the one rule, `sla.formats.duration`."""
        return formats.duration(seconds, business, self.locale)

    def percent(self, value: float | None) -> str:
        """`62,5 %`, `98 %` (`62.5%`): one decimal at most."""
        if value is None:
            return formats.NO_VALUE
        share = Decimal(f"{value:.1f}") / 100
        return plain(format_percent(share, locale=self.locale, decimal_quantization=False))

    def money(self, value: Decimal) -> str:
        """`1 600,00 € HT`, `€1,600.00 excl. tax`."""
        amount = format_currency(value, "EUR", locale=self.locale)
        return plain(self.gettext("%(amount)s excl. tax", amount=amount))
