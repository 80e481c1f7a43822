"""Load the facts a report needs (a service: reads only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session, col

from calendars.engine import compiled
from incidents.models import Incident, IncidentEvent, IncidentTarget
from sla.contracts.models import Contract, Vendor
from sla.contracts.service import contract_periods, document_of, latest_version, list_contracts
from sla.db import id_of
from sla.engine.lifecycle import EventKind
from sla.outages.models import Outage
from sla.reports.figures import (
    ChangeFact,
    ContractFact,
    Facts,
    IncidentFact,
    OutageFact,
    Period,
    Report,
    TargetFact,
    TrendFacts,
    build_report,
    trend_months,
)


@dataclass(frozen=True)
class Scope:
    vendor_id: int | None = None
    contract_id: int | None = None

    @property
    def key(self) -> str:
        if self.contract_id is not None:
            return f"contract:{self.contract_id}"
        if self.vendor_id is not None:
            return f"vendor:{self.vendor_id}"
        return "all"

    @classmethod
    def parse(cls, key: str) -> Scope:
        kind, _, value = key.partition(":")
        if kind == "contract" and value.isdigit():
            return cls(contract_id=int(value))
        if kind == "vendor" and value.isdigit():
            return cls(vendor_id=int(value))
        return cls()


def scope_label(session: Session, scope: Scope) -> str:
    """The words that name a report's scope (all vendors, a vendor, a contract)."""
    if scope.contract_id is not None:
        contract = session.get(Contract, scope.contract_id)
        return f"Contrat {contract.reference}" if contract else "Contrat inconnu"
    if scope.vendor_id is not None:
        vendor = session.get(Vendor, scope.vendor_id)
        return vendor.name if vendor else "Fournisseur inconnu"
    return "Tous les fournisseurs"


def _contract_facts(session: Session, scope: Scope, period: Period) -> list[ContractFact]:
    vendors = {id_of(v): v for v in session.execute(select(Vendor)).scalars()}
    facts = []
    after = period.last + timedelta(days=1)
    for contract in list_contracts(session, scope.vendor_id):
        if scope.contract_id is not None and contract.id != scope.contract_id:
            continue
        document = document_of(latest_version(session, contract))
        terms = document.sla
        avail = terms.availability
        calendar = None
        if avail is not None:
            calendar = compiled(terms.calendars[avail.calendar])
        facts.append(
            ContractFact(
                id=id_of(contract),
                reference=contract.reference,
                title=contract.title,
                vendor_id=contract.vendor_id,
                vendor=vendors[contract.vendor_id].name,
                severities=tuple((s.key, s.label) for s in terms.severities),
                availability_target=avail.target_percent if avail else None,
                availability_calendar=calendar,
                availability_article=avail.article if avail else "",
                yearly_amount_ht=contract.yearly_amount_ht,
                prices=document.contract.unit_prices,
                periods=contract_periods(contract, after),
            )
        )
    return facts


def decided_state(as_of: datetime) -> tuple[Any, Any]:
    """`figures.outcome` in SQL: (state, decided instant) of a stored target at `as_of`."""
    t = IncidentTarget
    milestone, deadline, excluded = col(t.milestone_at), col(t.deadline), col(t.excluded_at)
    undecided = or_(deadline.is_(None), col(t.status) == "paused")
    state = case(
        (excluded.is_not(None), "excluded"),
        (undecided, None),
        (and_(milestone.is_not(None), milestone <= deadline), "met"),
        (milestone.is_not(None), "breached"),
        (deadline <= as_of, "breached"),
        else_=None,
    )
    instant = case(
        (excluded.is_not(None), excluded),
        (undecided, None),
        (and_(milestone.is_not(None), milestone <= deadline), milestone),
        (milestone.is_not(None), deadline),
        (deadline <= as_of, deadline),
        else_=None,
    )
    return state, instant


def _month_of(value: Any, months: list[Period]) -> Any:
    """The index of the month `value` falls in, for values already within the twelve: one
    comparison per month boundary, stopping at the first that holds."""
    return case(*((value < m.end, index) for index, m in enumerate(months)), else_=None)


