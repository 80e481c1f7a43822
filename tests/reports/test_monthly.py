"""The scheduled monthly report: archived once on the first working day, mailed with its PDF
to a real SMTP server on loopback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlmodel import Session, select

from sla.app import create_app
from sla.jobs import monthly_report, tick
from sla.reports.archive import first_working_day
from sla.reports.models import ArchivedReport
from tests.alerts.conftest import mailbox  # noqa: F401 (a fixture)
from tests.alerts.test_alerts import setup
from tests.conftest import app_config, empty_tables

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def report_app(database_url: str, tmp_path: Path, mailbox: Any) -> Iterator[Flask]:  # noqa: F811
    _box, port = mailbox
    app = create_app(
        app_config(
            database_url,
            tmp_path / "instance",
            smtp={"host": "127.0.0.1", "port": port, "sender": "garantie@ville.example"},
            reports={"recipients": ["dgs@ville.example", "dsi@ville.example"]},
            app={"base_url": "https://garantie.ville.example"},
        ),
        environ={},
    )
    empty_tables(app.extensions["sla.engine"])
    yield app
    app.extensions["sla.engine"].dispose()


def test_first_working_day_skips_weekends_and_holidays() -> None:
    assert first_working_day(2025, 6) == date(2025, 6, 2)  # 1 June 2025 is a Sunday
    assert first_working_day(2026, 1) == date(2026, 1, 2)  # 1 January is a holiday
    assert first_working_day(2025, 11) == date(2025, 11, 3)  # Sat 1 Nov (Toussaint)


def test_monthly_report_is_archived_and_mailed_once(report_app: Flask, mailbox: Any) -> None:  # noqa: F811
    box, _port = mailbox
    engine = report_app.extensions["sla.engine"]
    settings = report_app.config["SLA_SETTINGS"]
    setup(report_app)  # a Libriciel bloquant reported on Monday 5 May 2025
    due = datetime(2025, 6, 2, 7, 0, tzinfo=PARIS)  # monthly_time 07:00, first working day
    assert monthly_report(engine, settings, now=due - timedelta(minutes=1)) is None
    assert monthly_report(engine, settings, now=due) is not None
    assert monthly_report(engine, settings, now=due + timedelta(hours=3)) is None  # once
    # Catching up later in the month does not archive it again either.
    assert monthly_report(engine, settings, now=due + timedelta(days=10)) is None
    with Session(engine) as session:
        archived = session.exec(select(ArchivedReport)).one()
        assert archived.scheduled
        assert (archived.period_start, archived.period_end) == (date(2025, 5, 1), date(2025, 5, 31))
        assert archived.made_at == due
    tick(engine, settings, now=due + timedelta(minutes=1), worker="test")  # also the incident's
    reports = [m for m in box.messages if m["Subject"].startswith("[Garantie] Rapport")]
    assert sorted(m["X-Envelope-To"] for m in reports) == [
        "dgs@ville.example",
        "dsi@ville.example",
    ]
    mail = reports[0]
    assert "mai 2025" in mail["Subject"]
    attachments = list(mail.iter_attachments())  # type: ignore[attr-defined]
    assert [a.get_filename() for a in attachments] == ["rapport-sla-2025-05.pdf"]
    pdf = PdfReader(io.BytesIO(attachments[0].get_content()))
    assert "mai 2025" in pdf.pages[0].extract_text()
    tick(engine, settings, now=due + timedelta(minutes=2), worker="test")
    assert len([m for m in box.messages if m["Subject"].startswith("[Garantie] Rapport")]) == 2


def test_a_month_archived_meanwhile_by_another_scheduler_is_a_quiet_no_op(
    report_app: Flask,
    mailbox: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SQLite has no advisory lock: two schedulers may both find the month due; the second
    one's insert meets the unique period. That is not an error to log with a traceback."""
    from sqlalchemy.exc import IntegrityError

    import sla.jobs

    engine = report_app.extensions["sla.engine"]
    settings = report_app.config["SLA_SETTINGS"]
    setup(report_app)
    due = datetime(2025, 6, 2, 7, 0, tzinfo=PARIS)
    assert monthly_report(engine, settings, now=due) is not None

    def archived_by_the_other(*_args: Any, **_kwargs: Any) -> Any:
        raise IntegrityError("INSERT INTO archived_reports", {}, Exception("UNIQUE constraint"))

    monkeypatch.setattr(sla.jobs, "monthly", archived_by_the_other)
    with caplog.at_level("INFO"):
        assert monthly_report(engine, settings, now=due + timedelta(minutes=1)) is None
    assert not [r for r in caplog.records if r.exc_info]
    with Session(engine) as session:
        assert len(session.exec(select(ArchivedReport)).all()) == 1
