"""The translation catalogues read outside a request: the scheduler's mails and the documents
(PDF, spreadsheets) are worded in a language given, from the same compiled catalogues as the
pages (`TRANSLATIONS`, which the application gives Flask-Babel). English is the msgids."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Final

from babel.support import NullTranslations, Translations

from sla.config import PROJECT_ROOT

TRANSLATIONS: Final = PROJECT_ROOT / "translations"
log = logging.getLogger("sla")


@lru_cache(maxsize=8)
def catalogue(locale: str, directory: str = str(TRANSLATIONS)) -> NullTranslations:
    """The compiled catalogue of `locale` in `directory`, loaded once; a language other than
    English with none reads as English, and says so in the log."""
    found = Translations.load(directory, [locale])
    if locale != "en" and not isinstance(found, Translations):
        log.warning("no compiled catalogue for %s in %s: words read in English", locale, directory)
    return found
