"""The file a penalty letter's mail carries: the statement's letter, the PDF stored when it
was notified (CCAG-TIC 2021 art. 14.1.1: the vendor receives the statement it may answer).
Read when the mail is sent, by the delivery the jobs module runs."""

from __future__ import annotations

from sqlmodel import Session

from sla.alerts.delivery import Attachment, Undeliverable
from sla.alerts.models import Notification
from sla.contracts.models import Contract
from sla.penalties.models import PenaltyStatement
from sla.penalties.statement import document_stem
from sla.safe_text import one_line


def letter_filename(reference: str, statement: PenaltyStatement) -> str:
    """`releve-penalites-EXEMPLE-2026-2026-09.pdf` (a month), else the period's first and last
    days; on one line, with no path separator whatever the contract's reference holds."""
    stem = document_stem(
        "releve-penalites",
        reference,
        statement.period_kind,
        statement.period_start,
        statement.period_end,
    )
    name = one_line(stem, limit=200)
    return name.replace("/", "-").replace("\\", "-") + ".pdf"


def statement_attachments(session: Session, notification: Notification) -> list[Attachment]:
    """The letter (PDF) a notified statement's mail carries; nothing for other mails. A letter
    mail whose PDF is gone cannot be sent as it says ("please find attached"): Undeliverable,
    so that it fails at once and shows on the alerts page."""
    if notification.statement_id is None:
        return []
    statement = session.get(PenaltyStatement, notification.statement_id)
    if statement is None or not statement.letter_pdf:
        raise Undeliverable(f"penalty statement {notification.statement_id} has no letter")
    contract = session.get(Contract, statement.contract_id)
    reference = contract.reference if contract is not None else str(statement.contract_id)
    return [Attachment(letter_filename(reference, statement), statement.letter_pdf)]
