"""Incident services: report, record events (append-only), compute targets, list.

Every rule of the lifecycle lives in the pure engine (`sla.engine.lifecycle`); these services
load, check with it, and write. They flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from incidents.models import CHANNELS, Incident, IncidentEvent, IncidentTarget
from incidents.stored import ended_at, target_rows
from sla.config import defaults
from sla.contracts.models import ContractVersion
from sla.contracts.service import document_of, get_contract, terms_of, version_in_force
from sla.db import id_of
from sla.engine.alert_rules import Thresholds, thresholds
from sla.engine.lifecycle import Event, EventKind, IncidentState, LifecycleError, replay
from sla.engine.targets import DEFAULT_AT_RISK_RATIO, TargetState, compute_targets, summarize
from sla.engine.terms import SlaTerms
from sla.errors import DomainError, NotFound


class Conflict(DomainError):
    """The incident changed since the caller read it (another agent updated it)."""


@dataclass(frozen=True)
class IncidentView:
    """An incident with what its events say and its targets at `now`."""

    incident: Incident
    events: list[IncidentEvent]
    state: IncidentState
    targets: list[TargetState]
    terms: SlaTerms


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError("give a date and time with its offset", field=field)
    return value


def report_incident(
    session: Session,
    *,
    contract_id: int,
    severity: str,
    title: str,
    reported_at: datetime,
    now: datetime,
    user_id: int | None,
    description: str = "",
    service: str = "",
    channel: str = "phone",
    vendor_ticket_ref: str = "",
) -> Incident:
    """Record an incident. Heure H may be in the past (agents log after the call), never in
    the future; the contract version in force that day is kept with it."""
    contract = get_contract(session, contract_id)
    reported_at = _aware(reported_at, "reported_at")
    if reported_at > now:
        raise DomainError("heure H cannot be in the future", field="reported_at")
    if not title.strip():
        raise DomainError("give a title", field="title")
    if len(title) > 300:
        raise DomainError("300 characters at most", field="title")
    if channel not in CHANNELS:
        raise DomainError(f"one of {', '.join(CHANNELS)}", field="channel")
    if service and contract.services and service not in contract.services:
        raise DomainError(
            f"not a service of this contract ({', '.join(contract.services)})", field="service"
        )
    version = version_in_force(session, contract, reported_at.date())
    terms = terms_of(version)
    if severity not in terms.severity_keys():
        raise DomainError(
            f"unknown severity; this contract has {', '.join(terms.severity_keys())}",
            field="severity",
        )
    version_id = id_of(version)
    incident = Incident(
        vendor_id=contract.vendor_id,
        contract_id=contract_id,
        contract_version_id=version_id,
        service=service,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        current_severity=severity,
        reporter_id=user_id,
        reported_at=reported_at,
        channel=channel,
        vendor_ticket_ref=vendor_ticket_ref.strip()[:100],
        created_at=now,
        created_by_id=user_id,
    )
    session.add(incident)
    session.flush()
    refresh_summary(session, incident, now=now)
    return incident


def get_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id}", field="incident_id")
    return incident


def events_of(session: Session, incident_id: int) -> list[IncidentEvent]:
    return list(
        session.exec(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(col(IncidentEvent.id))
        )
    )


def to_engine(event: IncidentEvent) -> Event:
    event_id = id_of(event)
    return Event(
        id=event_id,
        kind=EventKind(event.kind),
        occurred_at=event.occurred_at,
        severity=event.severity,
        exclusion=event.exclusion,
        target=event.target,
        cancels=event.cancels_id,
        text=event.text,
    )


def _terms(session: Session, incident: Incident) -> SlaTerms:
    version = session.get(ContractVersion, incident.contract_version_id)
    if version is None:
        raise NotFound(f"incident {incident.id} has lost its contract version")
    return terms_of(version)


def _replay(
    incident: Incident, terms: SlaTerms, events: Sequence[Event], now: datetime
) -> IncidentState:
    return replay(
        reported_at=incident.reported_at,
        severity=incident.severity,
        events=events,
        now=now,
        severities=terms.severity_keys(),
        exclusions=[e.key for e in terms.exclusions],
    )


def record_event(
    session: Session,
    incident: Incident,
    *,
    kind: EventKind,
    occurred_at: datetime,
    now: datetime,
    user_id: int | None,
    expected_revision: int,
    severity: str | None = None,
    exclusion: str | None = None,
    target: str | None = None,
    cancels: int | None = None,
    text: str = "",
) -> IncidentEvent:
    """Append an event after checking the whole history with it stays possible.

    `expected_revision` is the revision the caller saw: if the incident changed since, the
    event is refused with Conflict (never a silent overwrite).
    """
    occurred_at = _aware(occurred_at, "occurred_at")
    if kind is EventKind.cancellation and cancels is None:
        raise DomainError("say which event is cancelled", field="cancels")
    if kind is EventKind.cancellation and not text.strip():
        raise DomainError("say why the event is cancelled", field="text")
    if kind is EventKind.comment and not text.strip():
        raise DomainError("write the comment", field="text")
    terms = _terms(session, incident)
    if kind is EventKind.exclusion_invoked and target is not None:
        keys = [t.key for s in terms.severities for t in s.targets]
        if target not in keys:
            raise DomainError(f"unknown target {target!r}", field="target")
    incident_id = id_of(incident)
    existing = events_of(session, incident_id)
    if cancels is not None and not any(e.id == cancels for e in existing):
        raise DomainError(f"incident {incident.id} has no event {cancels}", field="cancels")
    candidate = Event(
        id=max((e.id or 0 for e in existing), default=0) + 1,
        kind=kind,
        occurred_at=occurred_at,
        severity=severity,
        exclusion=exclusion,
        target=target,
        cancels=cancels,
        text=text,
    )
    try:
        state = _replay(incident, terms, [*map(to_engine, existing), candidate], now)
    except LifecycleError as error:
        raise DomainError(str(error), field="kind") from None
    # Optimistic lock: only the caller who saw the current revision may change the incident.
    changed = session.execute(
        update(Incident)
        .where(col(Incident.id) == incident.id, col(Incident.revision) == expected_revision)
        .values(
            revision=expected_revision + 1, status=state.status, current_severity=state.severity
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(incident)
        raise Conflict(
            f"incident {incident.id} was changed by someone else (revision {incident.revision}, "
            f"you saw {expected_revision}): reload it and try again",
            field="revision",
        )
    event = IncidentEvent(
        incident_id=incident_id,
        kind=kind.value,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by_id=user_id,
        severity=severity,
        exclusion=exclusion,
        target=target,
        cancels_id=cancels,
        text=text.strip(),
    )
    session.add(event)
    session.flush()
    session.refresh(incident)
    refresh_summary(session, incident, now=now)
    return event


def alert_thresholds(
    session: Session, incident: Incident, alert_defaults: Mapping[str, Any] | None = None
) -> Thresholds:
    """The alert thresholds of an incident: its severity's, its contract's, or the defaults."""
    version = session.get(ContractVersion, incident.contract_version_id)
    if version is None:
        raise NotFound(f"incident {incident.id} has lost its contract version")
    document = document_of(version)
    return thresholds(
        alert_defaults or defaults("alerts"),
        document.alerts,
        document.sla,
        incident.current_severity,
    )


def refresh_summary(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    alert_defaults: Mapping[str, Any] | None = None,
) -> IncidentView:
    """Recompute the incident's targets and store what lists and alerts need: the next
    deadline, the breach instant and the warning instant."""
    # The severity may just have changed (a requalification): the thresholds follow it.
    limits = alert_thresholds(session, incident, alert_defaults)
    view = view_incident(session, incident, now=now, limits=limits)
    if view.state.severity != incident.current_severity:
        incident.current_severity = view.state.severity
        limits = alert_thresholds(session, incident, alert_defaults)
        view = view_incident(session, incident, now=now, limits=limits)
    targets = view.targets
    summary = summarize(targets)
    incident.next_deadline_at = summary.next_deadline_at
    incident.next_target = summary.next_target
    incident.breach_at = summary.breach_at
    incident.warn_at = summary.warn_at
    due = [t for t in (summary.warn_at, summary.breach_at) if t is not None]
    incident.next_alert_at = min(due) if due else None
    incident.status = view.state.status
    incident.current_severity = view.state.severity
    incident.ended_at = ended_at(view.state)
    session.add(incident)
    session.flush()
    store_targets(session, {id_of(incident): target_rows(id_of(incident), view.state, targets)})
    return view


def backfill_targets(session: Session, *, now: datetime) -> int:
    """Store the targets of incidents that have none stored (recorded before revision 0005).
    One indexed anti-join when there is nothing to do."""
    missing = session.exec(
        select(Incident).where(
            ~select(IncidentTarget.incident_id)
            .where(IncidentTarget.incident_id == Incident.id)
            .exists()
        )
    ).all()
    for incident in missing:
        refresh_summary(session, incident, now=now)
    return len(missing)


def store_targets(session: Session, rows_by_incident: Mapping[int, list[dict[str, Any]]]) -> None:
    """Replace the stored targets of these incidents (a derived copy; the events stay)."""
    ids = list(rows_by_incident)
    for start in range(0, len(ids), 500):
        session.execute(
            delete(IncidentTarget).where(
                col(IncidentTarget.incident_id).in_(ids[start : start + 500])
            )
        )
    rows = [row for group in rows_by_incident.values() for row in group]
    if rows:
        session.execute(insert(IncidentTarget), rows)


def view_incident(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    at_risk_ratio: float = DEFAULT_AT_RISK_RATIO,
    limits: Thresholds | None = None,
) -> IncidentView:
    """The incident's events, state and targets at `now` (with warning instants when
    `limits` are given)."""
    events = events_of(session, id_of(incident))
    return view_of(
        incident,
        events,
        _terms(session, incident),
        now=now,
        at_risk_ratio=at_risk_ratio,
        limits=limits,
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
    state = _replay(incident, terms, [to_engine(e) for e in events], max(now, incident.reported_at))
    targets = compute_targets(
        terms,
        state,
        now,
        at_risk_ratio=at_risk_ratio,
        warn_ratio=limits.warn_ratio if limits else None,
        warn_remaining_seconds=limits.warn_remaining_seconds if limits else 0.0,
    )
    return IncidentView(incident, events, state, targets, terms)


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
        view_of(i, events[id_of(i)], _terms(session, i), now=now, at_risk_ratio=at_risk_ratio)
        for i in incidents
    ]


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


def list_incidents(
    session: Session,
    *,
    vendor_id: int | None = None,
    contract_id: int | None = None,
    status: str | None = None,
    severity: str | None = None,
    open_only: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Incident], int]:
    from sqlmodel import func

    query = select(Incident)
    if vendor_id is not None:
        query = query.where(Incident.vendor_id == vendor_id)
    if contract_id is not None:
        query = query.where(Incident.contract_id == contract_id)
    if status:
        query = query.where(Incident.status == status)
    if open_only:
        query = query.where(col(Incident.status).in_(("open", "paused")))
    if severity:
        query = query.where(Incident.current_severity == severity)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Incident.reported_at).desc(), col(Incident.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total
