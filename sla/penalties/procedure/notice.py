"""Notifying a statement to the vendor: its lines and totals written as of that instant,
the letter (its PDF) stored and mailed through the outbox, the vendor's answer period set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session

from calendars.engine.closed_days import holiday_names
from sla.alerts.outbox import Recipient, flush_outbox, record
from sla.contracts.models import Vendor
from sla.contracts.service import current_version, document_of
from sla.errors import DomainError
from sla.penalties import reading
from sla.penalties.compute import contract_calendar
from sla.penalties.letter_mail import letter_mail
from sla.penalties.models import PenaltyLine, PenaltyStatement
from sla.penalties.pdf import statement_pdf
from sla.penalties.procedure.steps import (
    add_step,
    claim,
    get_statement,
    moved,
    statement_terms,
)
from sla.penalties.statement import DECIDING, State, StepKind, lateness_data, totals_data
from sla.printing.organisation import Organisation


@dataclass(frozen=True)
class Mailing:
    """What the letter needs to leave: the organisation, the language, the link back."""

    organisation: Organisation
    locale: str
    webhook_format: str = "plain"


def notify_address(session: Session, statement: PenaltyStatement) -> str:
    """Where the letter goes: the contract's `notify_to` in [penalties], else the vendor's
    support address (empty: nowhere, and notifying is refused)."""
    contract, terms = statement_terms(session, statement)
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
    statement = get_statement(session, statement_id)
    claim(session, statement, revision)
    if statement.state != State.draft:
        code = "penalty.already_notified" if statement.state in DECIDING else "penalty.not_draft"
        raise DomainError(code, state=statement.state, notified_at=statement.notified_at)
    contract, terms = statement_terms(session, statement)
    address = notify_address(session, statement)
    if not address:
        raise DomainError("penalty.no_address", field="notified_to", reference=contract.reference)
    computation = reading.statement_computation(session, statement, contract, now=now)
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
    calendar = contract_calendar(
        document_of(current_version(session, contract, statement.period_end)).sla, contract
    )
    holidays = calendar.holidays if calendar is not None else ""
    statement.answer_due_at = answer_due(now, terms.answer_days, computation.zone, holidays)
    statement.notified_totals = totals_data(computation.totals)
    statement.header = reading.header_of(contract, session.get(Vendor, contract.vendor_id), terms)
    statement.notified_total_ht = computation.totals.total
    statement.language = mailing.locale
    moved(statement, State.notified)
    session.flush()
    view = reading.view_of(session, statement, now=now)
    statement.letter_pdf = statement_pdf(view, mailing.organisation, mailing.locale, letter=True)
    add_step(session, statement, StepKind.notified, by=by, now=now, data={"to": address})
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


def answer_due(notified_at: datetime, days: int, zone: str, holidays: str = "") -> datetime:
    """The end of the vendor's answer period: the end (23:59:59, local time) of the
    `days`-th calendar day after the notification; a period that would end on a Saturday, a
    Sunday or a public holiday (of `holidays`, the contract calendar's set) runs to the end
    of the next working day, as the CCAGs count delays."""
    tz = ZoneInfo(zone)
    last = notified_at.astimezone(tz).date() + timedelta(days=days)
    while last.weekday() >= 5 or last in holiday_names(holidays, last.year, "fr"):
        last += timedelta(days=1)
    return datetime.combine(last, datetime.max.time().replace(microsecond=0), tz)
