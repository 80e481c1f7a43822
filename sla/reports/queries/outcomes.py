"""SQL expressions shared by the queries: what a stored target amounts to (`decided_state`,
from `incidents.outcomes`), and which of the twelve months an instant falls in (built here,
run by the callers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from incidents.outcomes import decided_state
from sla.reports.figures import Period


def month_index(value: Any, months: list[Period]) -> Any:
    """The index of the month `value` falls in, for values already within the twelve: one
    comparison per month boundary, stopping at the first that holds."""
    return case(*((value < month.end, index) for index, month in enumerate(months)), else_=None)


__all__ = ["decided_state", "month_index"]
