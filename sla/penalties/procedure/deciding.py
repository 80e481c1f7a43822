"""After the notification: the vendor's observations recorded, each line decided, the
statement finalised and archived."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from sla.engine.penalties import ZERO
from sla.errors import DomainError, NotFound
from sla.penalties import reading
from sla.penalties.models import (
    PenaltyDecision,
    PenaltyFile,
    PenaltyLine,
    PenaltyStatement,
    PenaltyStep,
)
from sla.penalties.pdf import statement_pdf
from sla.penalties.procedure.steps import (
    add_step,
    claim,
    get_statement,
    moved,
    reason_text,
)
from sla.penalties.statement import (
    DECIDING,
    Decision,
    State,
    StepKind,
    answer_period_running,
    totals_data,
)
from sla.printing.organisation import Organisation

MAX_FILE_BYTES = 10 * 1024 * 1024  # an observation's file
MAX_FILES = 10


@dataclass(frozen=True)
class Upload:
    """A file sent with the vendor's observations, as received."""

    filename: str
    mimetype: str
    content: bytes


def record_observations(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    text: str,
    received_at: datetime,
    files: Sequence[Upload],
    by: int | None,
    now: datetime,
) -> PenaltyStatement:
    """Record the vendor's observations (a text and files, received on a date)."""
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state not in DECIDING:
        code = "penalty.not_notified" if statement.state == State.draft else "penalty.closed"
        raise DomainError(code, state=statement.state)
    body = text.strip()
    if not body and not files:
        raise DomainError("penalty.observations_empty", field="text")
    if received_at.tzinfo is None:
        raise DomainError("instant.naive", field="received_at")
    # To the minute, as a form gives it: an answer typed in the minute of the notification
    # is not before it.
    if statement.notified_at and received_at < statement.notified_at.replace(
        second=0, microsecond=0
    ):
        raise DomainError(
            "penalty.received_before_notice",
            field="received_at",
            received_at=received_at,
            notified_at=statement.notified_at,
        )
    if received_at > now:
        raise DomainError("penalty.received_future", field="received_at", received_at=received_at)
    if len(files) > MAX_FILES:
        raise DomainError("penalty.too_many_files", field="files", max=MAX_FILES)
    for upload in files:
        if len(upload.content) > MAX_FILE_BYTES:
            raise DomainError(
                "penalty.file_too_large",
                field="files",
                filename=upload.filename,
                max=MAX_FILE_BYTES // (1024 * 1024),
            )
    step = add_step(
        session,
        statement,
        StepKind.observations,
        by=by,
        now=now,
        text=body,
        received_at=received_at,
    )
    session.flush()
    for upload in files:
        session.add(
            PenaltyFile(
                statement_id=statement.id or 0,
                step_id=step.id or 0,
                filename=upload.filename[:255] or "fichier",
                mimetype=upload.mimetype[:127] or "application/octet-stream",
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
                content=upload.content,
                uploaded_at=now,
                uploaded_by_id=by,
            )
        )
    if statement.state == State.notified:
        moved(statement, State.observations)
    session.flush()
    return statement


def _amount(text: str | Decimal | None, line: PenaltyLine) -> Decimal:
    """A reduced amount as typed: euros and cents ("120,50", "1 234,56" with the spaces a
    French page writes), at least 0 and below the line's amount."""
    typed = "" if text is None else str(text)
    for space in (" ", "\u202f", "\u00a0"):
        typed = typed.replace(space, "")
    try:
        amount = Decimal(typed.replace(",", ".")) if typed else None
    except InvalidOperation:
        amount = None
    exponent = None if amount is None else amount.as_tuple().exponent
    if (
        amount is None
        or not isinstance(exponent, int)  # NaN, infinity
        or exponent < -2
        or "e" in typed.lower()
        or amount < 0
    ):
        raise DomainError("penalty.amount", field="amount")
    if amount >= line.amount_ht:
        raise DomainError("penalty.not_reduced", field="amount", amount=line.amount_ht)
    return amount.quantize(Decimal("0.01"))


