"""The contradictory procedure of a penalty statement (CCAG-TIC 2021 art. 14.1.1): draft →
notified to the vendor → observations received → a decision per line → final; a final
statement may be superseded by a new one, a draft abandoned. Each transition checks the
revision the user saw (optimistic lock), adds a step (who, when, what), flushes and never
commits; a refused transition is a DomainError naming the rule.

- Notify: the lines are computed one last time and written, with their totals, and the
  letter (the PDF) is stored and queued through the outbox to the vendor's address; the
  vendor's answer period (`answer_days` calendar days, the contract's, 15 by default) ends
  at the end of the day, local time, that many days after the notification.
- Observations: a text and files, received on a date; several may be recorded.
- Decide a line: applied, reduced (to a lower amount) or waived, always with a reason; only
  once the vendor has answered or its answer period is over; again until final.
- Finalise: every line decided; the decided total goes through the same threshold and caps;
  the final PDF is stored with its SHA-256 and nothing changes the statement any more.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, col, select

from calendars.engine.searches import add_months
from sla.alerts.outbox import Recipient, flush_outbox, record
from sla.contracts.models import Contract, Vendor
from sla.contracts.service import current_version, document_of
from sla.engine.penalties import ZERO, cents, totals
from sla.engine.penalty_terms import PenaltyTerms
from sla.errors import DomainError, NotFound
from sla.penalties import reading
from sla.penalties.compute import compute, contract_zone
from sla.penalties.letter_mail import letter_mail
from sla.penalties.models import (
    PenaltyDecision,
    PenaltyFile,
    PenaltyLine,
    PenaltyStatement,
    PenaltyStep,
)
from sla.penalties.pdf import statement_pdf
from sla.penalties.statement import (
    ACTIVE,
    DECIDING,
    Decision,
    State,
    StepKind,
    lateness_data,
    totals_data,
)
from sla.penalties.year import applied_in_year
from sla.printing.organisation import Organisation

PERIOD_KINDS = ("month", "quarter", "range")
MAX_FILE_BYTES = 10 * 1024 * 1024  # an observation's file
MAX_FILES = 10
MAX_REASON = 5000


@dataclass(frozen=True)
class Upload:
    """A file sent with the vendor's observations, as received."""

    filename: str
    mimetype: str
    content: bytes


@dataclass(frozen=True)
class Mailing:
    """What the letter needs to leave: the organisation, the language, the link back."""

    organisation: Organisation
    locale: str
    webhook_format: str = "plain"


def _get(session: Session, statement_id: int) -> PenaltyStatement:
    statement = session.get(PenaltyStatement, statement_id)
    if statement is None:
        raise NotFound("penalty.not_found", statement_id=statement_id)
    return statement


def _check_revision(statement: PenaltyStatement, expected: int | None) -> None:
    if expected is not None and expected != statement.revision:
        raise DomainError(
            "penalty.changed",
            field="revision",
            statement_id=statement.id,
            revision=statement.revision,
            expected_revision=expected,
        )


