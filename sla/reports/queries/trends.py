"""The twelve months ending with the report's, counted by the database: only counts and
restoration times come back, keyed by contract and month index."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, func, select
from sqlmodel import col

from incidents.models import Incident, IncidentTarget
from sla.reports.figures import Period, TrendFacts, trend_months
from sla.reports.queries.outcomes import decided_state, month_index


def trend_facts(
    connection: Connection, contract_ids: list[int], period: Period, as_of: datetime
) -> TrendFacts:
    """Twelve months counted by the database: only counts and restoration times come back."""
    months = trend_months(period)
    return TrendFacts(
        months,
        outcomes=_outcomes_per_month(connection, contract_ids, months, as_of),
        restorations=_restoration_times_per_month(connection, contract_ids, months, as_of),
        reported=_reported_per_month(connection, contract_ids, months),
    )


def _outcomes_per_month(
    connection: Connection, contract_ids: list[int], months: list[Period], as_of: datetime
) -> dict[tuple[int, int], tuple[int, int]]:
    """(targets met, targets decided) per contract and month, by the instant they were decided."""
    window_start, window_end = months[0].start, months[-1].end
    state, decided_at = decided_state(as_of)
    # Each target's outcome computed once (a materialised CTE: inlined, the month CASE would
    # evaluate the outcome CASE once per month bound), then bucketed by month.
    outcomes = (
        select(
            col(Incident.contract_id).label("contract_id"),
            state.label("state"),
            decided_at.label("instant"),
            col(IncidentTarget.kind).label("kind"),
            col(IncidentTarget.milestone_at).label("milestone_at"),
            col(IncidentTarget.consumed_seconds).label("consumed"),
        )
        .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
        .where(col(Incident.contract_id).in_(contract_ids))
        .cte("outcomes")
        .prefix_with("MATERIALIZED")
    )
    month = month_index(outcomes.c.instant, months)
    counted = (
        select(outcomes.c.contract_id, month, outcomes.c.state, func.count())
        .where(
            outcomes.c.state.in_(("met", "breached")),
            outcomes.c.instant >= window_start,
            outcomes.c.instant < window_end,
        )
        .group_by(outcomes.c.contract_id, month, outcomes.c.state)
    )
    met_and_decided: dict[tuple[int, int], tuple[int, int]] = {}
    for contract_id, index, outcome, count in connection.execute(counted):
        if index is None:
            continue
        met, decided = met_and_decided.get((contract_id, index), (0, 0))
        met_and_decided[(contract_id, index)] = (
            met + (count if outcome == "met" else 0),
            decided + count,
        )
    return met_and_decided


def _restoration_times_per_month(
    connection: Connection, contract_ids: list[int], months: list[Period], as_of: datetime
) -> dict[tuple[int, int], list[float]]:
    """The business seconds each decided restoration took, per contract and month decided."""
    window_start, window_end = months[0].start, months[-1].end
    state, decided_at = decided_state(as_of)
    # Restoration times: a narrow filter first, so the outcome is computed for those only.
    restorations = (
        select(
            col(Incident.contract_id).label("contract_id"),
            decided_at.label("instant"),
            col(IncidentTarget.consumed_seconds).label("consumed"),
        )
        .join(Incident, col(Incident.id) == col(IncidentTarget.incident_id))
        .where(
            col(IncidentTarget.kind) == "restoration",
            col(IncidentTarget.milestone_at).is_not(None),
            col(Incident.contract_id).in_(contract_ids),
            state.in_(("met", "breached")),
        )
        .cte("restored")
        .prefix_with("MATERIALIZED")
    )
    in_window = select(
        restorations.c.contract_id,
        month_index(restorations.c.instant, months),
        restorations.c.consumed,
    ).where(restorations.c.instant >= window_start, restorations.c.instant < window_end)
    seconds_taken: dict[tuple[int, int], list[float]] = {}
    for contract_id, index, seconds in connection.execute(in_window):
        if index is not None:
            seconds_taken.setdefault((contract_id, index), []).append(seconds)
    return seconds_taken


def _reported_per_month(
    connection: Connection, contract_ids: list[int], months: list[Period]
) -> dict[tuple[int, int, str], int]:
    """Incidents reported per contract, month and current severity."""
    window_start, window_end = months[0].start, months[-1].end
    reported_month = month_index(col(Incident.reported_at), months)
    reported = (
        select(
            col(Incident.contract_id),
            reported_month,
            col(Incident.current_severity),
            func.count(),
        )
        .where(
            col(Incident.contract_id).in_(contract_ids),
            col(Incident.reported_at) >= window_start,
            col(Incident.reported_at) < window_end,
        )
        .group_by(col(Incident.contract_id), reported_month, col(Incident.current_severity))
    )
    counts: dict[tuple[int, int, str], int] = {}
    for contract_id, index, severity, count in connection.execute(reported):
        if index is not None:
            counts[(contract_id, index, severity)] = count
    return counts