def decide(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    line_id: int,
    decision: str,
    amount: str | Decimal | None,
    reason: str,
    by: int | None,
    now: datetime,
) -> PenaltyDecision:
    """Decide one line: applied (its amount), reduced (to `amount`, below it) or waived, with
    a reason. Refused before the notification, and while the vendor's answer period runs
    with no observations recorded."""
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state == State.draft:
        raise DomainError("penalty.not_notified", state=statement.state)
    if statement.state not in DECIDING:
        raise DomainError("penalty.closed", state=statement.state)
    if answer_period_running(statement.state, statement.answer_due_at, now):
        raise DomainError("penalty.answer_period_open", answer_due_at=statement.answer_due_at)
    line = session.get(PenaltyLine, line_id)
    if line is None or line.statement_id != statement.id:
        raise NotFound("penalty.line_not_found", field="line_id", line_id=line_id)
    try:
        chosen = Decision(decision)
    except ValueError:
        raise DomainError(
            "penalty.decision", field="decision", known=[d.value for d in Decision]
        ) from None
    text = reason_text(reason)
    if chosen is Decision.applied:
        decided = line.amount_ht
    elif chosen is Decision.waived:
        decided = ZERO
    else:
        decided = _amount(amount, line)
    row = PenaltyDecision(
        statement_id=statement.id or 0,
        line_id=line_id,
        decision=chosen.value,
        amount_ht=decided,
        reason=text,
        decided_at=now,
        decided_by_id=by,
    )
    session.add(row)
    add_step(
        session,
        statement,
        StepKind.decided,
        by=by,
        now=now,
        text=text,
        data={"line": line.position, "decision": chosen.value, "amount": str(decided)},
    )
    session.flush()
    return row


def _supersede(
    session: Session, replacement: PenaltyStatement, *, by: int | None, now: datetime
) -> None:
    """The final statement that `replacement` replaces, now that it is final: marked
    superseded, with the reason given when the replacement was drawn up."""
    replaced = session.get(PenaltyStatement, replacement.supersedes_id)
    if replaced is None or replaced.state != State.final:
        return
    drafted = session.exec(
        select(PenaltyStep).where(
            PenaltyStep.statement_id == replacement.id, PenaltyStep.kind == StepKind.drafted
        )
    ).first()
    claim(session, replaced, None)
    moved(replaced, State.superseded)
    add_step(
        session,
        replaced,
        StepKind.superseded,
        by=by,
        now=now,
        text=drafted.text if drafted is not None else "",
        data={"by_statement": replacement.id},
    )


def finalise(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    by: int | None,
    now: datetime,
    organisation: Organisation,
    locale: str,
) -> PenaltyStatement:
    """Close the statement once every line is decided: its decided total through the
    threshold and caps, its PDF and the PDF's SHA-256 kept; unchangeable from then on."""
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state == State.draft:
        raise DomainError("penalty.not_notified", state=statement.state)
    if statement.state not in DECIDING:
        raise DomainError("penalty.closed", state=statement.state)
    if answer_period_running(statement.state, statement.answer_due_at, now):
        raise DomainError("penalty.answer_period_open", answer_due_at=statement.answer_due_at)
    view = reading.view_of(session, statement, now=now)
    decided = view.decided  # the decided amounts through the threshold and caps
    if view.undecided or decided is None:
        raise DomainError("penalty.undecided", count=view.undecided)
    statement.final_totals = totals_data(decided)
    statement.final_total_ht = decided.total
    statement.finalised_at = now
    moved(statement, State.final)
    add_step(session, statement, StepKind.finalised, by=by, now=now)
    if statement.supersedes_id is not None:
        _supersede(session, statement, by=by, now=now)
    session.flush()
    final_view = reading.view_of(session, statement, now=now)
    pdf = statement_pdf(final_view, organisation, locale, letter=False)
    statement.final_pdf = pdf
    statement.final_sha256 = hashlib.sha256(pdf).hexdigest()
    session.flush()
    return statement