def _trend_facts(connection: Any, ids: list[int], period: Period, as_of: datetime) -> TrendFacts:
    """Twelve months counted by the database: only counts and restoration times come back."""
    months = trend_months(period)
    facts = TrendFacts(months)
    window = (months[0].start, months[-1].end)
    state, instant = decided_state(as_of)
    # Each target's outcome computed once (a materialised CTE: inlined, the month CASE would
    # evaluate the outcome CASE once per month bound), then bucketed by month.
    outcomes = (
        select(
            col(Incident.contract_id).label("contract_id"),
            state.label("state"),
            instant.label("instant"),
            col(IncidentTarget.kind).label("kind"),
            col(IncidentTarget.milestone_at).label("milestone_at"),
            col(IncidentTarget.consumed_seconds).label("consumed"),
        )
        .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
        .where(col(Incident.contract_id).in_(ids))
        .cte("outcomes")
        .prefix_with("MATERIALIZED")
    )
    month = _month_of(outcomes.c.instant, months)
    counted = (
        select(outcomes.c.contract_id, month, outcomes.c.state, func.count())
        .where(
            outcomes.c.state.in_(("met", "breached")),
            outcomes.c.instant >= window[0],
            outcomes.c.instant < window[1],
        )
        .group_by(outcomes.c.contract_id, month, outcomes.c.state)
    )
    for contract_id, index, outcome, count in connection.execute(counted):
        if index is None:
            continue
        met, total = facts.outcomes.get((contract_id, index), (0, 0))
        facts.outcomes[(contract_id, index)] = (
            met + (count if outcome == "met" else 0),
            total + count,
        )
    # Restoration times: a narrow filter first, so the outcome is computed for those only.
    restored_in = (
        select(
            col(Incident.contract_id).label("contract_id"),
            instant.label("instant"),
            col(IncidentTarget.consumed_seconds).label("consumed"),
        )
        .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
        .where(
            col(IncidentTarget.kind) == "restoration",
            col(IncidentTarget.milestone_at).is_not(None),
            col(Incident.contract_id).in_(ids),
            state.in_(("met", "breached")),
        )
        .cte("restored")
        .prefix_with("MATERIALIZED")
    )
    restored = select(
        restored_in.c.contract_id,
        _month_of(restored_in.c.instant, months),
        restored_in.c.consumed,
    ).where(restored_in.c.instant >= window[0], restored_in.c.instant < window[1])
    for contract_id, index, seconds in connection.execute(restored):
        if index is not None:
            facts.restorations.setdefault((contract_id, index), []).append(seconds)
    reported_month = _month_of(col(Incident.reported_at), months)
    reported = (
        select(
            col(Incident.contract_id),
            reported_month,
            col(Incident.current_severity),
            func.count(),
        )
        .where(
            col(Incident.contract_id).in_(ids),
            col(Incident.reported_at) >= window[0],
            col(Incident.reported_at) < window[1],
        )
        .group_by(col(Incident.contract_id), reported_month, col(Incident.current_severity))
    )
    for contract_id, index, severity, count in connection.execute(reported):
        if index is not None:
            facts.reported[(contract_id, index, severity)] = count
    return facts


