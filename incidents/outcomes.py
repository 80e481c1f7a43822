"""What a stored target amounts to at an instant, in SQL: met, breached or excluded, and when
that was decided (the SQL twin of `sla.reports.figures.outcomes.outcome`). The one rule the
reports and the penalty statements read breaches by: built here, run by the callers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_
from sqlmodel import col

from incidents.models import IncidentTarget


def decided_state(as_of: datetime) -> tuple[Any, Any]:
    """`figures.outcome` in SQL: (state, decided instant) of a stored target at `as_of`."""
    t = IncidentTarget
    milestone, deadline, excluded = col(t.milestone_at), col(t.deadline), col(t.excluded_at)
    undecided = or_(deadline.is_(None), col(t.status) == "paused")
    state = case(
        (excluded.is_not(None), "excluded"),
        (undecided, None),
        (and_(milestone.is_not(None), milestone <= deadline), "met"),
        (milestone.is_not(None), "breached"),
        (deadline <= as_of, "breached"),
        else_=None,
    )
    instant = case(
        (excluded.is_not(None), excluded),
        (undecided, None),
        (and_(milestone.is_not(None), milestone <= deadline), milestone),
        (milestone.is_not(None), deadline),
        (deadline <= as_of, deadline),
        else_=None,
    )
    return state, instant
