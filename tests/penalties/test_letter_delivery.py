"""The letter of a notified statement leaves by mail, through the outbox and a real SMTP server
on loopback, to the vendor's address, with the statement's PDF attached."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sla import jobs
from sla.alerts.models import Notification
from sla.app import create_app
from sla.db import session_scope
from sla.penalties import procedure
from sla.penalties.attachments import letter_filename, statement_attachments
from sla.penalties.models import PenaltyStatement
from sla.printing.organisation import Organisation
from tests.alerts.conftest import Mailbox, free_port
from tests.conftest import app_config, empty_tables
from tests.penalties.period import NOW, OCTOBER, TODAY, build_october

VENDOR = "support@exemple-infogerance.invalid"
MAILING = procedure.Mailing(Organisation("Ville d'Exemple"), "fr")


@pytest.fixture
def mail_app(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, Mailbox]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    config = app_config(
        database_url,
        tmp_path / "instance",
        smtp={"host": "127.0.0.1", "port": port, "sender": "garantie@ville.example"},
    )
    app = create_app(config, environ={})
    engine = app.extensions["sla.engine"]
    empty_tables(engine)
    yield app, box
    engine.dispose()
    controller.stop()


def _notified(engine: Engine) -> int:
    built = build_october(engine)
    with session_scope(engine) as session:
        statement = procedure.create_statement(
            session,
            contract_id=built.contract_id,
            period_kind="month",
            first=OCTOBER[0],
            last=None,
            by=None,
            now=NOW,
            today=TODAY,
        )
        assert statement.id is not None
        procedure.notify(session, statement.id, revision=None, by=None, now=NOW, mailing=MAILING)
        return statement.id


def test_the_letter_is_mailed_to_the_vendor_with_its_pdf(
    mail_app: tuple[Flask, Mailbox],
) -> None:
    app, box = mail_app
    engine = app.extensions["sla.engine"]
    statement_id = _notified(engine)
    result = jobs.tick(engine, app.config["SLA_SETTINGS"], now=NOW + timedelta(minutes=1))
    assert result.failed == 0
    (mail,) = box.to(VENDOR)
    assert "EXEMPLE-PENALITES-2026" in mail["Subject"]
    (pdf,) = list(mail.iter_attachments())  # type: ignore[attr-defined]
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "releve-penalites-EXEMPLE-PENALITES-2026-2026-10.pdf"
    content = pdf.get_content()
    assert content.startswith(b"%PDF")
    with Session(engine) as session:
        statement = session.get(PenaltyStatement, statement_id)
        assert statement is not None
        assert content == statement.letter_pdf  # the very letter stored when notified
        (sent,) = session.exec(
            select(Notification).where(Notification.statement_id == statement_id)
        ).all()
        assert sent.status == "sent"
    # Sent once: the next tick sends nothing more.
    assert jobs.tick(engine, app.config["SLA_SETTINGS"], now=NOW + timedelta(minutes=2)).sent == 0
    assert len(box.to(VENDOR)) == 1


def test_a_letter_whose_pdf_is_gone_fails_at_once_instead_of_leaving_without_it(
    mail_app: tuple[Flask, Mailbox],
) -> None:
    app, box = mail_app
    engine = app.extensions["sla.engine"]
    statement_id = _notified(engine)
    with session_scope(engine) as session:
        statement = session.get(PenaltyStatement, statement_id)
        assert statement is not None
        statement.letter_pdf = None
        session.add(statement)
    result = jobs.tick(engine, app.config["SLA_SETTINGS"], now=NOW + timedelta(minutes=1))
    assert result.failed == 1
    assert box.to(VENDOR) == []
    with Session(engine) as session:
        (mail,) = session.exec(
            select(Notification).where(Notification.statement_id == statement_id)
        ).all()
        assert mail.status == "failed"
        assert "has no letter" in mail.last_error


def test_other_mails_carry_no_letter(mail_app: tuple[Flask, Mailbox]) -> None:
    app, _box = mail_app
    engine = app.extensions["sla.engine"]
    with Session(engine) as session:
        digest = Notification(
            key="digest:x",
            kind="digest",
            channel="email",
            recipient="dsi@ville.example",
            subject="Synthèse",
            next_attempt_at=NOW,
            created_at=NOW,
        )
        assert statement_attachments(session, digest) == []


def test_the_file_name_holds_no_line_break_nor_path_separator() -> None:
    statement = PenaltyStatement(
        contract_id=1,
        period_kind="quarter",
        period_start=OCTOBER[0],
        period_end=OCTOBER[1],
        created_at=NOW,
    )
    name = letter_filename("MARCHÉ/2026\n01", statement)
    assert name == "releve-penalites-MARCHÉ-2026 01-2026-10-01_2026-10-31.pdf"
