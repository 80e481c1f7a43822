"""An incident as its events say it is: load the events and the contract terms, replay them
with the SLA engine, compute the targets at an instant. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from incidents.models import Incident, IncidentEvent
from sla.contracts.document import ContractDocument
from sla.contracts.models import ContractVersion
from sla.contracts.service import document_of
from sla.db import id_of
from sla.engine.alert_rules import Thresholds
from sla.engine.lifecycle import Event, EventKind, IncidentState, replay
from sla.engine.target_states import DEFAULT_AT_RISK_RATIO, TargetState
from sla.engine.targets import compute_targets
from sla.engine.terms import SlaTerms
from sla.errors import NotFound


@dataclass(frozen=True)
class IncidentView:
    """An incident with what its events say and its targets at `now`."""

    incident: Incident
    events: list[IncidentEvent]
    state: IncidentState
    targets: list[TargetState]
    terms: SlaTerms


def document_for(session: Session, incident: Incident) -> ContractDocument:
    """The contract document in force when the incident was reported (its terms and alert
    rules); an amendment made later does not change it."""
    version = session.get(ContractVersion, incident.contract_version_id)
    if version is None:
        raise NotFound("incident.version_lost", incident_id=incident.id)
    return document_of(version)


def events_of(session: Session, incident_id: int) -> list[IncidentEvent]:
    """The incident's events in recording order."""
    return list(
        session.exec(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(col(IncidentEvent.id))
        )
    )


def events_by_incident(
    session: Session, incident_ids: Sequence[int]
) -> dict[int, list[IncidentEvent]]:
    """The events of several incidents in one query, each list in recording order."""
    grouped: dict[int, list[IncidentEvent]] = {i: [] for i in incident_ids}
    rows = session.exec(
        select(IncidentEvent)
        .where(col(IncidentEvent.incident_id).in_(incident_ids))
        .order_by(col(IncidentEvent.id))
    )
    for event in rows:
        grouped[event.incident_id].append(event)
    return grouped


def to_engine(event: IncidentEvent) -> Event:
    """A stored event as the lifecycle engine reads it."""
    return Event(
        id=id_of(event),
        kind=EventKind(event.kind),
        occurred_at=event.occurred_at,
        severity=event.severity,
        exclusion=event.exclusion,
        target=event.target,
        cancels=event.cancels_id,
        text=event.text,
    )


def replay_events(
    incident: Incident, terms: SlaTerms, events: Sequence[Event], now: datetime
) -> IncidentState:
    """The lifecycle replay of an incident's events (raises LifecycleError when the history
    is impossible)."""
    return replay(
        reported_at=incident.reported_at,
        severity=incident.severity,
        events=events,
        now=max(now, incident.reported_at),
        severities=terms.severity_keys(),
        exclusions=[e.key for e in terms.exclusions],
    )


def targets_of(
    terms: SlaTerms,
    state: IncidentState,
    *,
    now: datetime,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    limits: Thresholds | None = None,
) -> list[TargetState]:
    """The targets of a replayed state at `now` (with warning instants when `limits` are
    given)."""
    return compute_targets(
        terms,
        state,
        now,
        at_risk_ratio=at_risk_ratio,
        warn_ratio=limits.warn_ratio if limits else None,
        warn_remaining_seconds=limits.warn_remaining_seconds if limits else 0.0,
    )


def view_of(
    incident: Incident,
    events: list[IncidentEvent],
    terms: SlaTerms,
    *,
    now: datetime,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    limits: Thresholds | None = None,
) -> IncidentView:
    """The view from already loaded events and terms (the sweep loads them in batches)."""
    state = replay_events(incident, terms, [to_engine(e) for e in events], now)
    targets = targets_of(terms, state, now=now, at_risk_ratio=at_risk_ratio, limits=limits)
    return IncidentView(incident, events, state, targets, terms)


def view_incident(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    limits: Thresholds | None = None,
) -> IncidentView:
    """The incident's events, state and targets at `now`."""
    return view_of(
        incident,
        events_of(session, id_of(incident)),
        document_for(session, incident).sla,
        now=now,
        at_risk_ratio=at_risk_ratio,
        limits=limits,
    )


def views_of(
    session: Session,
    incidents: Sequence[Incident],
    *,
    now: datetime,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
) -> list[IncidentView]:
    """Views of many incidents, their events loaded in one query (lists, dashboards)."""
    events = events_by_incident(session, [id_of(i) for i in incidents])
    return [
        view_of(
            i,
            events[id_of(i)],
            document_for(session, i).sla,
            now=now,
            at_risk_ratio=at_risk_ratio,
        )
        for i in incidents
    ]
