"""Requalifications (with the severity before) and exclusions: the events of the incidents with
one in the period, replayed in order, cancelled events left out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, select
from sqlmodel import Session, col

from incidents.models import Incident, IncidentEvent
from sla.engine.lifecycle import EventKind
from sla.reports.figures import ChangeFact, Period

CHANGE_KINDS = (EventKind.requalified.value, EventKind.exclusion_invoked.value)


def change_facts(
    session: Session, contract_ids: list[int], period: Period, shown: set[int]
) -> list[ChangeFact]:
    """Requalifications (with the severity before) and exclusions of incidents with one in the
    period; cancelled events are left out. Only those of the incidents `shown` are kept."""
    changed = _incidents_changed_in(session, contract_ids, period)
    if not changed:
        return []
    events = _events_of(session, changed)
    reported_severities = _reported_severities(session, changed)
    changes = _replayed_changes(events, reported_severities)
    return [change for change in changes if change.incident_id in shown]


def _incidents_changed_in(
    session: Session, contract_ids: list[int], period: Period
) -> Sequence[int]:
    """The incidents of the contracts requalified or excluded in the period."""
    return (
        session.execute(
            select(col(IncidentEvent.incident_id))
            .join(Incident, col(Incident.id) == col(IncidentEvent.incident_id))
            .where(
                col(Incident.contract_id).in_(contract_ids),
                col(IncidentEvent.kind).in_(CHANGE_KINDS),
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


def _events_of(session: Session, incident_ids: Sequence[int]) -> Sequence[Row[*tuple[Any, ...]]]:
    """Every event of the incidents, in the order they occurred (plain rows)."""
    return (
        session.connection()
        .execute(
            select(
                col(IncidentEvent.id),
                col(IncidentEvent.incident_id),
                col(IncidentEvent.kind),
                col(IncidentEvent.occurred_at),
                col(IncidentEvent.severity),
                col(IncidentEvent.exclusion),
                col(IncidentEvent.target),
                col(IncidentEvent.cancels_id),
                col(IncidentEvent.text),
            )
            .where(col(IncidentEvent.incident_id).in_(incident_ids))
            .order_by(col(IncidentEvent.occurred_at), col(IncidentEvent.id))
        )
        .all()
    )


def _reported_severities(session: Session, incident_ids: Sequence[int]) -> dict[int, str]:
    """The severity each incident was reported with (requalifications are events)."""
    return dict(
        session.execute(
            select(col(Incident.id), col(Incident.severity)).where(
                col(Incident.id).in_(incident_ids)
            )
        ).all()
    )


def _replayed_changes(
    events: Sequence[Row[*tuple[Any, ...]]], reported_severities: dict[int, str]
) -> list[ChangeFact]:
    """The requalifications and exclusions among the events, in order, each requalification
    with the severity before it; cancelled events are left out."""
    cancelled = {event.cancels_id for event in events if event.kind == EventKind.cancellation.value}
    severity_now = dict(reported_severities)
    changes = []
    for event in events:
        if event.id in cancelled:
            continue
        if event.kind == EventKind.requalified.value and event.severity:
            changes.append(
                ChangeFact(
                    event.incident_id,
                    event.kind,
                    event.occurred_at,
                    before=severity_now[event.incident_id],
                    after=event.severity,
                    reason=event.text,
                )
            )
            severity_now[event.incident_id] = event.severity
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
    return changes
