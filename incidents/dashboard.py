"""The dashboard: open incidents, most urgent first, with counters per vendor.

Ordering and counters come from the summary stored with each incident (next deadline, breach
instant), so the page stays fast with many open incidents; only the rows shown are computed
by the SLA engine, for their live state and remaining time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from incidents.models import Incident
from incidents.replay import views_of
from sla.contracts.models import Contract, Vendor
from sla.engine.target_states import TargetState, next_deadline

OPEN = ("open", "paused")


@dataclass(frozen=True)
class Row:
    incident: Incident
    vendor: str
    contract: str
    target: TargetState | None
    state: str  # running, paused, at_risk, breached


@dataclass(frozen=True)
class VendorCount:
    vendor_id: int
    name: str
    open: int
    paused: int
    breached: int


def urgent_rows(
    session: Session, *, now: datetime, at_risk_ratio: float, limit: int = 100
) -> tuple[list[Row], int]:
    """The open incidents to show first, and how many are open."""
    ratio = at_risk_ratio
    total = session.exec(
        select(func.count()).select_from(Incident).where(col(Incident.status).in_(OPEN))
    ).one()
    query = (
        select(Incident, Vendor.name, Contract.reference)
        .join(Vendor, col(Vendor.id) == Incident.vendor_id)
        .join(Contract, col(Contract.id) == Incident.contract_id)
        .where(col(Incident.status).in_(OPEN))
        # Soonest deadline first; breached ones have theirs in the past; paused ones last.
        .order_by(
            case((col(Incident.next_deadline_at).is_(None), 1), else_=0),
            col(Incident.next_deadline_at),
            col(Incident.id),
        )
        .limit(limit)
    )
    found = session.exec(query).all()
    views = views_of(
        session, [incident for incident, _v, _r in found], now=now, at_risk_ratio=ratio
    )
    rows: list[Row] = []
    for (incident, vendor, reference), view in zip(found, views, strict=True):
        target = next_deadline(view.targets)
        if view.state.is_paused:
            state = "paused"
        elif any(t.status.value == "breached" for t in view.targets):
            state = "breached"
        elif target is not None and target.status.value == "at_risk":
            state = "at_risk"
        else:
            state = "running"
        rows.append(Row(incident, vendor, reference, target, state))
    return rows, total


def vendor_counts(session: Session, *, now: datetime) -> list[VendorCount]:
    """Per vendor: open incidents, how many wait on us, how many are breached."""
    breached = func.sum(case((col(Incident.breach_at) <= now, 1), else_=0))
    paused = func.sum(case((col(Incident.status) == "paused", 1), else_=0))
    query = (
        select(col(Vendor.id), col(Vendor.name), func.count(col(Incident.id)), paused, breached)  # type: ignore[call-overload]
        .join(Incident, col(Incident.vendor_id) == Vendor.id)
        .where(col(Incident.status).in_(OPEN))
        .group_by(col(Vendor.id), col(Vendor.name))
        .order_by(col(Vendor.name))
    )
    return [
        VendorCount(v_id or 0, name, count, int(p or 0), int(b or 0))
        for v_id, name, count, p, b in session.exec(query)
    ]
