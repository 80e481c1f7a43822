"""A contract's penalties over a period, computed from what is stored: its breaches (the stored
targets), its availability (the outages) and the penalty clauses of each incident's contract
version; the limits (threshold, caps) of the version in force at the period's end.

Attribution, as in the reports: a breach belongs to the period in which it was decided, that
is in which its deadline fell. An excluded target, a cancelled breach (a corrected event that
moved its milestone in time) and a target paused on waiting bring nothing. A breach still open
counts until `as_of`. Lines are ordered by deadline, then incident, then target.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from calendars.engine import compiled
from calendars.engine.searches import add_months
from calendars.spec import CalendarSpec
from incidents.models import Incident, IncidentTarget
from incidents.outcomes import decided_state
from sla.contracts.models import Contract, ContractVersion
from sla.contracts.service import current_version, document_of
from sla.engine.availability import measured
from sla.engine.penalties import (
    ZERO,
    AvailabilityFact,
    BreachFact,
    PenaltyLine,
    Totals,
    availability_lines,
    breach_lines,
    lateness_between,
    months_in,
    totals,
)
from sla.engine.penalty_terms import ClauseKind, PenaltyTerms
from sla.engine.terms import SlaTerms
from sla.outages.models import Outage
from sla.penalties.statement import LineView

STEP_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Computation:
    """The lines and totals of a contract's penalties over a period, as of an instant."""

    lines: tuple[LineView, ...]
    totals: Totals
    terms: PenaltyTerms | None  # of the version in force at the period's end
    zone: str
    as_of: datetime


def local_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """The period's start and (exclusive) end in UTC: local midnights of `first` and of the
    day after `last`."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz).astimezone(UTC)
    return start, end


def contract_calendar(terms: SlaTerms, contract: Contract) -> CalendarSpec | None:
    """The contract's own calendar (its periods and dates count in it), else its first."""
    return terms.calendars.get(contract.calendar_key) or next(iter(terms.calendars.values()), None)


def contract_zone(terms: SlaTerms, contract: Contract) -> str:
    spec = contract_calendar(terms, contract)
    return spec.timezone if spec is not None else "Europe/Paris"


def compute(
    session: Session,
    contract: Contract,
    first: date,
    last: date,
    *,
    as_of: datetime,
    already_in_year: Decimal = ZERO,
) -> Computation:
    """The contract's penalties from `first` to `last` (local days, included), as of `as_of`;
    `already_in_year`: what the contract year's other statements apply, for a yearly cap."""
    version = current_version(session, contract, last)
    document = document_of(version)
    terms = document.sla
    zone = contract_zone(terms, contract)
    start, end = local_bounds(first, last, zone)
    yearly = document.contract.yearly_amount_ht
    positions = itertools.count(1)  # lines are numbered as they come, in order
    lines = list(_breach_lines(session, contract, start, end, as_of, positions))
    penalties = terms.penalties
    if penalties is not None:
        lines.extend(
            _availability_lines(session, contract, terms, penalties, start, end, as_of, positions)
        )
    limits = penalties or PenaltyTerms(())
    summed = totals(
        limits,
        [line.amount for line in lines],
        yearly_amount_ht=yearly,
        months=months_in(first, last),
        already_in_year=already_in_year,
    )
    return Computation(tuple(lines), summed, penalties, zone, as_of)


def _breached(
    contract_id: int, start: datetime, end: datetime, as_of: datetime
) -> ColumnElement[bool]:
    """The contract's targets breached as known at `as_of` whose breach was decided in
    [start, end), by the reports' own rule (`incidents.outcomes.decided_state`): a breach
    belongs to the period in which its deadline fell."""
    state, decided_at = decided_state(as_of)
    return and_(
        col(Incident.contract_id) == contract_id,
        state == "breached",
        decided_at >= start,
        decided_at < end,
        decided_at <= as_of,  # a deadline still to come is not missed yet
    )


@dataclass(frozen=True, slots=True)
class _Breached:
    """A breached target as read: plain columns, not ORM objects (5,000 breaches a month
    read in a tenth of the time)."""

    incident_id: int
    title: str
    severity: str
    version_id: int
    key: str
    label: str
    article: str
    business: bool
    deadline: datetime
    milestone_at: datetime | None
    total_seconds: float | None
    consumed_seconds: float


def _breached_rows(
    session: Session, contract_id: int, start: datetime, end: datetime, as_of: datetime
) -> list[_Breached]:
    t = IncidentTarget
    query = (
        sql_select(
            col(Incident.id),
            col(Incident.title),
            col(Incident.current_severity),
            col(Incident.contract_version_id),
            col(t.key),
            col(t.label),
            col(t.article),
            col(t.business),
            col(t.deadline),
            col(t.milestone_at),
            col(t.total_seconds),
            col(t.consumed_seconds),
        )
        .join(Incident, col(Incident.id) == col(t.incident_id))
        .where(_breached(contract_id, start, end, as_of))
        .order_by(col(t.deadline), col(Incident.id), col(t.key))
    )
    return [_Breached(*cast(tuple[Any, ...], row)) for row in session.connection().execute(query)]


def _breach_lines(
    session: Session,
    contract: Contract,
    start: datetime,
    end: datetime,
    as_of: datetime,
    positions: Iterator[int],
) -> Iterator[LineView]:
    # Each incident counts under its own contract version's clauses (read once per version).
    versions: dict[int, tuple[SlaTerms, Decimal | None] | None] = {}
    for row in _breached_rows(session, contract.id or 0, start, end, as_of):
        if row.version_id not in versions:
            version = session.get(ContractVersion, row.version_id)
            document = None if version is None else document_of(version)
            versions[row.version_id] = (
                None if document is None else (document.sla, document.contract.yearly_amount_ht)
            )
        found = versions[row.version_id]
        if found is not None and found[0].penalties is not None:
            yield from _lines_of(found[0], found[0].penalties, row, as_of, found[1], positions)


