"""The language alerts are written in: the application's `[app] default_locale`.

Alerts, digests and reports are recorded by the scheduler, with no request and no reader: they
read in the configured language, from the same catalogue as the pages (`translations/`, what
the application gives Flask-Babel as `SLA_TRANSLATIONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from sla.alerts.messages import Words
from sla.catalogues import TRANSLATIONS, catalogue
from sla.config import Settings


@lru_cache(maxsize=8)
def words_in(locale: str, directory: str) -> Words:
    """The words of `locale` from the compiled catalogue in `directory` (loaded once).
    English is the msgids themselves: a language with no catalogue reads as English."""
    return Words(catalogue(locale, directory).gettext, locale)


def configured_words(
    settings: Settings | Mapping[str, Mapping[str, Any]], directory: Path | None = None
) -> Words:
    """The words of the application's language (`settings["app"]["default_locale"]`), from
    `directory` (by default the application's catalogue, `TRANSLATIONS`)."""
    return words_in(str(settings["app"]["default_locale"]), str(directory or TRANSLATIONS))
