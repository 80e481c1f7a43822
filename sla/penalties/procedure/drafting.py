"""Drawing up a statement: a draft over a period that has ended, given up with a reason, or
drawn up again to supersede a final one."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from calendars.engine.searches import add_months
from sla.contracts.models import Contract
from sla.contracts.service import current_version, document_of
from sla.errors import DomainError, NotFound
from sla.penalties.models import PenaltyStatement
from sla.penalties.procedure.steps import (
    add_step,
    claim,
    get_statement,
    moved,
    reason_text,
)
from sla.penalties.statement import ACTIVE, State, StepKind

PERIOD_KINDS = ("month", "quarter", "range")


def period_bounds(kind: str, first: date, last: date | None) -> tuple[date, date]:
    """The first and last day of a month, a quarter (from its first month) or a range."""
    if kind not in PERIOD_KINDS:
        raise DomainError("penalty.period_kind", field="period_kind", known=list(PERIOD_KINDS))
    if kind == "month":
        start = first.replace(day=1)
        return start, date.fromordinal(add_months(start, 1).toordinal() - 1)
    if kind == "quarter":
        start = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
        return start, date.fromordinal(add_months(start, 3).toordinal() - 1)
    if last is None:
        raise DomainError("penalty.period_end", field="period_end")
    if last < first:
        raise DomainError("penalty.period_order", field="period_end", first=first, last=last)
    return first, last


def create_statement(
    session: Session,
    *,
    contract_id: int,
    period_kind: str,
    first: date,
    last: date | None,
    by: int | None,
    now: datetime,
    today: date,
    supersedes: PenaltyStatement | None = None,
    reason: str = "",
) -> PenaltyStatement:
    """A draft statement of the contract's penalties over a period that has ended. Refused
    when the contract sets no penalty, or when another statement of it (not abandoned nor
    superseded) covers part of the period."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("contract.not_found", field="contract_id", contract_id=contract_id)
    start, end = period_bounds(period_kind, first, last)
    if end >= today:
        raise DomainError("penalty.period_not_over", field="period_start", last=end)
    version = current_version(session, contract, end)
    if document_of(version).sla.penalties is None:
        raise DomainError("penalty.no_clauses", field="contract_id", reference=contract.reference)
    overlapping = session.exec(
        select(PenaltyStatement).where(
            PenaltyStatement.contract_id == contract_id,
            col(PenaltyStatement.state).in_(list(ACTIVE)),
            col(PenaltyStatement.period_start) <= end,
            col(PenaltyStatement.period_end) >= start,
        )
    ).first()
    if overlapping is not None and (supersedes is None or overlapping.id != supersedes.id):
        raise DomainError(
            "penalty.statement_exists",
            field="period_start",
            statement_id=overlapping.id,
            first=overlapping.period_start,
            last=overlapping.period_end,
        )
    statement = PenaltyStatement(
        contract_id=contract_id,
        period_kind=period_kind,
        period_start=start,
        period_end=end,
        state=State.draft.value,
        created_at=now,
        created_by_id=by,
        supersedes_id=None if supersedes is None else supersedes.id,
    )
    session.add(statement)
    session.flush()
    add_step(session, statement, StepKind.drafted, by=by, now=now, text=reason)
    session.flush()
    return statement


def abandon(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    reason: str,
    by: int | None,
    now: datetime,
) -> PenaltyStatement:
    """Give up a draft (never notified), with a reason; it stays in the history."""
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state != State.draft:
        raise DomainError("penalty.not_draft", state=statement.state)
    reason_text(reason)
    moved(statement, State.abandoned)
    add_step(session, statement, StepKind.abandoned, by=by, now=now, text=reason.strip())
    session.flush()
    return statement


def supersede(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    reason: str,
    by: int | None,
    now: datetime,
    today: date,
) -> PenaltyStatement:
    """A new draft for the same contract and period to replace a final statement, with the
    reason. The final one stays in force, as it was, until the new one is final: then it is
    marked superseded (`deciding.finalise`). Abandoning the new draft leaves it in force."""
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state != State.final:
        raise DomainError("penalty.not_final", state=statement.state)
    text = reason_text(reason)
    replacement = create_statement(
        session,
        contract_id=statement.contract_id,
        period_kind=statement.period_kind,
        first=statement.period_start,
        last=statement.period_end,
        by=by,
        now=now,
        today=today,
        supersedes=statement,
        reason=text,
    )
    session.flush()
    return replacement
