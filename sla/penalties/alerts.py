"""The penalty procedure's alerts, each raised once through the alerts' outbox:

- the vendor's answer period is over and no observations were recorded (CCAG-TIC 2021
  art. 14.1.1: from then on the buyer may decide the lines without waiting any longer);
- a statement is still a draft more than `[penalties] draft_alert_days` days after the end of
  its period (notify it or abandon it).

They reach whom a contract's own dates reach (`sla.alerts.recipients.audience`: the active
administrators, the team address, the contract's contacts, the webhooks). The scheduler's tick
runs `sweep_statements` after the incidents' and contracts' sweeps (`sla.jobs`: alerts do not
know penalties). Flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sla.alerts.language import configured_words
from sla.alerts.messages import Alert, Words, day_of, heading_of
from sla.alerts.models import AlertRecord
from sla.alerts.outbox import flush_outbox, raise_alert
from sla.alerts.recipients import Directory, audience, contacts_of
from sla.config import Settings
from sla.contracts.models import Contract, Vendor
from sla.contracts.service import current_version, document_of
from sla.error_codes import N_
from sla.errors import DomainError
from sla.penalties import text
from sla.penalties.compute import contract_zone
from sla.penalties.models import PenaltyStatement
from sla.penalties.statement import State

ANSWER, DRAFT = "penalty_answer", "penalty_draft"
DEFAULT_ZONE = "Europe/Paris"

ANSWER_LINE = N_(
    "The answer period of vendor %(vendor)s to penalty statement #%(id)s (%(contract)s, "
    "%(period)s) ended on %(date)s with no observations recorded: you may decide."
)
DRAFT_LINE = N_(
    "Penalty statement #%(id)s (%(contract)s, %(period)s) has been a draft since its period "
    "ended (%(days)s): notify it or abandon it."
)
SUBJECT = N_("[Garantie] %(heading)s — %(vendor)s — %(contract)s — statement #%(id)s")


def answer_key(statement_id: int | None) -> str:
    return f"penalty-answer:{statement_id}"


def draft_key(statement_id: int | None) -> str:
    return f"penalty-draft:{statement_id}"


def draft_alert_at(period_end: date, zone: str, days: int) -> datetime:
    """When a draft has been left `days` days after its period: the period ends at local
    midnight after `period_end`; the alert comes once more than `days` days have passed."""
    return datetime.combine(period_end + timedelta(days=days + 1), time(0), ZoneInfo(zone))


@dataclass(frozen=True)
class Due:
    """A statement that owes an alert of `kind` under `key`."""

    statement: PenaltyStatement
    kind: str
    key: str


def _unrecorded(session: Session, due: Iterable[Due]) -> list[Due]:
    """Those whose alert is not recorded yet (the outbox would skip them anyway: this spares
    wording them again at every tick)."""
    found = list(due)
    keys = [d.key for d in found]
    if not keys:
        return []
    recorded = set(session.exec(select(AlertRecord.key).where(col(AlertRecord.key).in_(keys))))
    return [d for d in found if d.key not in recorded]


def answers_over(session: Session, now: datetime) -> list[Due]:
    """Statements notified whose answer period has ended and whose vendor's observations are
    not recorded (recording them moves the statement to `observations`)."""
    statements = session.exec(
        select(PenaltyStatement)
        .where(
            PenaltyStatement.state == State.notified.value,
            col(PenaltyStatement.answer_due_at) < now,
        )
        .order_by(col(PenaltyStatement.id))
    ).all()
    return [Due(s, ANSWER, answer_key(s.id)) for s in statements]


def zone_of(directory: Directory, statement: PenaltyStatement) -> str:
    """The time zone of a statement's days: its contract's calendar's, in the version that
    applies to its period (as the statement computes them), read once per sweep."""
    key = (PenaltyStatement, ("zone", statement.contract_id, statement.period_end))
    if key not in directory.loaded:
        contract = directory.get(Contract, statement.contract_id)
        zone = DEFAULT_ZONE
        if contract is not None:
            try:
                version = current_version(directory.session, contract, statement.period_end)
                zone = contract_zone(document_of(version).sla, contract)
            except DomainError:  # a version this release cannot read: the alert all the same
                zone = DEFAULT_ZONE
        directory.loaded[key] = zone
    found: str = directory.loaded[key]
    return found


def drafts_left(directory: Directory, now: datetime, days: int) -> list[Due]:
    """Drafts whose period ended more than `days` days ago (in the contract's zone)."""
    # A day of margin either side of the zones; the exact instant is checked below.
    latest = now.date() - timedelta(days=days)
    statements = directory.session.exec(
        select(PenaltyStatement)
        .where(
            PenaltyStatement.state == State.draft.value,
            col(PenaltyStatement.period_end) <= latest,
        )
        .order_by(col(PenaltyStatement.id))
    ).all()
    return [
        Due(s, DRAFT, draft_key(s.id))
        for s in statements
        if now > draft_alert_at(s.period_end, zone_of(directory, s), days)
    ]


def statement_alert(
    due: Due,
    *,
    contract: Contract,
    vendor: Vendor | None,
    zone: str,
    now: datetime,
    base_url: str,
    words: Words,
) -> Alert:
    """The alert a statement owes, in the language of `words`."""
    statement = due.statement
    w = text.words(words.locale)
    period = w.statement_period(statement.period_kind, statement.period_start, statement.period_end)
    vendor_name = vendor.name if vendor is not None else ""
    facts: dict[str, Any] = {
        "statement_id": statement.id,
        "contract": contract.reference,
        "period_start": statement.period_start.isoformat(),
        "period_end": statement.period_end.isoformat(),
    }
    if due.kind == ANSWER and statement.answer_due_at is not None:
        line = words(
            ANSWER_LINE,
            vendor=vendor_name,
            id=statement.id,
            contract=contract.reference,
            period=period,
            date=day_of(statement.answer_due_at.astimezone(ZoneInfo(zone)).date(), words),
        )
        facts["deadline"] = statement.answer_due_at.isoformat()  # shown on the alerts page
    else:
        ended = now.astimezone(ZoneInfo(zone)).date() - statement.period_end - timedelta(days=1)
        line = words(
            DRAFT_LINE,
            id=statement.id,
            contract=contract.reference,
            period=period,
            days=w.ngettext("%(num)d day", "%(num)d days", ended.days),
        )
    subject = words(
        SUBJECT,
        heading=heading_of(due.kind, words),
        vendor=vendor_name,
        contract=contract.reference,
        id=statement.id,
    )
    link = f"{base_url.rstrip('/')}/penalties/{statement.id}"
    return Alert(due.kind, subject, (line,), link, facts).worded(words)


def sweep_statements(
    session: Session,
    *,
    now: datetime,
    settings: Settings | Mapping[str, Mapping[str, Any]],
    words: Words | None = None,
) -> int:
    """Raise the procedure's alerts that are due and not raised yet; returns how many
    deliveries were recorded."""
    alerts = settings["alerts"]
    base_url = str(settings["app"]["base_url"])
    words = words or configured_words(settings)
    directory = Directory(session, {})
    days = int(settings["penalties"]["draft_alert_days"])
    due = answers_over(session, now) + drafts_left(directory, now, days)
    for item in _unrecorded(session, due):
        statement = item.statement
        contract = directory.get(Contract, statement.contract_id)
        if contract is None:
            continue
        alert = statement_alert(
            item,
            contract=contract,
            vendor=directory.get(Vendor, contract.vendor_id),
            zone=zone_of(directory, statement),
            now=now,
            base_url=base_url,
            words=words,
        )
        contacts = contacts_of(directory, contract.id)
        reach = audience(directory, alerts, contacts, None, alert.kind)
        raise_alert(
            session,
            key=item.key,
            alert=alert,
            now=now,
            recipients=reach.recipients,
            webhook_format=alerts["webhook_format"],
            contract_id=contract.id,
            unreachable=reach.unreachable,
        )
    return flush_outbox(session)
