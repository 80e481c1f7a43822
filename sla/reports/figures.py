"""The report's figures, computed from facts loaded beforehand (pure: no I/O, `as_of` given).

Attribution rule: a target counts in the period in which its outcome was decided — a met
target at its milestone, a breached target at its deadline (the first instant it was late),
an excluded target when the exclusion was invoked. A past month's figures are therefore final
once it has ended, and an incident spanning two months counts each target once, in the month
it was decided. Compliance = met / (met + breached); excluded targets are left out.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from calendars.engine import BusinessCalendar
from sla.contracts.document import UnitPrice
from sla.contracts.periods import Periods, add_months
from sla.reports import text

KIND_ORDER = ("take_charge", "intervention", "restoration", "resolution", "other")


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


@dataclass(frozen=True)
class Outcome:
    state: str  # met, breached, excluded, running, none
    decided_at: datetime | None


def outcome(target: TargetFact, as_of: datetime) -> Outcome:
    """What a stored target amounts to at `as_of`, and when that was decided."""
    if target.excluded_at is not None:
        return Outcome("excluded", target.excluded_at)
    if target.deadline is None or target.status == "paused":
        return Outcome("none" if target.milestone_at else "running", None)
    if target.milestone_at is not None:
        if target.milestone_at <= target.deadline:
            return Outcome("met", target.milestone_at)
        return Outcome("breached", target.deadline)
    if target.deadline <= as_of:
        return Outcome("breached", target.deadline)
    return Outcome("running", None)


@dataclass(frozen=True)
class KindFigures:
    kind: str
    met: int
    breached: int
    excluded: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def compliance(self) -> float | None:
        return 100.0 * self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class Spread:
    """Times in business seconds (or real seconds for calendar-time targets)."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class BreachLine:
    incident_id: int
    title: str
    severity: str
    target: str
    article: str
    deadline: datetime
    milestone_at: datetime | None
    lateness_seconds: float | None  # business seconds past the total; None while running
    business: bool


@dataclass(frozen=True)
class OpenLine:
    incident_id: int
    title: str
    severity: str
    reported_at: datetime


@dataclass(frozen=True)
class OutageLine:
    service: str
    started_at: datetime
    ended_at: datetime | None
    cause: str
    down_seconds: float  # in the availability calendar when there is one, else real time


@dataclass(frozen=True)
class Availability:
    target_percent: float
    measured_percent: float | None  # None when the calendar has no open time in the period
    open_seconds: float
    down_seconds: float
    article: str

    @property
    def met(self) -> bool | None:
        if self.measured_percent is None:
            return None
        return self.measured_percent >= self.target_percent


@dataclass(frozen=True)
class MoneyLine:
    label: str
    quantity: str
    amount_ht: Decimal
    basis: str  # how it was estimated


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
class TrendPoint:
    month: date
    compliance: float | None
    by_severity: tuple[tuple[str, int], ...]
    median_restoration: float | None


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
class DateLine:
    contract: str
    vendor: str
    what: str  # notice, renewal, end
    day: date


@dataclass(frozen=True)
class Report:
    period: Period
    scope: str
    as_of: datetime
    vendors: tuple[VendorReport, ...]
    dates_ahead: tuple[DateLine, ...]

    @property
    def contracts(self) -> list[ContractReport]:
        return [c for v in self.vendors for c in v.contracts]


@dataclass
class TrendFacts:
    """Per contract and month of the twelve (by index): outcomes decided (the same rule as
    `outcome`, counted by the database), restoration times, incidents per severity."""

    months: list[Period]
    outcomes: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # met, decided
    restorations: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    reported: dict[tuple[int, int, str], int] = field(default_factory=dict)


def trend_months(last: Period) -> list[Period]:
    """The twelve months ending with the month of `last.first`."""
    first = add_months(last.first.replace(day=1), -11)
    return Period(first, last.first, last.zone).months()


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


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (90th: the smallest value at or above 90 % of them)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(0, None, None)
    return Spread(len(values), statistics.median(values), percentile(values, 0.9))


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    return merged


def availability(
    contract: ContractFact, outages: Sequence[OutageFact], period: Period, as_of: datetime
) -> tuple[Availability | None, tuple[OutageLine, ...]]:
    """Availability over the contract's calendar (the PSG) against its target. Overlapping
    outages count once; an outage still running counts until `as_of`."""
    start, end = period.start, min(period.end, max(as_of, period.start))
    calendar = contract.availability_calendar
    lines = []
    clipped = []
    for outage in sorted(outages, key=lambda o: o.started_at):
        a = max(outage.started_at, start)
        b = min(outage.ended_at or as_of, end)
        if b <= a:
            continue
        clipped.append((a, b))
        seconds = calendar.business_seconds(a, b) if calendar else (b - a).total_seconds()
        lines.append(
            OutageLine(outage.service, outage.started_at, outage.ended_at, outage.cause, seconds)
        )
    if contract.availability_target is None or calendar is None:
        return None, tuple(lines)
    open_seconds = calendar.business_seconds(period.start, period.end)
    down = sum(calendar.business_seconds(a, b) for a, b in _merged(clipped))
    measured = 100.0 * (open_seconds - down) / open_seconds if open_seconds else None
    return (
        Availability(
            contract.availability_target,
            measured,
            open_seconds,
            down,
            contract.availability_article,
        ),
        tuple(lines),
    )


