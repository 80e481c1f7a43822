"""The penalties of a report's period, per contract whose version in force at the period's end
sets penalty clauses: the statement that covers the period (or a longer period that includes
it), with its state and amount, or else the amount computed live. One computation at most per
contract (a draft's, or the period's when no statement covers it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, col

from sla.contracts.models import Contract
from sla.contracts.service import current_version, document_of
from sla.engine.penalties import ZERO
from sla.penalties.compute import compute
from sla.penalties.models import PenaltyLine, PenaltyStatement
from sla.penalties.reading import statement_computation
from sla.penalties.statement import State
from sla.penalties.year import applied_in_year
from sla.reports.figures import PenaltyFact, Period

# The states a report reads a statement in: an abandoned draft or a superseded statement is
# no longer the period's.
SHOWN = (State.draft, State.notified, State.observations, State.final)


class _Statement(NamedTuple):
    """The columns of a statement a report needs (not its PDFs)."""

    id: int
    contract_id: int
    state: str
    first: date
    last: date
    notified_total_ht: Decimal | None
    final_total_ht: Decimal | None


def _covering(
    session: Session, contract_ids: Sequence[int], period: Period
) -> dict[int, _Statement]:
    """Per contract, the statement that covers the period or includes it. The procedure lets
    no two of them overlap; were there several, the one closest to the period, then the
    newest."""
    rows = session.execute(
        select(
            col(PenaltyStatement.id),
            col(PenaltyStatement.contract_id),
            col(PenaltyStatement.state),
            col(PenaltyStatement.period_start),
            col(PenaltyStatement.period_end),
            col(PenaltyStatement.notified_total_ht),
            col(PenaltyStatement.final_total_ht),
        ).where(
            col(PenaltyStatement.contract_id).in_(contract_ids),
            col(PenaltyStatement.state).in_([state.value for state in SHOWN]),
            col(PenaltyStatement.period_start) <= period.first,
            col(PenaltyStatement.period_end) >= period.last,
        )
    ).all()
    found: dict[int, _Statement] = {}
    for statement in (_Statement(*row) for row in rows):
        kept = found.get(statement.contract_id)
        if kept is None or _closeness(statement) < _closeness(kept):
            found[statement.contract_id] = statement
    return found


def _closeness(statement: _Statement) -> tuple[int, int]:
    """The narrowest period first, then the newest statement."""
    return (statement.last - statement.first).days, -statement.id


def _line_counts(session: Session, statement_ids: Sequence[int]) -> dict[int, int]:
    """The lines written when each statement was notified."""
    if not statement_ids:
        return {}
    rows = session.execute(
        select(col(PenaltyLine.statement_id), func.count())
        .where(col(PenaltyLine.statement_id).in_(statement_ids))
        .group_by(col(PenaltyLine.statement_id))
    ).all()
    return {statement_id: count for statement_id, count in rows}


def _live(
    session: Session,
    contract: Contract,
    first: date,
    last: date,
    *,
    as_of: datetime,
    draft: int | None = None,
) -> tuple[Decimal, int]:
    """The total and line count computed as of `as_of`, the contract year's other statements
    counted for a yearly cap: a draft's as it reads, else as a statement of that period
    would count them."""
    stored = None if draft is None else session.get(PenaltyStatement, draft)
    if stored is not None:
        computation = statement_computation(session, stored, contract, now=as_of)
    else:
        already = applied_in_year(session, contract, first)
        computation = compute(session, contract, first, last, as_of=as_of, already_in_year=already)
    return computation.totals.total, len(computation.lines)


def _fact(
    session: Session,
    contract: Contract,
    statement: _Statement | None,
    period: Period,
    *,
    as_of: datetime,
    counts: dict[int, int],
) -> PenaltyFact:
    contract_id = contract.id or 0
    if statement is None:
        amount, lines = _live(session, contract, period.first, period.last, as_of=as_of)
        return PenaltyFact(contract_id, None, None, amount, lines)
    if statement.state == State.draft:
        amount, lines = _live(
            session, contract, statement.first, statement.last, as_of=as_of, draft=statement.id
        )
    else:
        total = (
            statement.final_total_ht
            if statement.state == State.final
            else statement.notified_total_ht
        )
        amount, lines = total if total is not None else ZERO, counts.get(statement.id, 0)
    return PenaltyFact(
        contract_id, statement.id, statement.state, amount, lines, statement.first, statement.last
    )


def penalty_facts(
    session: Session, contract_ids: Sequence[int], period: Period, *, as_of: datetime
) -> list[PenaltyFact]:
    """The period's penalties of each contract (among `contract_ids`) whose version in force at
    the period's end sets penalty clauses; the others have none."""
    with_clauses: list[Contract] = []
    for contract_id in contract_ids:
        contract = session.get(Contract, contract_id)
        if contract is None:
            continue
        terms = document_of(current_version(session, contract, period.last)).sla.penalties
        if terms is not None and terms.clauses:
            with_clauses.append(contract)
    if not with_clauses:
        return []
    statements = _covering(session, [c.id or 0 for c in with_clauses], period)
    counts = _line_counts(session, [s.id for s in statements.values() if s.state != State.draft])
    return [
        _fact(
            session, contract, statements.get(contract.id or 0), period, as_of=as_of, counts=counts
        )
        for contract in with_clauses
    ]
