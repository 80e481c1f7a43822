"""The dashboard: open incidents, most urgent first, with counters per vendor.

The order and the badge come from one rule (`urgency`) over the summary stored with each
incident (breach, warning and next-deadline instants, a cache of its replay that a test
compares with fresh replays), so the page stays fast with many open incidents; only the rows
shown are replayed, for their targets and remaining time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from incidents.models import OPEN_STATUSES, Incident
from incidents.replay import views_of
from incidents.severity_labels import labels_of
from incidents.waiting import running_while_waiting
from sla.contracts.models import Contract, Vendor
from sla.engine.target_states import TargetState, TargetStatus, next_deadline


@dataclass(frozen=True)
class Row:
    incident: Incident
    vendor: str
    contract: str
    target: TargetState | None  # the one the state is about
    state: str  # one of URGENCY
    waiting: bool  # waiting on the customer or a third party (some clocks may still run)
    severity: str  # the label of its current severity in its contract version
    # The targets whose clock runs on during the wait, with the clause saying so.
    keeps_running: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VendorCount:
    vendor_id: int
    name: str
    open: int
    paused: int
    breached: int


URGENCY = ("breached", "at_risk", "running", "paused")


def urgency(incident: Incident, now: datetime) -> str:
    """Where an open incident stands, from what is stored with it (one rule for the order
    and the badge): breached once a deadline has passed without its milestone, at risk once
    its warning instant has come, running while a deadline is ahead, paused when every clock
    is stopped."""
    if incident.breach_at is not None and incident.breach_at <= now:
        return "breached"
    if incident.warn_at is not None and incident.warn_at <= now:
        return "at_risk"
    if incident.next_deadline_at is not None:
        return "running"
    return "paused"


def _urgency_order(now: datetime) -> list[Any]:
    """`urgency` as the database sorts it: breached (longest overdue first), at risk, running
    (soonest deadline first), paused."""
    breached = col(Incident.breach_at) <= now
    rank = case(
        (breached, 0),
        (col(Incident.warn_at) <= now, 1),
        (col(Incident.next_deadline_at).is_not(None), 2),
        else_=3,
    )
    return [
        rank,
        case((breached, col(Incident.breach_at)), else_=None),
        col(Incident.next_deadline_at),
        col(Incident.id),
    ]


def urgent_rows(
    session: Session, *, now: datetime, at_risk_ratio: float, limit: int = 100
) -> tuple[list[Row], int]:
    """The open incidents to show first, most urgent first, and how many are open."""
    total = session.exec(
        select(func.count()).select_from(Incident).where(col(Incident.status).in_(OPEN_STATUSES))
    ).one()
    query = (
        select(Incident, Vendor.name, Contract.reference)
        .join(Vendor, col(Vendor.id) == Incident.vendor_id)
        .join(Contract, col(Contract.id) == Incident.contract_id)
        .where(col(Incident.status).in_(OPEN_STATUSES))
        .order_by(*_urgency_order(now))
        .limit(limit)
    )
    found = session.exec(query).all()
    views = views_of(
        session, [incident for incident, _v, _r in found], now=now, at_risk_ratio=at_risk_ratio
    )
    rows: list[Row] = []
    for (incident, vendor, reference), view in zip(found, views, strict=True):
        state = urgency(incident, now)
        if state == "breached":
            late = [t for t in view.targets if t.status is TargetStatus.breached]
            target = min(late, key=lambda t: t.deadline or now) if late else None
        else:
            target = next_deadline(view.targets)
        severity = labels_of(view.terms).get(incident.current_severity, incident.current_severity)
        rows.append(
            Row(
                incident,
                vendor,
                reference,
                target,
                state,
                view.state.is_paused,
                severity,
                running_while_waiting(view),
            )
        )
    return rows, total


def vendor_counts(session: Session, *, now: datetime) -> list[VendorCount]:
    """Per vendor: open incidents, how many wait on us, how many are breached."""
    breached = func.sum(case((col(Incident.breach_at) <= now, 1), else_=0))
    paused = func.sum(case((col(Incident.status) == "paused", 1), else_=0))
    query = (
        select(col(Vendor.id), col(Vendor.name), func.count(col(Incident.id)), paused, breached)  # type: ignore[call-overload]
        .join(Incident, col(Incident.vendor_id) == Vendor.id)
        .where(col(Incident.status).in_(OPEN_STATUSES))
        .group_by(col(Vendor.id), col(Vendor.name))
        .order_by(col(Vendor.name))
    )
    return [
        VendorCount(v_id or 0, name, count, int(p or 0), int(b or 0))
        for v_id, name, count, p, b in session.exec(query)
    ]
