"""What the incident search compares: text folded to lower case without accents, so that
"seances" finds "Séances" on SQLite as on PostgreSQL. Pure."""

from __future__ import annotations

import unicodedata


def search_key(*parts: str) -> str:
    """The parts joined, lower-cased, accents and other combining marks removed."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