def money(
    contract: ContractFact,
    period: Period,
    handled: Sequence[tuple[IncidentFact, float]],
) -> tuple[MoneyLine, ...]:
    """Estimates: the yearly amount pro rata temporis, and each time-based unit price applied
    to the incidents (of the levels it is billed on) restored in the period — at least one unit
    per incident (floor) and the business time from the start of work (GTI, else take-charge)
    to restoration in whole units (ceiling: the vendor does not work on it all that time)."""
    lines = []
    days = (period.last - period.first).days + 1
    if contract.yearly_amount_ht is not None:
        share = (contract.yearly_amount_ht * days / Decimal(365)).quantize(Decimal("0.01"))
        lines.append(
            MoneyLine(
                "Forfait annuel (prorata)",
                f"{days} j / 365",
                share,
                f"{text.money(contract.yearly_amount_ht)} par an",
            )
        )
    for price in contract.prices:
        if not price.minutes:
            continue
        unit_seconds = price.minutes * 60
        billed = [
            seconds
            for incident, seconds in handled
            if not price.severities or incident.severity in price.severities
        ]
        low = len(billed)
        high = sum(
            max(1, int((Decimal(str(seconds)) / unit_seconds).to_integral_value(ROUND_CEILING)))
            for seconds in billed
        )
        lines.append(
            MoneyLine(
                f"{price.label} — plancher",
                f"{low} × {price.unit}",
                price.amount_ht * low,
                "une unité par incident rétabli ou résolu dans la période",
            )
        )
        lines.append(
            MoneyLine(
                f"{price.label} — plafond",
                f"{high} × {price.unit}",
                price.amount_ht * high,
                "durée ouvrée du début d'intervention au rétablissement, par unité entamée",
            )
        )
    return tuple(lines)


Decided = tuple[TargetFact, Outcome]


def _contract_report(
    contract: ContractFact,
    incidents: dict[int, IncidentFact],
    targets: Sequence[Decided],
    changes: Sequence[ChangeFact],
    outages: Sequence[OutageFact],
    period: Period,
    as_of: datetime,
) -> ContractReport:
    labels = dict(contract.severities)
    reported = [i for i in incidents.values() if period.contains(i.reported_at)]
    counts = Counter(i.severity for i in reported)
    by_severity = tuple((label, counts.get(key, 0)) for key, label in contract.severities)
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    take_charge: list[float] = []
    restoration: list[float] = []
    breaches: list[BreachLine] = []
    taken: dict[int, float] = {}  # business time to take-charge, per incident
    started: dict[int, float] = {}  # ... to the start of work (GTI), when the contract has one
    restored: dict[int, float] = {}
    for target, result in targets:
        if result.decided_at is None or not period.contains(result.decided_at):
            continue
        tally[target.kind][result.state] += 1
        if target.milestone_at is not None and result.state in ("met", "breached"):
            if target.kind == "take_charge":
                take_charge.append(target.consumed_seconds)
                taken[target.incident_id] = target.consumed_seconds
            elif target.kind == "intervention":
                started[target.incident_id] = target.consumed_seconds
            elif target.kind == "restoration":
                restoration.append(target.consumed_seconds)
                restored[target.incident_id] = target.consumed_seconds
        if result.state == "breached" and target.deadline is not None:
            incident = incidents[target.incident_id]
            late = None
            if target.milestone_at is not None and target.total_seconds is not None:
                late = max(0.0, target.consumed_seconds - target.total_seconds)
            breaches.append(
                BreachLine(
                    incident.id,
                    incident.title,
                    labels.get(incident.severity, incident.severity),
                    target.label,
                    target.article,
                    target.deadline,
                    target.milestone_at,
                    late,
                    target.business,
                )
            )
    kinds = tuple(
        KindFigures(kind, tally[kind]["met"], tally[kind]["breached"], tally[kind]["excluded"])
        for kind in KIND_ORDER
        if kind in tally
    )
    open_at_end = tuple(
        OpenLine(i.id, i.title, labels.get(i.severity, i.severity), i.reported_at)
        for i in sorted(incidents.values(), key=lambda i: i.reported_at)
        if i.reported_at < period.end and (i.ended_at is None or i.ended_at >= period.end)
    )
    in_period = sorted((c for c in changes if period.contains(c.at)), key=lambda c: c.at)
    handled = [
        (incidents[i], max(0.0, seconds - started.get(i, taken.get(i, 0.0))))
        for i, seconds in restored.items()
    ]
    avail, outage_lines = availability(contract, outages, period, as_of)
    return ContractReport(
        contract=contract,
        reported=len(reported),
        by_severity=by_severity,
        kinds=kinds,
        take_charge=spread(take_charge),
        restoration=spread(restoration),
        breaches=tuple(sorted(breaches, key=lambda b: b.deadline)),
        open_at_end=open_at_end,
        requalifications=tuple(c for c in in_period if c.kind == "requalified"),
        exclusions=tuple(c for c in in_period if c.kind == "exclusion_invoked"),
        availability=avail,
        outages=outage_lines,
        money=money(contract, period, handled),
    )


