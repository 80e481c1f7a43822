"""The facts a report is computed from, loaded beforehand by `sla.reports.queries`: the period
(whole local days), the contracts, the period's incidents, targets, changes and outages in
detail, the penalties of the contracts that set some, and the twelve months of the trend in
aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from calendars.engine import BusinessCalendar
from sla.contracts.document import UnitPrice
from sla.contracts.periods import Periods, add_months


@dataclass(frozen=True)
class Period:
    """Whole local days, `first` to `last` inclusive, in the zone people read."""

    first: date
    last: date
    zone: str

    # Instants in UTC, like those read from the database: comparing datetimes of one time
    # zone object is much cheaper than across zones, and reports compare many.
    @cached_property
    def start(self) -> datetime:
        local = datetime.combine(self.first, datetime.min.time(), tzinfo=ZoneInfo(self.zone))
        return local.astimezone(UTC)

    @cached_property
    def end(self) -> datetime:  # exclusive
        local = datetime.combine(
            self.last + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(self.zone)
        )
        return local.astimezone(UTC)

    def contains(self, instant: datetime | None) -> bool:
        return instant is not None and self.start <= instant < self.end

    def months(self) -> list[Period]:
        """The whole months this period touches, in order."""
        found = []
        day = self.first.replace(day=1)
        while day <= self.last:
            found.append(Period.month(day.year, day.month, self.zone))
            day = add_months(day, 1)
        return found

    @classmethod
    def month(cls, year: int, month: int, zone: str) -> Period:
        first = date(year, month, 1)
        return cls(first, add_months(first, 1) - timedelta(days=1), zone)


@dataclass(frozen=True)
class IncidentFact:
    id: int
    contract_id: int
    title: str
    severity: str  # current severity (after requalifications)
    reported_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class TargetFact:
    incident_id: int
    key: str
    kind: str
    label: str
    article: str
    business: bool
    status: str
    deadline: datetime | None
    milestone_at: datetime | None
    excluded_at: datetime | None
    total_seconds: float | None
    consumed_seconds: float


@dataclass(frozen=True)
class ChangeFact:
    """A requalification (before → after) or an exclusion invoked, with its reason."""

    incident_id: int
    kind: str  # requalified or exclusion_invoked
    at: datetime
    before: str = ""
    after: str = ""
    clause: str = ""
    target: str = ""
    reason: str = ""


@dataclass(frozen=True)
class OutageFact:
    id: int
    contract_id: int
    service: str
    started_at: datetime
    ended_at: datetime | None
    cause: str


@dataclass(frozen=True)
class ContractFact:
    id: int
    reference: str
    title: str
    vendor_id: int
    vendor: str
    severities: tuple[tuple[str, str], ...]  # (key, label), most severe first
    availability_target: float | None
    availability_calendar: BusinessCalendar | None
    availability_article: str
    yearly_amount_ht: Decimal | None
    prices: tuple[UnitPrice, ...]  # the contract document's own
    periods: Periods | None  # on the day after the period
    # Labels people read for the keys changes name: targets, and exclusion clauses' texts.
    target_labels: tuple[tuple[str, str], ...] = ()
    clause_texts: tuple[tuple[str, str], ...] = ()
    # The targets each clause covers (none named: every target), by clause key.
    clause_targets: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class PenaltyFact:
    """A contract's penalties for the report's period (only for a contract whose version in
    force at the period's end sets penalty clauses). With a statement that covers the period
    (not abandoned nor superseded): its id, state and period, and its amount — final: the
    decided total; notified or with observations: the notified total; a draft: computed as of
    the report's instant. Without one: the amount computed as of that instant. `lines`: the
    statement's lines (notified), or those computed."""

    contract_id: int
    statement_id: int | None
    state: str | None  # a statement state (`sla.penalties.statement.State`), None: no statement
    amount: Decimal  # € HT, after the threshold and the caps
    lines: int
    first: date | None = None  # the statement's period, when there is one
    last: date | None = None


@dataclass
class TrendFacts:
    """Per contract and month of the twelve (by index): outcomes decided (the same rule as
    `outcome`, counted by the database), restoration times, incidents per severity."""

    months: list[Period]
    outcomes: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # met, decided
    restorations: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    reported: dict[tuple[int, int, str], int] = field(default_factory=dict)


@dataclass
class Facts:
    """Everything a report needs, loaded by `sla.reports.queries`: the period's incidents and
    targets in detail, the twelve months in aggregate."""

    contracts: list[ContractFact]
    incidents: list[IncidentFact]
    targets: list[TargetFact]
    trend: TrendFacts
    changes: list[ChangeFact] = field(default_factory=list)
    outages: list[OutageFact] = field(default_factory=list)
    penalties: list[PenaltyFact] = field(default_factory=list)
