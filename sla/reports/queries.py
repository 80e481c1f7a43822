"""Load the facts a report needs (a service: reads only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from calendars.engine import compiled
from incidents.models import Incident, IncidentEvent, IncidentTarget
from sla.contracts.models import Contract, Vendor
from sla.contracts.periods import add_months
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
    PriceFact,
    Report,
    TargetFact,
    build_report,
)

# Targets measured in business days can run for weeks: incidents reported this long before
# the trend window are loaded too, so that what they decided inside it is counted.
LOOKBACK = timedelta(days=120)


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
                prices=tuple(
                    PriceFact(p.label, p.unit, p.amount_ht, p.minutes, p.severities)
                    for p in document.contract.unit_prices
                ),
                periods=contract_periods(contract, after),
            )
        )
    return facts


def load_facts(session: Session, scope: Scope, period: Period) -> Facts:
    """Contracts in scope; their incidents that matter to the period or the twelve months
    before it (reported in the window, or still open at its start); their stored targets,
    requalifications, exclusions and outages."""
    contracts = _contract_facts(session, scope, period)
    ids = [c.id for c in contracts]
    window_start = Period(add_months(period.first.replace(day=1), -11), period.last, period.zone)
    start, end = window_start.start, period.end
    # Through the connection: plain rows, without the ORM's per-row work (50,000 of them).
    connection = session.connection()
    rows = connection.execute(
        select(
            col(Incident.id),
            col(Incident.contract_id),
            col(Incident.title),
            col(Incident.current_severity),
            col(Incident.reported_at),
            col(Incident.ended_at),
        ).where(
            col(Incident.contract_id).in_(ids),
            col(Incident.reported_at) < end,
            or_(
                col(Incident.reported_at) >= start - LOOKBACK,
                col(Incident.ended_at).is_(None),
                col(Incident.ended_at) >= start,
            ),
        )
    ).all()
    incidents = [IncidentFact(*cast(tuple[Any, ...], row)) for row in rows]
    wanted = {i.id for i in incidents}
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
            .where(
                col(Incident.contract_id).in_(ids),
                col(Incident.reported_at) < end,
                or_(
                    col(Incident.reported_at) >= start - LOOKBACK,
                    col(Incident.ended_at).is_(None),
                    col(Incident.ended_at) >= start,
                ),
            )
        ).all()
        if row[0] in wanted
    ]
    return Facts(
        contracts=contracts,
        incidents=incidents,
        targets=targets,
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
    events = (
        session.execute(
            select(IncidentEvent)
            .where(col(IncidentEvent.incident_id).in_(touched))
            .order_by(col(IncidentEvent.occurred_at), col(IncidentEvent.id))
        )
        .scalars()
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
    return build_report(
        load_facts(session, scope, period), period, scope=scope_label(session, scope), as_of=as_of
    )