def _step(
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


def _moved(statement: PenaltyStatement, state: State) -> None:
    statement.state = state.value
    statement.revision += 1


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
    _step(session, statement, StepKind.drafted, by=by, now=now, text=reason)
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
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state != State.draft:
        raise DomainError("penalty.not_draft", state=statement.state)
    _reason(reason)
    _moved(statement, State.abandoned)
    _step(session, statement, StepKind.abandoned, by=by, now=now, text=reason.strip())
    session.flush()
    return statement


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise DomainError("penalty.reason_needed", field="reason")
    if len(text) > MAX_REASON:
        raise DomainError("text.too_long", field="reason", max=MAX_REASON)
    return text


def _terms(session: Session, statement: PenaltyStatement) -> tuple[Contract, PenaltyTerms]:
    contract = session.get(Contract, statement.contract_id)
    if contract is None:
        raise NotFound("contract.not_found", contract_id=statement.contract_id)
    document = document_of(current_version(session, contract, statement.period_end))
    return contract, document.sla.penalties or PenaltyTerms(())


def notify_address(session: Session, statement: PenaltyStatement) -> str:
    """Where the letter goes: the contract's `notify_to` in [penalties], else the vendor's
    support address (empty: nowhere, and notifying is refused)."""
    contract, terms = _terms(session, statement)
    if terms.notify_to:
        return terms.notify_to
    vendor = session.get(Vendor, contract.vendor_id)
    return vendor.support_email if vendor is not None else ""


def notify(
    session: Session,
    statement_id: int,
    *,
    revision: int | None,
    by: int | None,
    now: datetime,
    mailing: Mailing,
) -> PenaltyStatement:
    """Send the statement to the vendor: write its lines and totals as of now, store the
    letter and queue it by mail to the contract's address for penalties (or the vendor's
    support address). Refused unless the statement is a draft."""
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state != State.draft:
        code = "penalty.already_notified" if statement.state in DECIDING else "penalty.not_draft"
        raise DomainError(code, state=statement.state, notified_at=statement.notified_at)
    contract, terms = _terms(session, statement)
    address = notify_address(session, statement)
    if not address:
        raise DomainError("penalty.no_address", field="notified_to", reference=contract.reference)
    already = applied_in_year(session, contract, statement.period_start, leave_out=statement.id)
    computation = compute(
        session,
        contract,
        statement.period_start,
        statement.period_end,
        as_of=now,
        already_in_year=already,
    )
    # In one statement: a month of 5,000 breaches is 5,000 lines.
    rows = [
        {
            "statement_id": statement.id,
            "position": line.position,
            "kind": line.kind,
            "clause_key": line.clause_key,
            "clause_kind": line.clause_kind,
            "clause_label": line.clause_label,
            "clause_article": line.clause_article,
            "incident_id": line.incident_id,
            "incident_title": line.incident_title,
            "severity": line.severity,
            "target_key": line.target_key,
            "target_label": line.target_label,
            "target_article": line.target_article,
            "deadline": line.deadline,
            "milestone_at": line.milestone_at,
            "stretch_start": line.stretch_start,
            "stretch_end": line.stretch_end,
            "target_percent": line.target_percent,
            "measured_percent": line.measured_percent,
            "lateness": lateness_data(line.lateness),
            "zone": line.zone,
            "units": line.units,
            "unit": line.unit,
            "rate_ht": line.rate_ht,
            "grace": line.grace,
            "value_ht": line.value_ht,
            "divisor": line.divisor,
            "amount_ht": line.amount,
        }
        for line in computation.lines
    ]
    if rows:
        session.execute(insert(PenaltyLine), rows)
    statement.computed_at = now
    statement.notified_at = now
    statement.notified_to = address
    statement.answer_days = terms.answer_days
    statement.answer_due_at = answer_due(now, terms.answer_days, computation.zone)
    statement.notified_totals = totals_data(computation.totals)
    statement.notified_total_ht = computation.totals.total
    statement.language = mailing.locale
    _moved(statement, State.notified)
    session.flush()
    view = reading.view_of(session, statement, now=now)
    statement.letter_pdf = statement_pdf(view, mailing.organisation, mailing.locale, letter=True)
    _step(session, statement, StepKind.notified, by=by, now=now, data={"to": address})
    record(
        session,
        key=f"penalty-letter:{statement.id}",
        alert=letter_mail(view, mailing.organisation, mailing.locale),
        recipients=[Recipient("email", address)],
        now=now,
        webhook_format=mailing.webhook_format,
        contract_id=contract.id,
        statement_id=statement.id,
    )
    flush_outbox(session)
    return statement


def answer_due(notified_at: datetime, days: int, zone: str) -> datetime:
    """The end of the vendor's answer period: the end of the `days`-th calendar day after
    the notification, local time (23:59:59)."""
    tz = ZoneInfo(zone)
    local_day = notified_at.astimezone(tz).date()
    last = date.fromordinal(local_day.toordinal() + days)
    return datetime.combine(last, datetime.max.time().replace(microsecond=0), tz)


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
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state not in DECIDING:
        code = "penalty.not_notified" if statement.state == State.draft else "penalty.closed"
        raise DomainError(code, state=statement.state)
    body = text.strip()
    if not body and not files:
        raise DomainError("penalty.observations_empty", field="text")
    if received_at.tzinfo is None:
        raise DomainError("instant.naive", field="received_at")
    if statement.notified_at and received_at < statement.notified_at:
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
    step = _step(
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
        _moved(statement, State.observations)
    else:
        statement.revision += 1
    session.flush()
    return statement


def _amount(text: str | Decimal | None, line: PenaltyLine) -> Decimal:
    try:
        amount = Decimal(str(text).replace(" ", "").replace(",", ".")) if text is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise DomainError("penalty.amount", field="amount")
    amount = cents(amount)
    if amount >= line.amount_ht:
        raise DomainError("penalty.not_reduced", field="amount", amount=line.amount_ht)
    return amount


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
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state == State.draft:
        raise DomainError("penalty.not_notified", state=statement.state)
    if statement.state not in DECIDING:
        raise DomainError("penalty.closed", state=statement.state)
    if (
        statement.state == State.notified
        and statement.answer_due_at is not None
        and now <= statement.answer_due_at
    ):
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
    text = _reason(reason)
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
    _step(
        session,
        statement,
        StepKind.decided,
        by=by,
        now=now,
        text=text,
        data={"line": line.position, "decision": chosen.value, "amount": str(decided)},
    )
    statement.revision += 1
    session.flush()
    return row


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
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state == State.draft:
        raise DomainError("penalty.not_notified", state=statement.state)
    if statement.state not in DECIDING:
        raise DomainError("penalty.closed", state=statement.state)
    view = reading.view_of(session, statement, now=now)
    if view.undecided:
        raise DomainError("penalty.undecided", count=view.undecided)
    contract, terms = _terms(session, statement)
    already = applied_in_year(session, contract, statement.period_start, leave_out=statement.id)
    yearly = document_of(current_version(session, contract, statement.period_end))
    decided = totals(
        terms,
        [line.decided_amount or ZERO for line in view.lines],
        yearly_amount_ht=yearly.contract.yearly_amount_ht,
        period_days=(statement.period_end - statement.period_start).days + 1,
        already_in_year=already,
    )
    statement.final_totals = totals_data(decided)
    statement.final_total_ht = decided.total
    statement.finalised_at = now
    _moved(statement, State.final)
    _step(session, statement, StepKind.finalised, by=by, now=now)
    session.flush()
    final_view = reading.view_of(session, statement, now=now)
    pdf = statement_pdf(final_view, organisation, locale, letter=False)
    statement.final_pdf = pdf
    statement.final_sha256 = hashlib.sha256(pdf).hexdigest()
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
    """A new draft for the same contract and period that replaces a final statement, with
    the reason; the final one stays as it was, marked superseded."""
    statement = _get(session, statement_id)
    _check_revision(statement, revision)
    if statement.state != State.final:
        raise DomainError("penalty.not_final", state=statement.state)
    text = _reason(reason)
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
    _moved(statement, State.superseded)
    _step(
        session,
        statement,
        StepKind.superseded,
        by=by,
        now=now,
        text=text,
        data={"by_statement": replacement.id},
    )
    session.flush()
    return replacement


__all__ = [
    "Mailing",
    "Upload",
    "abandon",
    "contract_zone",
    "create_statement",
    "decide",
    "finalise",
    "notify",
    "notify_address",
    "record_observations",
    "supersede",
]
