"""Is a SIRET (or a SIREN) well formed: ASCII digits, the right length, the Luhn checksum.

A SIRET names an establishment: 14 digits, the first 9 its company's SIREN. Both end with a
Luhn check digit, except La Poste's establishments (SIREN 356 000 000), whose SIRETs are
numbered beyond what Luhn allows: the sum of their digits is a multiple of 5 instead.

Pure: no database, no web. `siret_problem` answers a code (None: well formed), which the
vendor form words in the reader's language and the TOML reader may map to its own.
"""

from __future__ import annotations

import re
from typing import Final

SIRET_LENGTH: Final = 14
SIREN_LENGTH: Final = 9
LA_POSTE_SIREN: Final = "356000000"
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: `str.isdigit` takes '²' and '١' too

# The codes `siret_problem` answers.
NOT_DIGITS: Final = "siret.not_digits"
BAD_LENGTH: Final = "siret.length"
BAD_CHECKSUM: Final = "siret.checksum"


def normalized_siret(text: str) -> str:
    """The number without the spaces people write in it (`491 011 698 00033`; no-break and
    narrow no-break spaces included)."""
    return "".join(text.split())


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum of a string of ASCII digits: every second digit from the right
    doubled (minus 9 above 9), the total a multiple of 10."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _la_poste_ok(digits: str) -> bool:
    return digits.startswith(LA_POSTE_SIREN) and sum(int(char) for char in digits) % 5 == 0


def siret_problem(text: str, *, siren_allowed: bool = False) -> str | None:
    """What is wrong with a SIRET once its spaces are removed (None: nothing): a character
    other than a digit (`NOT_DIGITS`), not 14 digits (`BAD_LENGTH`; 9 are also taken when
    `siren_allowed`), a wrong check digit (`BAD_CHECKSUM`). Empty text is `BAD_LENGTH`: say
    beforehand whether the number may be left out."""
    digits = normalized_siret(text)
    if digits and not _DIGITS.fullmatch(digits):
        return NOT_DIGITS
    lengths = (SIRET_LENGTH, SIREN_LENGTH) if siren_allowed else (SIRET_LENGTH,)
    if len(digits) not in lengths:
        return BAD_LENGTH
    if luhn_ok(digits) or (len(digits) == SIRET_LENGTH and _la_poste_ok(digits)):
        return None
    return BAD_CHECKSUM