def load_facts(session: Session, scope: Scope, period: Period, *, as_of: datetime) -> Facts:
    """Contracts in scope; in detail, the incidents that matter to the period (reported in it,
    still open at its end, with a target decided or a requalification or exclusion in it) and
    their targets; the twelve months in aggregate; requalifications, exclusions, outages."""
    contracts = _contract_facts(session, scope, period)
    ids = [c.id for c in contracts]
    start, end = period.start, period.end
    # Through the connection: plain rows, without the ORM's per-row work.
    connection = session.connection()
    decided_here = (
        select(col(IncidentTarget.incident_id))
        .where(
            or_(
                and_(col(IncidentTarget.deadline) >= start, col(IncidentTarget.deadline) < end),
                and_(
                    col(IncidentTarget.milestone_at) >= start,
                    col(IncidentTarget.milestone_at) < end,
                ),
                and_(
                    col(IncidentTarget.excluded_at) >= start,
                    col(IncidentTarget.excluded_at) < end,
                ),
            )
        )
        .scalar_subquery()
    )
    changed_here = (
        select(col(IncidentEvent.incident_id))
        .where(
            col(IncidentEvent.kind).in_(
                (EventKind.requalified.value, EventKind.exclusion_invoked.value)
            ),
            col(IncidentEvent.occurred_at) >= start,
            col(IncidentEvent.occurred_at) < end,
        )
        .scalar_subquery()
    )
    relevant = and_(
        col(Incident.contract_id).in_(ids),
        col(Incident.reported_at) < end,
        or_(
            col(Incident.reported_at) >= start,
            col(Incident.ended_at).is_(None),
            col(Incident.ended_at) >= end,
            col(Incident.id).in_(decided_here),
            col(Incident.id).in_(changed_here),
        ),
    )
    rows = connection.execute(
        select(
            col(Incident.id),
            col(Incident.contract_id),
            col(Incident.title),
            col(Incident.current_severity),
            col(Incident.reported_at),
            col(Incident.ended_at),
        ).where(relevant)
    ).all()
    incidents = [IncidentFact(*cast(tuple[Any, ...], row)) for row in rows]
    targets = [
        TargetFact(*cast(tuple[Any, ...], row))
        for row in connection.execute(
            select(
                col(IncidentTarget.incident_id),
                col(IncidentTarget.key),
                col(IncidentTarget.kind),
                col(IncidentTarget.label),
                col(IncidentTarget.article),
                col(IncidentTarget.business),
                col(IncidentTarget.status),
                col(IncidentTarget.deadline),
                col(IncidentTarget.milestone_at),
                col(IncidentTarget.excluded_at),
                col(IncidentTarget.total_seconds),
                col(IncidentTarget.consumed_seconds),
            )
            .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
            .where(relevant)
        ).all()
    ]
    return Facts(
        contracts=contracts,
        incidents=incidents,
        targets=targets,
        trend=_trend_facts(connection, ids, period, as_of),
        changes=_changes(session, ids, period, {i.id: i for i in incidents}),
        outages=[
            OutageFact(o.id or 0, o.contract_id, o.service, o.started_at, o.ended_at, o.cause)
            for o in session.execute(
                select(Outage).where(
                    col(Outage.contract_id).in_(ids),
                    col(Outage.cancelled_at).is_(None),
                    col(Outage.started_at) < period.end,
                    or_(col(Outage.ended_at).is_(None), col(Outage.ended_at) > period.start),
                )
            ).scalars()
        ],
    )


def _changes(
    session: Session, contract_ids: list[int], period: Period, incidents: dict[int, IncidentFact]
) -> list[ChangeFact]:
    """Requalifications (with the severity before) and exclusions of incidents with one in the
    period; cancelled events are left out."""
    touched = (
        session.execute(
            select(col(IncidentEvent.incident_id))
            .join(Incident, col(Incident.id) == col(IncidentEvent.incident_id))
            .where(
                col(Incident.contract_id).in_(contract_ids),
                col(IncidentEvent.kind).in_(
                    (EventKind.requalified.value, EventKind.exclusion_invoked.value)
                ),
                and_(
                    col(IncidentEvent.occurred_at) >= period.start,
                    col(IncidentEvent.occurred_at) < period.end,
                ),
            )
            .distinct()
        )
        .scalars()
        .all()
    )
    if not touched:
        return []
    e = IncidentEvent
    events = (
        session.connection()
        .execute(
            select(
                col(e.id),
                col(e.incident_id),
                col(e.kind),
                col(e.occurred_at),
                col(e.severity),
                col(e.exclusion),
                col(e.target),
                col(e.cancels_id),
                col(e.text),
            )
            .where(col(e.incident_id).in_(touched))
            .order_by(col(e.occurred_at), col(e.id))
        )
        .all()
    )
    cancelled = {e.cancels_id for e in events if e.kind == EventKind.cancellation.value}
    initial: dict[int, str] = dict(
        session.execute(
            select(col(Incident.id), col(Incident.severity)).where(col(Incident.id).in_(touched))
        ).all()
    )
    severity: dict[int, str] = defaultdict(str)
    changes = []
    for event in events:
        if event.id in cancelled:
            continue
        current = severity[event.incident_id] or initial[event.incident_id]
        if event.kind == EventKind.requalified.value and event.severity:
            changes.append(
                ChangeFact(
                    event.incident_id,
                    event.kind,
                    event.occurred_at,
                    before=current,
                    after=event.severity,
                    reason=event.text,
                )
            )
            severity[event.incident_id] = event.severity
        elif event.kind == EventKind.exclusion_invoked.value:
            changes.append(
                ChangeFact(
                    event.incident_id,
                    event.kind,
                    event.occurred_at,
                    clause=event.exclusion or "",
                    target=event.target or "",
                    reason=event.text,
                )
            )
    return [c for c in changes if c.incident_id in incidents]


def make_report(session: Session, scope: Scope, period: Period, *, as_of: datetime) -> Report:
    """The report of a scope over a period, as known at `as_of`."""
    return build_report(
        load_facts(session, scope, period, as_of=as_of),
        period,
        scope=scope_label(session, scope),
        as_of=as_of,
    )