def trend(contracts: Sequence[ContractFact], facts: TrendFacts) -> tuple[TrendPoint, ...]:
    """Twelve months of the contracts together: compliance, incidents per severity, median
    restoration time."""
    labels = {(c.id, key): label for c in contracts for key, label in c.severities}
    order = list(dict.fromkeys(label for c in contracts for _key, label in c.severities))
    ids = [c.id for c in contracts]
    points = []
    for index, month in enumerate(facts.months):
        met = decided = 0
        restore: list[float] = []
        for contract_id in ids:
            m, d = facts.outcomes.get((contract_id, index), (0, 0))
            met, decided = met + m, decided + d
            restore += facts.restorations.get((contract_id, index), [])
        reported: Counter[str] = Counter()
        for (contract_id, i, severity), count in facts.reported.items():
            if i == index and contract_id in ids:
                reported[labels.get((contract_id, severity), severity)] += count
        points.append(
            TrendPoint(
                month.first,
                100.0 * met / decided if decided else None,
                tuple((label, reported.get(label, 0)) for label in order),
                statistics.median(restore) if restore else None,
            )
        )
    return tuple(points)


def dates_ahead(contracts: Sequence[ContractFact], period: Period) -> tuple[DateLine, ...]:
    """Notice deadlines, renewals and ends in the three months after the period."""
    start = period.last + timedelta(days=1)
    horizon = add_months(start, 3)
    lines = []
    for contract in contracts:
        dates = contract.periods
        if dates is None:
            continue
        candidates = [("notice", dates.notice_deadline)]
        if dates.renews and dates.period_end is not None:
            candidates.append(("renewal", dates.period_end + timedelta(days=1)))
        candidates.append(("end", dates.final_end))
        for what, day in candidates:
            if day is not None and start <= day < horizon:
                lines.append(DateLine(contract.reference, contract.vendor, what, day))
    return tuple(sorted(lines, key=lambda line: line.day))


def build_report(facts: Facts, period: Period, *, scope: str, as_of: datetime) -> Report:
    """The whole report: per vendor, per contract, with the vendors' twelve-month trends."""
    incidents_by_contract: dict[int, dict[int, IncidentFact]] = defaultdict(dict)
    for incident in facts.incidents:
        incidents_by_contract[incident.contract_id][incident.id] = incident
    contract_of = {i.id: i.contract_id for i in facts.incidents}
    targets_by_contract: dict[int, list[Decided]] = defaultdict(list)
    for target in facts.targets:
        targets_by_contract[contract_of[target.incident_id]].append(
            (target, outcome(target, as_of))
        )
    changes_by_contract: dict[int, list[ChangeFact]] = defaultdict(list)
    for change in facts.changes:
        changes_by_contract[contract_of[change.incident_id]].append(change)
    outages_by_contract: dict[int, list[OutageFact]] = defaultdict(list)
    for outage in facts.outages:
        outages_by_contract[outage.contract_id].append(outage)
    by_vendor: dict[int, list[ContractFact]] = defaultdict(list)
    for contract in facts.contracts:
        by_vendor[contract.vendor_id].append(contract)
    vendors = []
    for vendor_id, contracts in by_vendor.items():
        reports = tuple(
            _contract_report(
                contract,
                incidents_by_contract[contract.id],
                targets_by_contract[contract.id],
                changes_by_contract[contract.id],
                outages_by_contract[contract.id],
                period,
                as_of,
            )
            for contract in sorted(contracts, key=lambda c: c.reference)
        )
        vendors.append(
            VendorReport(
                vendor_id,
                contracts[0].vendor,
                reports,
                trend(contracts, facts.trend),
            )
        )
    vendors.sort(key=lambda v: v.vendor.lower())
    return Report(period, scope, as_of, tuple(vendors), dates_ahead(facts.contracts, period))
