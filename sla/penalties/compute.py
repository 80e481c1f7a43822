"""A contract's penalties over a period, computed from what is stored: its breaches (the stored
targets), its availability (the outages) and the penalty clauses of each incident's contract
version; the limits (threshold, caps) of the version in force at the period's end.

Attribution, as in the reports: a breach belongs to the period in which it was decided, that
is in which its deadline fell. An excluded target, a cancelled breach (a corrected event that
moved its milestone in time) and a target paused on waiting bring nothing. A breach still open
counts until `as_of`. Lines are ordered by deadline, then incident, then target.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from calendars.engine import compiled
from calendars.engine.searches import add_months
from incidents.models import Incident, IncidentTarget
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


def contract_zone(terms: SlaTerms, contract: Contract) -> str:
    spec = terms.calendars.get(contract.calendar_key) or next(iter(terms.calendars.values()), None)
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
    lines = list(_breach_lines(session, contract, start, end, as_of))
    penalties = terms.penalties
    if penalties is not None:
        lines.extend(_availability_lines(session, contract, terms, penalties, start, end, as_of))
    lines = [dataclasses.replace(line, position=index) for index, line in enumerate(lines, 1)]
    limits = penalties or PenaltyTerms(())
    summed = totals(
        limits,
        [line.amount for line in lines],
        yearly_amount_ht=yearly,
        period_days=(last - first).days + 1,
        already_in_year=already_in_year,
    )
    return Computation(tuple(lines), summed, penalties, zone, as_of)


def _breached(
    contract_id: int, start: datetime, end: datetime, as_of: datetime
) -> ColumnElement[bool]:
    t = IncidentTarget
    deadline, milestone = col(t.deadline), col(t.milestone_at)
    return and_(
        col(Incident.contract_id) == contract_id,
        deadline >= start,
        deadline < end,
        col(t.excluded_at).is_(None),
        or_(
            milestone > deadline,
            and_(milestone.is_(None), deadline <= as_of, col(t.status) != "paused"),
        ),
    )


def _breach_lines(
    session: Session, contract: Contract, start: datetime, end: datetime, as_of: datetime
) -> Iterator[LineView]:
    rows = session.exec(
        select(IncidentTarget, Incident)
        .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
        .where(_breached(contract.id or 0, start, end, as_of))
        .order_by(col(IncidentTarget.deadline), col(Incident.id), col(IncidentTarget.key))
    ).all()
    # Each incident counts under its own contract version's clauses (read once per version).
    versions: dict[int, tuple[SlaTerms, Decimal | None] | None] = {}
    for target, incident in rows:
        if incident.contract_version_id not in versions:
            version = session.get(ContractVersion, incident.contract_version_id)
            document = None if version is None else document_of(version)
            versions[incident.contract_version_id] = (
                None if document is None else (document.sla, document.contract.yearly_amount_ht)
            )
        found = versions[incident.contract_version_id]
        if found is None or target.deadline is None:
            continue
        terms, yearly = found
        if terms.penalties is not None:
            yield from _lines_of(
                terms, terms.penalties, target, target.deadline, incident, as_of, yearly
            )


def _lines_of(
    terms: SlaTerms,
    penalties: PenaltyTerms,
    target: IncidentTarget,
    deadline: datetime,
    incident: Incident,
    as_of: datetime,
    yearly: Decimal | None,
) -> Iterator[LineView]:
    try:
        severity = terms.severity(incident.current_severity)
    except KeyError:
        return
    target_terms = next((t for t in severity.targets if t.key == target.key), None)
    spec = terms.calendars.get(target_terms.calendar) if target_terms else None
    calendar = compiled(spec) if spec is not None else None
    if target.milestone_at is not None:
        own = (
            target.consumed_seconds - target.total_seconds
            if target.total_seconds is not None
            else None
        )
        lateness = lateness_between(
            calendar,
            deadline,
            target.milestone_at,
            own_seconds=own,
            business=target.business,
        )
    else:
        lateness = lateness_between(calendar, deadline, as_of, business=target.business)
    breach = BreachFact(
        incident.id or 0, severity.key, target.key, deadline, target.milestone_at, lateness
    )
    zone = spec.timezone if spec else "UTC"
    for line in breach_lines(penalties, breach, yearly):
        yield _breach_view(line, breach, incident, target, severity.label, zone, yearly)


def _breach_view(
    line: PenaltyLine,
    breach: BreachFact,
    incident: Incident,
    target: IncidentTarget,
    severity: str,
    zone: str,
    yearly: Decimal | None,
) -> LineView:
    clause = line.clause
    formula = clause.kind is ClauseKind.formula
    return LineView(
        id=None,
        position=0,
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
        incident_id=incident.id,
        incident_title=incident.title,
        severity=severity,
        target_key=target.key,
        target_label=target.label,
        target_article=target.article,
        deadline=breach.deadline,
        milestone_at=breach.milestone_at,
        lateness=breach.lateness,
    )


def stretches(
    period: str, start: datetime, end: datetime, zone: str
) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at the boundaries of the availability's own periods (months,
    quarters, years, local time): each stretch is measured against the target apart."""
    tz = ZoneInfo(zone)
    step = STEP_MONTHS.get(period, 1)
    local = start.astimezone(tz).date()
    month = ((local.month - 1) // step) * step + 1 if step in (3, 12) else local.month
    boundary = date(local.year, month if step != 12 else 1, 1)
    cuts = []
    cursor = start
    while cursor < end:
        boundary = add_months(boundary, step)
        edge = datetime.combine(boundary, datetime.min.time(), tz).astimezone(UTC)
        cuts.append((cursor, min(edge, end)))
        cursor = min(edge, end)
    return cuts


def _availability_lines(
    session: Session,
    contract: Contract,
    terms: SlaTerms,
    penalties: PenaltyTerms,
    start: datetime,
    end: datetime,
    as_of: datetime,
) -> Iterator[LineView]:
    availability = terms.availability
    if availability is None or not penalties.availability_clauses():
        return
    spec = terms.calendars[availability.calendar]
    calendar = compiled(spec)
    outages = [
        (outage.started_at, outage.ended_at)
        for outage in session.exec(
            select(Outage).where(
                Outage.contract_id == contract.id,
                col(Outage.cancelled_at).is_(None),
                col(Outage.started_at) < end,
                or_(col(Outage.ended_at).is_(None), col(Outage.ended_at) > start),
            )
        )
    ]
    for a, b in stretches(availability.period, start, end, spec.timezone):
        if a >= as_of:
            break  # a stretch to come is not measured yet
        rate = measured(calendar, outages, a, b, as_of)
        fact = AvailabilityFact(a, b, availability.target_percent, rate.percent)
        for line in availability_lines(penalties, fact):
            if line.units == 0:
                continue
            yield LineView(
                id=None,
                position=0,
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
