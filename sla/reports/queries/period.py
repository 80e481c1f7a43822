"""The period in detail: the incidents that matter to it and their stored targets (as plain
rows), the outages in it."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, and_, or_, select
from sqlmodel import Session, col

from incidents.models import Incident, IncidentEvent, IncidentTarget
from sla.outages.models import Outage
from sla.reports.figures import IncidentFact, OutageFact, Period, TargetFact
from sla.reports.queries.changes import CHANGE_KINDS


def relevant_incidents(contract_ids: list[int], period: Period) -> ColumnElement[bool]:
    """The condition on incidents of the contracts that matter to the period: reported before
    its end and either reported in it, still open at its end, with a target decided in it or
    with a requalification or exclusion in it."""
    start, end = period.start, period.end
    return and_(
        col(Incident.contract_id).in_(contract_ids),
        col(Incident.reported_at) < end,
        or_(
            col(Incident.reported_at) >= start,
            col(Incident.ended_at).is_(None),
            col(Incident.ended_at) >= end,
            col(Incident.id).in_(_decided_in(period)),
            col(Incident.id).in_(_changed_in(period)),
        ),
    )


def _decided_in(period: Period) -> Any:
    """The incidents with a target whose deadline, milestone or exclusion falls in the period."""
    start, end = period.start, period.end
    return (
        select(col(IncidentTarget.incident_id))
        .where(
            or_(
                and_(col(IncidentTarget.deadline) >= start, col(IncidentTarget.deadline) < end),
                and_(
                    col(IncidentTarget.milestone_at) >= start,
                    col(IncidentTarget.milestone_at) < end,
                ),
                and_(
                    col(IncidentTarget.excluded_at) >= start,
                    col(IncidentTarget.excluded_at) < end,
                ),
            )
        )
        .scalar_subquery()
    )


def _changed_in(period: Period) -> Any:
    """The incidents requalified or excluded in the period."""
    return (
        select(col(IncidentEvent.incident_id))
        .where(
            col(IncidentEvent.kind).in_(CHANGE_KINDS),
            col(IncidentEvent.occurred_at) >= period.start,
            col(IncidentEvent.occurred_at) < period.end,
        )
        .scalar_subquery()
    )


def incident_facts(connection: Connection, relevant: ColumnElement[bool]) -> list[IncidentFact]:
    """The incidents that meet `relevant`."""
    rows = connection.execute(
        select(
            col(Incident.id),
            col(Incident.contract_id),
            col(Incident.title),
            col(Incident.current_severity),
            col(Incident.reported_at),
            col(Incident.ended_at),
        ).where(relevant)
    ).all()
    return [IncidentFact(*cast(tuple[Any, ...], row)) for row in rows]


def target_facts(connection: Connection, relevant: ColumnElement[bool]) -> list[TargetFact]:
    """The stored targets of the incidents that meet `relevant`."""
    rows = connection.execute(
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
        .where(relevant)
    ).all()
    return [TargetFact(*cast(tuple[Any, ...], row)) for row in rows]


def outage_facts(session: Session, contract_ids: list[int], period: Period) -> list[OutageFact]:
    """The outages of the contracts that overlap the period, cancelled ones left out."""
    outages = session.execute(
        select(Outage).where(
            col(Outage.contract_id).in_(contract_ids),
            col(Outage.cancelled_at).is_(None),
            col(Outage.started_at) < period.end,
            or_(col(Outage.ended_at).is_(None), col(Outage.ended_at) > period.start),
        )
    ).scalars()
    return [
        OutageFact(
            outage.id or 0,
            outage.contract_id,
            outage.service,
            outage.started_at,
            outage.ended_at,
            outage.cause,
        )
        for outage in outages
    ]
