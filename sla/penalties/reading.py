"""A stored statement read as a `StatementView`: a draft's lines computed afresh (nothing was
sent yet), a notified one's lines as written, with the last decision of each, its steps with
who took them, and the files of the vendor's observations; and the lists of statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from sla.auth.models import User
from sla.contracts.models import Contract, Vendor
from sla.contracts.service import current_version, document_of
from sla.engine.penalties import ZERO, months_in, totals
from sla.engine.penalty_terms import PenaltyTerms
from sla.errors import NotFound
from sla.penalties.compute import Computation, compute, contract_zone
from sla.penalties.models import (
    PenaltyDecision,
    PenaltyFile,
    PenaltyLine,
    PenaltyStatement,
    PenaltyStep,
)
from sla.penalties.statement import (
    DECIDING,
    DecisionView,
    FileView,
    LineView,
    State,
    StatementView,
    StepKind,
    StepView,
    lateness_from,
    to_decide,
    totals_from,
)
from sla.penalties.statement import Decision as DecisionKind
from sla.penalties.year import applied_in_year

__all__ = ["Listed", "StatementView", "listed", "statement_view", "view_of"]


def _names(session: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    names: dict[int | None, str] = {None: ""}
    if wanted:
        for user in session.exec(select(User).where(col(User.id).in_(wanted))):
            names[user.id] = user.display_name or user.username
    return names


def statement_view(session: Session, statement_id: int, *, now: datetime) -> StatementView:
    statement = session.get(PenaltyStatement, statement_id)
    if statement is None:
        raise NotFound("penalty.not_found", statement_id=statement_id)
    return view_of(session, statement, now=now)


def _already(session: Session, statement: PenaltyStatement, contract: Contract) -> Decimal:
    return applied_in_year(session, contract, statement.period_start, statement=statement)


def statement_computation(
    session: Session, statement: PenaltyStatement, contract: Contract, *, now: datetime
) -> Computation:
    """The statement's lines and totals computed as of `now`, its contract year's other
    statements counted for a yearly cap: what a draft shows and what notifying writes."""
    return compute(
        session,
        contract,
        statement.period_start,
        statement.period_end,
        as_of=now,
        already_in_year=_already(session, statement, contract),
    )


def header_of(contract: Contract, vendor: Vendor | None, terms: PenaltyTerms) -> dict[str, str]:
    """Who and what a statement is about, and the articles it cites: kept with the statement
    when it is notified (`PenaltyStatement.header`)."""
    return {
        "contract_reference": contract.reference,
        "contract_title": contract.title,
        "vendor_name": vendor.name if vendor else "",
        "vendor_siret": vendor.siret if vendor else "",
        "procedure_article": terms.procedure_article,
        "threshold_article": terms.threshold_article,
        "cap_article": terms.cap_article,
    }


def view_of(session: Session, statement: PenaltyStatement, *, now: datetime) -> StatementView:
    """The statement as its readers see it at `now`."""
    contract = session.get(Contract, statement.contract_id)
    if contract is None:
        raise NotFound("contract.not_found", contract_id=statement.contract_id)
    vendor = session.get(Vendor, contract.vendor_id)
    document = document_of(current_version(session, contract, statement.period_end))
    terms = document.sla.penalties or PenaltyTerms(())
    steps = list(
        session.exec(
            select(PenaltyStep)
            .where(PenaltyStep.statement_id == statement.id)
            .order_by(col(PenaltyStep.at), col(PenaltyStep.id))
        )
    )
    decisions = list(
        session.exec(
            select(PenaltyDecision)
            .where(PenaltyDecision.statement_id == statement.id)
            .order_by(col(PenaltyDecision.decided_at), col(PenaltyDecision.id))
        )
    )
    names = _names(
        session,
        {statement.created_by_id}
        | {step.by_id for step in steps}
        | {decision.decided_by_id for decision in decisions},
    )
    if statement.state == State.abandoned:  # given up before it was sent: no line stands
        computation = None
        lines = []
        summed = totals(terms, [], yearly_amount_ht=None, months=Decimal(0))
        computed_at = now
        zone = contract_zone(document.sla, contract)
    elif statement.state == State.draft:
        computation = statement_computation(session, statement, contract, now=now)
        lines = list(computation.lines)
        summed = computation.totals
        computed_at = now
        zone = computation.zone
    else:
        lines = _stored_lines(session, statement, decisions, names)
        summed = totals_from(statement.notified_totals)
        computed_at = statement.computed_at or statement.notified_at or now
        zone = contract_zone(document.sla, contract)
    decided = None
    if statement.final_totals:
        decided = totals_from(statement.final_totals)
    elif statement.state in DECIDING and not any(to_decide(line) for line in lines):
        # Every line decided (or none to decide): the decided amounts through the limits.
        decided = totals(
            terms,
            [line.decided_amount or ZERO for line in lines],
            yearly_amount_ht=document.contract.yearly_amount_ht,
            months=months_in(statement.period_start, statement.period_end),
            # The year as it stood when the vendor was notified: the decided total is never
            # more than the notified one (the vendor answered that one).
            already_in_year=summed.already_in_year,
        )
    # The statement drawn up to replace it (not given up): in progress while this one is
    # still final, in force once this one is superseded.
    superseded_by = session.exec(
        select(PenaltyStatement.id)
        .where(
            PenaltyStatement.supersedes_id == statement.id,
            PenaltyStatement.state != State.abandoned,
        )
        .order_by(col(PenaltyStatement.id).desc())
    ).first()
    # What the letter named, as it named it: a vendor renamed later does not change it.
    head = statement.header or header_of(contract, vendor, terms)
    return StatementView(
        id=statement.id or 0,
        state=State(statement.state),
        revision=statement.revision,
        contract_id=contract.id or 0,
        contract_reference=head["contract_reference"],
        contract_title=head["contract_title"],
        vendor_name=head["vendor_name"],
        vendor_siret=head["vendor_siret"],
        period_kind=statement.period_kind,
        period_start=statement.period_start,
        period_end=statement.period_end,
        zone=zone,
        lines=tuple(lines),
        totals=summed,
        decided=decided,
        computed_at=computed_at,
        procedure_article=head["procedure_article"],
        threshold_article=head["threshold_article"],
        cap_article=head["cap_article"],
        answer_days=statement.answer_days if statement.notified_at else terms.answer_days,
        created_at=statement.created_at,
        created_by=names.get(statement.created_by_id, ""),
        notified_at=statement.notified_at,
        notified_to=statement.notified_to,
        answer_due_at=statement.answer_due_at,
        finalised_at=statement.finalised_at,
        final_sha256=statement.final_sha256,
        supersedes_id=statement.supersedes_id,
        superseded_by_id=superseded_by,
        steps=tuple(_step_views(session, statement, steps, names)),
    )


def _stored_lines(
    session: Session,
    statement: PenaltyStatement,
    decisions: Sequence[PenaltyDecision],
    names: dict[int | None, str],
) -> list[LineView]:
    last: dict[int, PenaltyDecision] = {}
    for decision in decisions:
        last[decision.line_id] = decision  # in order: the last one counts
    rows = session.exec(
        select(PenaltyLine)
        .where(PenaltyLine.statement_id == statement.id)
        .order_by(col(PenaltyLine.position))
    )
    lines = []
    for row in rows:
        decided = last.get(row.id or 0)
        lines.append(
            LineView(
                id=row.id,
                position=row.position,
                kind=row.kind,
                clause_key=row.clause_key,
                clause_kind=row.clause_kind,
                clause_label=row.clause_label,
                clause_article=row.clause_article,
                units=row.units,
                unit=row.unit,
                amount=row.amount_ht,
                rate_ht=row.rate_ht,
                grace=row.grace,
                value_ht=row.value_ht,
                divisor=row.divisor,
                zone=row.zone,
                incident_id=row.incident_id,
                incident_title=row.incident_title,
                severity=row.severity,
                target_key=row.target_key,
                target_label=row.target_label,
                target_article=row.target_article,
                deadline=row.deadline,
                milestone_at=row.milestone_at,
                lateness=lateness_from(row.lateness),
                stretch_start=row.stretch_start,
                stretch_end=row.stretch_end,
                target_percent=row.target_percent,
                measured_percent=row.measured_percent,
                decision=None
                if decided is None
                else DecisionView(
                    DecisionKind(decided.decision),
                    decided.amount_ht,
                    decided.reason,
                    decided.decided_at,
                    names.get(decided.decided_by_id, ""),
                ),
            )
        )
    return lines


def _step_views(
    session: Session,
    statement: PenaltyStatement,
    steps: Sequence[PenaltyStep],
    names: dict[int | None, str],
) -> list[StepView]:
    files: dict[int, list[FileView]] = {}
    # Not their content: the files are read one at a time, when downloaded.
    rows = session.execute(
        sql_select(
            col(PenaltyFile.id),
            col(PenaltyFile.step_id),
            col(PenaltyFile.filename),
            col(PenaltyFile.mimetype),
            col(PenaltyFile.size),
            col(PenaltyFile.sha256),
        ).where(col(PenaltyFile.statement_id) == statement.id)
    ).all()
    for file_id, step_id, filename, mimetype, size, sha256 in rows:
        files.setdefault(step_id, []).append(
            FileView(file_id or 0, filename, mimetype, size, sha256)
        )
    return [
        StepView(
            kind=StepKind(step.kind),
            at=step.at,
            by=names.get(step.by_id, ""),
            text=step.text,
            received_at=step.received_at,
            data=dict(step.data),
            files=tuple(files.get(step.id or 0, ())),
        )
        for step in steps
    ]


@dataclass(frozen=True)
class Listed:
    """A statement in a list: what it covers, where it stands, its amounts."""

    id: int
    contract_id: int
    contract_reference: str
    vendor_name: str
    period_kind: str
    period_start: date
    period_end: date
    state: State
    notified_total_ht: Decimal | None
    final_total_ht: Decimal | None
    answer_due_at: datetime | None
    created_at: datetime


def listed(
    session: Session,
    *,
    contract_id: int | None = None,
    state: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[Listed]:
    """Statements, newest period first; filtered by contract, state, and periods that
    overlap [first, last]."""
    query = (
        select(PenaltyStatement, Contract, Vendor)
        .join(Contract, col(Contract.id) == col(PenaltyStatement.contract_id))
        .join(Vendor, col(Vendor.id) == col(Contract.vendor_id))
    )
    if contract_id is not None:
        query = query.where(PenaltyStatement.contract_id == contract_id)
    if state:
        query = query.where(PenaltyStatement.state == state)
    if first is not None:
        query = query.where(col(PenaltyStatement.period_end) >= first)
    if last is not None:
        query = query.where(col(PenaltyStatement.period_start) <= last)
    query = query.order_by(
        col(PenaltyStatement.period_start).desc(), col(PenaltyStatement.id).desc()
    )
    return [
        Listed(
            statement.id or 0,
            contract.id or 0,
            contract.reference,
            vendor.name,
            statement.period_kind,
            statement.period_start,
            statement.period_end,
            State(statement.state),
            statement.notified_total_ht,
            statement.final_total_ht,
            statement.answer_due_at,
            statement.created_at,
        )
        for statement, contract, vendor in session.exec(query)
    ]
