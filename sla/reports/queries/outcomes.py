"""SQL expressions shared by the queries: what a stored target amounts to, and which of the
twelve months an instant falls in (built here, run by the callers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_
from sqlmodel import col

from incidents.models import IncidentTarget
from sla.reports.figures import Period


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


def month_index(value: Any, months: list[Period]) -> Any:
    """The index of the month `value` falls in, for values already within the twelve: one
    comparison per month boundary, stopping at the first that holds."""
    return case(*((value < month.end, index) for index, month in enumerate(months)), else_=None)