def _lines_of(
    terms: SlaTerms,
    penalties: PenaltyTerms,
    row: _Breached,
    as_of: datetime,
    yearly: Decimal | None,
    positions: Iterator[int],
) -> Iterator[LineView]:
    try:
        severity = terms.severity(row.severity)
    except KeyError:
        return
    clauses = penalties.lateness_clauses(severity.key, row.key)
    if not clauses:
        return
    target_terms = next((t for t in severity.targets if t.key == row.key), None)
    spec = terms.calendars.get(target_terms.calendar) if target_terms else None
    calendar = compiled(spec) if spec is not None else None
    own = None
    end = as_of
    milestone = row.milestone_at if row.milestone_at and row.milestone_at <= as_of else None
    if milestone is not None:
        end = milestone
        if row.total_seconds is not None:
            own = row.consumed_seconds - row.total_seconds
    lateness = lateness_between(calendar, row.deadline, end, own_seconds=own, business=row.business)
    breach = BreachFact(row.incident_id, severity.key, row.key, row.deadline, milestone, lateness)
    zone = spec.timezone if spec else "UTC"
    for line in breach_lines(penalties, breach, yearly):
        yield _breach_view(line, breach, row, severity.label, zone, yearly, next(positions))


def _breach_view(
    line: PenaltyLine,
    breach: BreachFact,
    row: _Breached,
    severity: str,
    zone: str,
    yearly: Decimal | None,
    position: int,
) -> LineView:
    clause = line.clause
    formula = clause.kind is ClauseKind.formula
    return LineView(
        id=None,
        position=position,
        kind="breach",
        clause_key=clause.key,
        clause_kind=clause.kind.value,
        clause_label=clause.label,
        clause_article=clause.article,
        units=line.units,
        unit="breach" if clause.kind is ClauseKind.per_breach else clause.unit.value,
        amount=line.amount,
        zone=zone,
        rate_ht=None if formula else clause.amount_ht,
        grace=clause.grace,
        value_ht=(clause.value_ht if clause.value_ht is not None else yearly) if formula else None,
        divisor=clause.divisor if formula else None,
        incident_id=row.incident_id,
        incident_title=row.title,
        severity=severity,
        target_key=row.key,
        target_label=row.label,
        target_article=row.article,
        deadline=breach.deadline,
        milestone_at=breach.milestone_at,
        lateness=breach.lateness,
    )


def measuring_periods(
    period: str, start: datetime, end: datetime, zone: str
) -> list[tuple[datetime, datetime]]:
    """The availability's own periods (months, quarters or years, local time) that end within
    (start, end]: a statement charges the availability of each measuring period that ends in
    it, measured over that whole period, as the contract measures it (a quarterly target is
    judged on the quarter, in the statement whose period holds the quarter's end)."""
    tz = ZoneInfo(zone)
    step = STEP_MONTHS.get(period, 1)
    local = start.astimezone(tz).date()
    first_month = (local.month - 1) // step * step + 1
    boundary = date(local.year, first_month, 1)
    found: list[tuple[datetime, datetime]] = []
    while True:
        following = add_months(boundary, step)
        period_start = datetime.combine(boundary, datetime.min.time(), tz).astimezone(UTC)
        period_end = datetime.combine(following, datetime.min.time(), tz).astimezone(UTC)
        if period_end > end:
            return found
        if period_end > start:
            found.append((period_start, period_end))
        boundary = following


def _availability_lines(
    session: Session,
    contract: Contract,
    terms: SlaTerms,
    penalties: PenaltyTerms,
    start: datetime,
    end: datetime,
    as_of: datetime,
    positions: Iterator[int],
) -> Iterator[LineView]:
    availability = terms.availability
    if availability is None or not penalties.availability_clauses():
        return
    spec = terms.calendars[availability.calendar]
    calendar = compiled(spec)
    periods = measuring_periods(availability.period, start, end, spec.timezone)
    if not periods:
        return
    outages = [
        (outage.started_at, outage.ended_at)
        for outage in session.exec(
            select(Outage).where(
                Outage.contract_id == contract.id,
                col(Outage.cancelled_at).is_(None),
                col(Outage.started_at) < periods[-1][1],
                or_(col(Outage.ended_at).is_(None), col(Outage.ended_at) > periods[0][0]),
            )
        )
    ]
    for a, b in periods:
        if b > as_of:
            break  # a period not over yet is not judged yet
        rate = measured(calendar, outages, a, b, as_of)
        fact = AvailabilityFact(a, b, availability.target_percent, rate.percent)
        for line in availability_lines(penalties, fact):
            if line.units == 0:
                continue
            yield LineView(
                id=None,
                position=next(positions),
                kind="availability",
                clause_key=line.clause.key,
                clause_kind=line.clause.kind.value,
                clause_label=line.clause.label,
                clause_article=line.clause.article,
                units=line.units,
                unit=line.clause.step.value,
                amount=line.amount,
                zone=spec.timezone,
                rate_ht=line.clause.amount_ht,
                target_article=availability.article,
                stretch_start=a,
                stretch_end=b,
                target_percent=availability.target_percent,
                measured_percent=rate.percent,
            )
