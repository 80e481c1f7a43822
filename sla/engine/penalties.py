"""What a missed delay costs the vendor under its contract's penalty clauses. Pure: breaches,
availability shortfalls and terms in, penalty lines and totals out; amounts are `Decimal`
€ HT rounded to the cent, half up.

How late a breach is, per unit a clause may count in (`Lateness`):
- business hours: the target's own lateness when it counts in business time (pauses that
  freeze it left out, as the engine measures it); else the business time of its calendar
  between the deadline and the milestone;
- calendar hours: the real time from the deadline to the milestone (the target's own lateness
  when it counts in calendar time);
- calendar days: the civil days begun from the deadline to the milestone in the calendar's
  zone (weekends and holidays are not deducted, CCAG-TIC 2021 art. 14.1; a DST change does
  not add or remove a day);
- business days: the business days of the calendar on which some of its open time fell
  between the deadline and the milestone.
A breach still open counts until the instant the lines are made: its line says so.
A clause charges started units beyond its grace: 2 h 10 late with 1 h of grace is 2 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from calendars.engine import BusinessCalendar
from sla.engine.penalty_terms import (
    AvailabilityStep,
    CapScope,
    ClauseKind,
    LatenessUnit,
    PenaltyCap,
    PenaltyClause,
    PenaltyTerms,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)
STEP_POINTS = {AvailabilityStep.tenth: Decimal("0.1"), AvailabilityStep.point: Decimal(1)}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Lateness:
    """How late a breach is, in each unit a clause may count in."""

    business_seconds: float
    calendar_seconds: float
    business_days: int
    calendar_days: int

    def started(self, unit: LatenessUnit) -> int:
        """The started units of lateness (1 h 01 is 2 started hours)."""
        if unit is LatenessUnit.business_hour:
            return _started_hours(self.business_seconds)
        if unit is LatenessUnit.calendar_hour:
            return _started_hours(self.calendar_seconds)
        if unit is LatenessUnit.business_day:
            return self.business_days
        return self.calendar_days


def _started_hours(seconds: float) -> int:
    # To the millisecond first: 3600.0000001 business seconds is one hour, not two.
    exact = Decimal(str(round(max(seconds, 0.0), 3))) / 3600
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def lateness_between(
    calendar: BusinessCalendar | None,
    deadline: datetime,
    end: datetime,
    *,
    own_seconds: float | None = None,
    business: bool = True,
) -> Lateness:
    """The lateness of a breach from `deadline` to `end` (its milestone, or now while it is
    open). `own_seconds`: the engine's own lateness of the target, on its axis (`business`:
    business seconds, else real seconds), which leaves out the pauses that freeze it."""
    # In UTC: two instants of one ZoneInfo subtract as wall times (DST ignored).
    real = max(0.0, (end.astimezone(UTC) - deadline.astimezone(UTC)).total_seconds())
    if calendar is None:
        business_seconds = real
    elif business and own_seconds is not None:
        business_seconds = max(0.0, own_seconds)
    else:
        business_seconds = calendar.business_seconds(deadline, end) if end > deadline else 0.0
    calendar_seconds = max(0.0, own_seconds) if not business and own_seconds is not None else real
    days = civil_days(deadline, end, calendar.zone if calendar else UTC)
    return Lateness(
        business_seconds=business_seconds,
        calendar_seconds=calendar_seconds,
        business_days=_business_days(calendar, deadline, end) if calendar else days,
        calendar_days=days,
    )


def civil_days(deadline: datetime, end: datetime, zone: tzinfo) -> int:
    """The civil days begun from `deadline` to `end` in `zone`: day n runs from the deadline's
    wall time n − 1 days later to the same wall time n days later, whatever DST does (late
    from Friday 09:00 to Sunday 09:00 across the autumn change is 2 days, not 3)."""
    if end <= deadline:
        return 0
    start, stop = deadline.astimezone(zone), end.astimezone(zone)
    whole = (stop.date() - start.date()).days
    reached = datetime.combine(start.date() + timedelta(days=whole), start.timetz())
    return whole + 1 if reached.astimezone(UTC) < stop.astimezone(UTC) else whole


def _business_days(calendar: BusinessCalendar, deadline: datetime, end: datetime) -> int:
    """The business days with some open time between `deadline` and `end`."""
    if end <= deadline:
        return 0
    zone = calendar.zone
    first, last = deadline.astimezone(zone).date(), end.astimezone(zone).date()
    count = 0
    for day in calendar.business_days(first, last):
        day_start = datetime.combine(day, datetime.min.time(), zone)
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
        if calendar.business_seconds(max(deadline, day_start), min(end, day_end)) > 0:
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class BreachFact:
    """A breached target of an incident, with how late it is."""

    incident_id: int
    severity: str
    target_key: str
    deadline: datetime
    milestone_at: datetime | None  # None: still open when the lines were made
    lateness: Lateness


@dataclass(frozen=True, slots=True)
class AvailabilityFact:
    """The availability measured over a stretch of the period, against its target."""

    start: datetime
    end: datetime
    target_percent: float
    measured_percent: float | None  # None: no open time in the stretch

    @property
    def shortfall_points(self) -> Decimal:
        if self.measured_percent is None:
            return ZERO
        # Percentages to the millionth of a point (97.8999999999 is 97.9): any shortfall
        # beyond that begins a step.
        gap = Decimal(str(round(self.target_percent, 6))) - Decimal(
            str(round(self.measured_percent, 6))
        )
        return max(gap.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), ZERO)


@dataclass(frozen=True, slots=True)
class PenaltyLine:
    """What one clause charges for one breach or one availability stretch. `units`: the
    units charged (hours or days beyond the grace, 1 per breach, R in the formula, steps
    below the target)."""

    clause: PenaltyClause
    units: int
    amount: Decimal
    breach: BreachFact | None = None
    availability: AvailabilityFact | None = None


def breach_lines(
    terms: PenaltyTerms, breach: BreachFact, yearly_amount_ht: Decimal | None
) -> list[PenaltyLine]:
    """The penalties one breach brings: one line per clause that covers its target at its
    severity (a clause that charges nothing, within its grace, still gives a line at 0)."""
    lines = []
    for clause in terms.lateness_clauses(breach.severity, breach.target_key):
        units, amount = _charged(clause, breach.lateness, yearly_amount_ht)
        lines.append(PenaltyLine(clause, units, amount, breach=breach))
    return lines


def _charged(
    clause: PenaltyClause, lateness: Lateness, yearly_amount_ht: Decimal | None
) -> tuple[int, Decimal]:
    if clause.kind is ClauseKind.per_breach:
        return 1, cents(clause.amount_ht)
    units = max(0, lateness.started(clause.unit) - clause.grace)
    if clause.kind is ClauseKind.per_unit:
        return units, cents(clause.amount_ht * units)
    # ClauseKind.formula: P = V × R / D.
    value = clause.value_ht if clause.value_ht is not None else yearly_amount_ht or ZERO
    return units, cents(value * units / clause.divisor)


def availability_lines(terms: PenaltyTerms, fact: AvailabilityFact) -> list[PenaltyLine]:
    """The penalties an availability below its target brings: per started step below it."""
    lines = []
    shortfall = fact.shortfall_points
    for clause in terms.availability_clauses():
        steps = int((shortfall / STEP_POINTS[clause.step]).to_integral_value(ROUND_CEILING))
        lines.append(PenaltyLine(clause, steps, cents(clause.amount_ht * steps), availability=fact))
    return lines


@dataclass(frozen=True, slots=True)
class CapApplied:
    cap: PenaltyCap
    limit: Decimal  # what the cap allowed this statement
    reduction: Decimal  # what it took off


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal  # the lines added up
    threshold_ht: Decimal | None
    exempted: bool  # the subtotal was at most the threshold: no penalty
    caps: tuple[CapApplied, ...]
    total: Decimal  # what the vendor owes
    already_in_year: Decimal = ZERO  # what the contract year's other statements applied


def totals(
    terms: PenaltyTerms,
    amounts: list[Decimal],
    *,
    yearly_amount_ht: Decimal | None,
    months: Decimal,
    already_in_year: Decimal = ZERO,
) -> Totals:
    """The statement's total: the lines added up; nothing when that is at most the threshold
    (the CCAGs' exemption); then each cap, the lowest limit winning. A monthly cap counts for
    each month of the statement (`months`, a part of a month pro rata: `months_in`), a
    percentage being of a twelfth of the yearly amount; a yearly cap counts what the contract
    year's other statements already applied (`already_in_year`)."""
    subtotal = cents(sum(amounts, ZERO))
    exempted = terms.threshold_ht is not None and subtotal <= terms.threshold_ht
    total = ZERO if exempted else subtotal
    applied = []
    for cap in terms.caps:
        limit = _cap_limit(cap, yearly_amount_ht, months)
        if limit is None:
            continue
        if cap.scope is CapScope.year:
            limit = max(ZERO, limit - already_in_year)
        reduction = max(ZERO, total - limit)
        applied.append(CapApplied(cap, cents(limit), cents(reduction)))
        total -= reduction
    return Totals(
        subtotal, terms.threshold_ht, exempted, tuple(applied), cents(total), already_in_year
    )


def _cap_limit(
    cap: PenaltyCap, yearly_amount_ht: Decimal | None, months: Decimal
) -> Decimal | None:
    if cap.amount_ht is not None:
        base: Decimal = cap.amount_ht
    elif cap.percent is not None and yearly_amount_ht is not None:
        base = yearly_amount_ht * cap.percent / 100
        if cap.scope is CapScope.month:
            base = base / 12
    else:
        return None
    return base * months if cap.scope is CapScope.month else base


def months_in(first: date, last: date) -> Decimal:
    """The months from `first` to `last` (days, included): whole months count 1 each, a part
    of a month its days over that month's days (1–15 October: 15/31)."""
    total = Decimal(0)
    day = first
    while day <= last:
        month_end = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        stop = min(last, month_end)
        total += Decimal((stop - day).days + 1) / Decimal(month_end.day)
        day = stop + timedelta(days=1)
    return total
