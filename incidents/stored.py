"""What the incident service stores beside an incident after every change, computed from the
SLA engine's output (pure): its targets as rows and when it ended."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sla.engine.lifecycle import IncidentState
from sla.engine.target_states import TargetState, TargetStatus
from sla.engine.targets import excluded_targets
from sla.engine.terms import SlaTerms


def ended_at(state: IncidentState) -> datetime | None:
    """When the current episode ended: resolved by the vendor or closed by us."""
    ends = [t for t in (state.resolved_at, state.closed_at) if t is not None]
    return min(ends) if ends else None


def target_rows(
    incident_id: int, terms: SlaTerms, state: IncidentState, targets: Iterable[TargetState]
) -> list[dict[str, Any]]:
    """One `incident_targets` row per target."""
    exclusions = excluded_targets(terms, state)
    rows = []
    for target in targets:
        excluded_at = None
        if target.status is TargetStatus.excluded:
            excluded_at = exclusions.get(target.key)
        rows.append(
            {
                "incident_id": incident_id,
                "key": target.key,
                "kind": target.kind.value,
                "label": target.label[:200],
                "article": target.article[:200],
                "business": target.business,
                "status": target.status.value,
                "deadline": target.deadline,
                "milestone_at": target.milestone_at,
                "excluded_at": excluded_at,
                "total_seconds": target.total_seconds,
                "consumed_seconds": target.consumed_seconds,
            }
        )
    return rows
