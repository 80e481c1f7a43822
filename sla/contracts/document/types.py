"""What a contract document holds once read: vendor, contract, unit prices, and the problems.

Plain frozen dataclasses and the `DocumentError` raised when a document has problems; no
parsing here (that is `parse` and the modules of each table).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sla.contracts.toml_lines import Path as KeyPath
from sla.engine.alert_rules import ContractAlerts
from sla.engine.terms import SlaTerms


@dataclass(frozen=True)
class Problem:
    path: KeyPath
    message: str

    def where(self) -> str:
        return ".".join(
            f"[{part}]" if isinstance(part, int) else str(part) for part in self.path
        ).replace(".[", "[")


class DocumentError(Exception):
    """A contract document has problems; each is `file:line: message` when from a file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
