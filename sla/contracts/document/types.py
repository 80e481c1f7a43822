"""What a contract document holds once read: vendor, contract, unit prices, and the problems.

Plain frozen dataclasses and the `DocumentError` raised when a document has problems; no
parsing here (that is `parse` and the modules of each table). Problems are data (a code of
`sla.problem_codes` and its parameters): English by default, the pages word them in their
reader's language (`worded(sla.errors.reader_words)`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sla.contracts.toml_lines import Path as KeyPath
from sla.engine.alert_rules import ContractAlerts
from sla.engine.terms import SlaTerms
from sla.error_codes import word

# Words a problem: `sla.error_codes.word` (English) by default; a page gives
# `sla.errors.reader_words` (the reader's language). This package may not import the latter:
# the pure report figures import it, and `sla.errors` looks up Flask-Babel.
Words = Callable[[str, Mapping[str, object]], str]


@dataclass(frozen=True)
class Problem:
    """A problem of a document's mapping: the path of the key at fault, a code of the
    catalogue (`sla.problem_codes`) and its parameters."""

    path: KeyPath
    code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def where(self) -> str:
        return ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in self.path
        ).replace(".[", "[")

    def worded(self, words: Words = word) -> str:
        """What is wrong, worded by `words` (English unless a page gives its reader's)."""
        return words(self.code, self.params)

    @property
    def message(self) -> str:
        """What is wrong, in English."""
        return self.worded()


@dataclass(frozen=True)
class SourcedProblem:
    """A problem located in its source: the file (or the name a page gives the document),
    the line (0: the source as a whole), the dotted key at fault (`""`: none), and what is
    wrong as data (a code and its parameters), worded where it is read."""

    source: str
    line: int
    where: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def worded(self, words: Words = word) -> str:
        """What is wrong, worded by `words` (English unless a page gives its reader's)."""
        return words(self.code, self.params)

    @property
    def message(self) -> str:
        """What is wrong, in English (the command line, logs, tests)."""
        return self.worded()

    def __str__(self) -> str:
        """`source:line: where: message` in English (`where: ` when there is a key)."""
        head = f"{self.source}:{self.line}: " if self.source else ""
        return head + (f"{self.where}: " if self.where else "") + self.message


class DocumentError(Exception):
    """Contract documents have problems, each located in its source (`str` of each:
    `file:line: key: message`)."""

    def __init__(self, problems: Sequence[SourcedProblem]) -> None:
        super().__init__(list(problems))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


@dataclass(frozen=True)
class VendorInfo:
    name: str
    siret: str = ""
    support_email: str = ""
    support_phone: str = ""
    portal_url: str = ""
    notes: str = ""


@dataclass(frozen=True)
class UnitPrice:
    label: str
    unit: str
    amount_ht: Decimal
    minutes: int | None = None  # for time-based units (Aukfood: a ticket is 15 minutes)
    severities: tuple[str, ...] = ()  # the levels it is billed on (empty: all)


@dataclass(frozen=True)
class ContractInfo:
    reference: str
    title: str
    services: tuple[str, ...]
    start: date
    initial_months: int
    renewal: str
    max_renewals: int | None
    notice_months: int
    notice_days: int
    end: date | None
    yearly_amount_ht: Decimal | None
    calendar: str
    unit_prices: tuple[UnitPrice, ...]
    notes: str = ""


@dataclass(frozen=True)
class ContractDocument:
    vendor: VendorInfo
    contract: ContractInfo
    sla: SlaTerms
    alerts: ContractAlerts
    data: dict[str, Any]  # the normalized mapping (JSON-safe), stored with each version
