"""The report's shape, as the PDF, the workbook and the pages read it: per vendor, per
contract, the figures of the period, and the vendors' twelve-month trends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sla.reports.figures.availability import Availability, OutageLine
from sla.reports.figures.dates import DateLine
from sla.reports.figures.facts import ChangeFact, ContractFact, PenaltyFact, Period
from sla.reports.figures.money import MoneyLine
from sla.reports.figures.outcomes import BreachLine, KindFigures
from sla.reports.figures.spreads import Spread
from sla.reports.figures.trends import TrendPoint


@dataclass(frozen=True)
class ScopeName:
    """What a report covers, for the words that name it in a language: all vendors (`all`),
    a vendor (`vendor`, its name) or a contract (`contract`, its reference); the name is empty
    when the vendor or contract is unknown."""

    kind: str  # all, vendor, contract
    name: str = ""


@dataclass(frozen=True)
class OpenLine:
    incident_id: int
    title: str
    severity: str
    reported_at: datetime


@dataclass(frozen=True)
class ContractReport:
    contract: ContractFact
    reported: int
    by_severity: tuple[tuple[str, int], ...]  # (label, count), most severe first
    kinds: tuple[KindFigures, ...]
    take_charge: Spread
    restoration: Spread
    breaches: tuple[BreachLine, ...]
    open_at_end: tuple[OpenLine, ...]
    requalifications: tuple[ChangeFact, ...]
    exclusions: tuple[ChangeFact, ...]
    availability: Availability | None
    outages: tuple[OutageLine, ...]
    money: tuple[MoneyLine, ...]
    # The period's penalties; None when the contract sets no penalty clause.
    penalties: PenaltyFact | None = None

    @property
    def met(self) -> int:
        return sum(k.met for k in self.kinds)

    @property
    def breached(self) -> int:
        return sum(k.breached for k in self.kinds)

    @property
    def excluded(self) -> int:
        return sum(k.excluded for k in self.kinds)

    @property
    def compliance(self) -> float | None:
        decided = self.met + self.breached
        return 100.0 * self.met / decided if decided else None


@dataclass(frozen=True)
class VendorReport:
    vendor_id: int
    vendor: str
    contracts: tuple[ContractReport, ...]
    trend: tuple[TrendPoint, ...]

    @property
    def compliance(self) -> float | None:
        met = sum(c.met for c in self.contracts)
        decided = met + sum(c.breached for c in self.contracts)
        return 100.0 * met / decided if decided else None


@dataclass(frozen=True)
class Report:
    period: Period
    scope: ScopeName
    as_of: datetime
    vendors: tuple[VendorReport, ...]
    dates_ahead: tuple[DateLine, ...]

    @property
    def contracts(self) -> list[ContractReport]:
        return [c for v in self.vendors for c in v.contracts]
