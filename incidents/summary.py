"""What is stored beside an incident after every change, for lists, alerts and reports: its
next deadline, breach and warning instants, status, and its targets as rows. A cache of one
replay, written by one function (`store_summary`); `refresh_summary` recomputes it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col

from incidents.models import Incident, IncidentTarget
from incidents.replay import (
    IncidentView,
    document_for,
    events_of,
    replay_events,
    targets_of,
    to_engine,
)
from incidents.stored import ended_at, target_rows
from sla.contracts.document import ContractDocument
from sla.db import id_of
from sla.engine.alert_rules import Thresholds, thresholds
from sla.engine.lifecycle import IncidentState
from sla.engine.target_states import TargetState, summarize

# The [alerts] settings of the configuration: the default thresholds and the at-risk share.
AlertSettings = Mapping[str, Any]


def limits_for(
    document: ContractDocument, severity: str, alert_settings: AlertSettings
) -> Thresholds:
    """The alert thresholds of an incident of this severity: the severity's own, its
    contract's, or the configured defaults."""
    return thresholds(alert_settings, document.alerts, document.sla, severity)


def stored_targets_of(
    document: ContractDocument,
    state: IncidentState,
    *,
    now: datetime,
    alert_settings: AlertSettings,
) -> list[TargetState]:
    """The targets as they are stored: with the at-risk share and the warning instants of the
    thresholds of the severity the replay ends with (a requalification changes them)."""
    return targets_of(
        document.sla,
        state,
        now=now,
        at_risk_ratio=alert_settings["warn_used_ratio"],
        limits=limits_for(document, state.severity, alert_settings),
    )


def summary_values(state: IncidentState, targets: list[TargetState]) -> dict[str, Any]:
    """The incident's columns that a replay decides."""
    summary = summarize(targets)
    due = [t for t in (summary.warn_at, summary.breach_at) if t is not None]
    return {
        "status": state.status,
        "current_severity": state.severity,
        "next_deadline_at": summary.next_deadline_at,
        "next_target": summary.next_target,
        "breach_at": summary.breach_at,
        "warn_at": summary.warn_at,
        "next_alert_at": min(due) if due else None,
        "ended_at": ended_at(state),
    }


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


def replayed_view(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    alert_settings: AlertSettings,
) -> IncidentView:
    """The incident replayed once, its targets computed with the thresholds of the severity
    the replay ends with (a requalification changes them)."""
    document = document_for(session, incident)
    events = events_of(session, id_of(incident))
    # A maintenance job's `now` may be older than an event recorded since it started.
    now = max([now, *(e.occurred_at for e in events)])
    state = replay_events(incident, document.sla, [to_engine(e) for e in events], now)
    targets = stored_targets_of(document, state, now=now, alert_settings=alert_settings)
    return IncidentView(incident, events, state, targets, document.sla)


def store_summary(session: Session, view: IncidentView) -> None:
    """Write the summary and the targets of a view computed with its alert thresholds."""
    incident = view.incident
    for name, value in summary_values(view.state, view.targets).items():
        setattr(incident, name, value)
    session.add(incident)
    session.flush()
    incident_id = id_of(incident)
    store_targets(
        session, {incident_id: target_rows(incident_id, view.terms, view.state, view.targets)}
    )


def refresh_summary(
    session: Session, incident: Incident, *, now: datetime, alert_settings: AlertSettings
) -> IncidentView:
    """Recompute and store the incident's summary and targets (after an upgrade, a calendar
    or code change); returns the view it stored."""
    view = replayed_view(session, incident, now=now, alert_settings=alert_settings)
    store_summary(session, view)
    return view
