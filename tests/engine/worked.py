"""What the engine tests share: an event, and an incident replayed into its state and its
targets at an instant (the contract's severities and exclusion clauses known)."""

from __future__ import annotations

from datetime import datetime

from sla.engine.lifecycle import Event, EventKind, IncidentState, replay
from sla.engine.target_states import TargetState
from sla.engine.targets import compute_targets
from sla.engine.terms import SlaTerms


def ev(n: int, kind: EventKind, when: datetime, **extra: object) -> Event:
    return Event(id=n, kind=kind, occurred_at=when, **extra)  # type: ignore[arg-type]


def replayed(
    sla: SlaTerms, severity: str, reported: datetime, events: list[Event], now: datetime
) -> IncidentState:
    return replay(
        reported_at=reported,
        severity=severity,
        events=events,
        now=now,
        severities=sla.severity_keys(),
        exclusions=[e.key for e in sla.exclusions],
    )


def targets(
    sla: SlaTerms, severity: str, reported: datetime, events: list[Event], now: datetime
) -> dict[str, TargetState]:
    """The incident's targets at `now`, by key."""
    state = replayed(sla, severity, reported, events, now)
    return {t.key: t for t in compute_targets(sla, state, now)}
