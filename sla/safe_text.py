"""Text that people typed, checked at the door and made safe where it leaves on one line.

One-line fields (titles, names, references) take no control character at all: a line break in
an incident title once made every mail about it fail ("Header values may not contain linefeed
or carriage return characters"). Multi-line fields (descriptions, notes, comments) take line
breaks and tabs, nothing else below U+0020 (a NUL is refused by PostgreSQL). Pure.
"""

from __future__ import annotations

import re
import unicodedata

MULTILINE_ALLOWED = frozenset("\n\r\t")
_SPACES = re.compile(r"\s+")


def _controls(text: str, allowed: frozenset[str]) -> list[str]:
    return [c for c in text if c not in allowed and unicodedata.category(c) in ("Cc", "Cs")]


def control_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The control characters `text` may not hold (line breaks and tabs pass in multi-line
    fields), e.g. ['\\n'] for a title typed over two lines."""
    return _controls(text, MULTILINE_ALLOWED if multiline else frozenset())


def one_line(text: str, limit: int = 900) -> str:
    """`text` on one line for a mail header or a file name: every control character and run
    of white space becomes one space; cut to `limit` characters."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cs") else c for c in text)
    return _SPACES.sub(" ", cleaned).strip()[:limit]
