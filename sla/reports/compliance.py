"""Compliance of one contract's targets over a window, for the contract page.

The one compliance rule of Garantie is the reports' one: a target counts when its outcome was
decided (met at its milestone, breached at its deadline, excluded at the clause) within the
window; compliance is met / (met + breached). The outcome is the database's reading of the
stored targets (`queries.decided_state`, the SQL twin of `figures.outcomes.outcome`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from incidents.models import Incident, IncidentTarget
from sla.reports.figures import KindFigures
from sla.reports.queries import decided_state

WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class TargetCompliance:
    """The outcomes decided for one target of one severity."""

    severity: str
    label: str
    figures: KindFigures


def contract_compliance(
    session: Session, contract_id: int, *, as_of: datetime, window: timedelta = WINDOW
) -> list[TargetCompliance]:
    """Per severity and target: met, breached and excluded outcomes decided in the window
    that ends at `as_of`, counted by the database."""
    state, instant = decided_state(as_of)
    severity, label = col(Incident.current_severity), col(IncidentTarget.label)
    rows = session.execute(
        select(severity, label, state, func.count())
        .join(Incident, col(Incident.id) == IncidentTarget.incident_id)
        .where(
            col(Incident.contract_id) == contract_id,
            state.is_not(None),
            instant > as_of - window,
            instant <= as_of,
        )
        .group_by(severity, label, state)
    ).all()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row_severity, row_label, row_state, count in rows:
        counts.setdefault((row_severity, row_label), {})[row_state] = count
    return [
        TargetCompliance(
            key[0],
            key[1],
            KindFigures(
                key[1], found.get("met", 0), found.get("breached", 0), found.get("excluded", 0)
            ),
        )
        for key, found in sorted(counts.items())
    ]
