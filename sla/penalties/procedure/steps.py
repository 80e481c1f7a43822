"""What every transition of the procedure shares: finding the statement, the optimistic
lock, the step it adds to the history, the state it moves to, a reason, the terms."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlmodel import Session, col

from sla.contracts.models import Contract
from sla.contracts.service import current_version, document_of
from sla.engine.penalty_terms import PenaltyTerms
from sla.errors import DomainError, NotFound
from sla.penalties.models import PenaltyStatement, PenaltyStep
from sla.penalties.statement import State, StepKind

MAX_REASON = 5000


def get_statement(session: Session, statement_id: int) -> PenaltyStatement:
    statement = session.get(PenaltyStatement, statement_id)
    if statement is None:
        raise NotFound("penalty.not_found", statement_id=statement_id)
    return statement


def claim(session: Session, statement: PenaltyStatement, expected: int | None) -> None:
    """The optimistic lock, in the database: the statement's revision moves one up only if
    it is still the one the caller saw (`expected`; None: the one just read). Of two people
    acting on the same page, or two requests at once, the second is refused with
    `penalty.changed` (a refused transition rolls the move back with the rest)."""
    seen = statement.revision if expected is None else expected
    moved_up = session.execute(
        update(PenaltyStatement)
        .where(col(PenaltyStatement.id) == statement.id, col(PenaltyStatement.revision) == seen)
        .values(revision=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], moved_up).rowcount != 1:
        session.refresh(statement)
        raise DomainError(
            "penalty.changed",
            field="revision",
            statement_id=statement.id,
            revision=statement.revision,
            expected_revision=seen,
        )
    session.refresh(statement)


def add_step(
    session: Session,
    statement: PenaltyStatement,
    kind: StepKind,
    *,
    by: int | None,
    now: datetime,
    text: str = "",
    received_at: datetime | None = None,
    data: dict[str, object] | None = None,
) -> PenaltyStep:
    step = PenaltyStep(
        statement_id=statement.id or 0,
        kind=kind.value,
        at=now,
        received_at=received_at,
        by_id=by,
        text=text,
        data=dict(data or {}),
    )
    session.add(step)
    return step


def moved(statement: PenaltyStatement, state: State) -> None:
    """The statement's state, a cache of its steps (its revision moved when it was claimed)."""
    statement.state = state.value


def reason_text(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise DomainError("penalty.reason_needed", field="reason")
    if len(text) > MAX_REASON:
        raise DomainError("text.too_long", field="reason", max=MAX_REASON)
    return text


def statement_terms(session: Session, statement: PenaltyStatement) -> tuple[Contract, PenaltyTerms]:
    contract = session.get(Contract, statement.contract_id)
    if contract is None:
        raise NotFound("contract.not_found", contract_id=statement.contract_id)
    document = document_of(current_version(session, contract, statement.period_end))
    return contract, document.sla.penalties or PenaltyTerms(())
