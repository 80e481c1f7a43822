"""What a contract year's statements already apply, for a yearly cap: the contract year runs
from an anniversary of the contract's start to the next."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from calendars.engine.searches import add_months
from sla.contracts.models import Contract
from sla.engine.penalties import ZERO
from sla.penalties.models import PenaltyStatement
from sla.penalties.statement import State

# The states whose amounts count: notified (as notified), final (as decided).
COUNTED = (State.notified, State.observations, State.final)


def contract_year(contract: Contract, day: date) -> tuple[date, date]:
    """The contract year `day` falls in: [an anniversary of the start, the next one)."""
    start = contract.start_date
    before_anniversary = (day.month, day.day) < (start.month, start.day)
    years = max(0, day.year - start.year - (1 if before_anniversary else 0))
    first = add_months(start, 12 * years)
    return first, add_months(first, 12)


def applied_in_year(
    session: Session, contract: Contract, day: date, *, statement: PenaltyStatement | None = None
) -> Decimal:
    """What the contract year of `day` applies beside `statement` (a final one: its decided
    total; a notified one: the total notified). A final statement being replaced counts until
    its replacement is notified, then the replacement instead, never both; the statement a
    computation is for, and the one it replaces, do not count for it."""
    year_start, year_end = contract_year(contract, day)
    left_out = {None} if statement is None else {statement.id, statement.supersedes_id}
    counted = [
        other
        for other in session.exec(
            select(PenaltyStatement).where(
                PenaltyStatement.contract_id == contract.id,
                col(PenaltyStatement.state).in_([state.value for state in COUNTED]),
                col(PenaltyStatement.period_start) >= year_start,
                col(PenaltyStatement.period_start) < year_end,
            )
        )
        if other.id not in left_out
    ]
    replaced = {other.supersedes_id for other in counted}
    found = ZERO
    for other in counted:
        if other.id in replaced:
            continue
        amount = other.final_total_ht if other.state == State.final else other.notified_total_ht
        found += amount or ZERO
    return found
