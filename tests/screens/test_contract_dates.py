"""Contract dates due soon are on the dashboard, past due first, with the days left; notices
are alerts, to the administrators by default."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from incidents import dashboard_views
from sla.alerts.models import AlertRecord, Notification
from sla.alerts.scheduler import sweep
from sla.auth import service as accounts
from sla.contracts.due_dates import due_dates
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.db import session_scope
from sla.web.roles import Role
from tests.conftest import EXAMPLES
from tests.screens.conftest import AppFactory, french, french_plural, text_of
from tests.support import PASSWORD, login

# Gallimedia (Osny): express renewal each 31 December, notice one month before (§8): the last
# day to give notice in 2026 is 30 November.
NOTICE_DAY = date(2026, 11, 30)


def with_contracts(app: Flask) -> None:
    with session_scope(app.extensions["sla.engine"]) as session:
        import_documents(
            session,
            read_documents(contract_files(EXAMPLES)),
            now=datetime(2024, 1, 1, tzinfo=UTC),
        )


def test_the_notice_due_today_comes_first_then_past_dates_lead(configured_app: AppFactory) -> None:
    app = configured_app()
    with_contracts(app)
    with Session(app.extensions["sla.engine"]) as session:
        today = due_dates(session, today=NOTICE_DAY, ahead_days=30)
        assert today, "no contract date within 30 days"
        first = today[0]
        assert (first.what, first.day, first.days_left) == ("notice", NOTICE_DAY, 0)
        assert "Osny" in first.title or "Gallimedia" in first.vendor
        assert [d.days_left for d in today] == sorted(d.days_left for d in today)
        # Five days later the notice is past due, and still leads the list.
        later = due_dates(session, today=NOTICE_DAY + timedelta(days=5), ahead_days=30)
        assert (later[0].what, later[0].days_left) == ("notice", -5)
        assert later[0].past_due


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_views, "utcnow", lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC))


def test_the_dashboard_shows_the_dates_in_french(configured_app: AppFactory, frozen: Any) -> None:
    app = configured_app()
    with_contracts(app)
    with session_scope(app.extensions["sla.engine"]) as session:
        accounts.create_user(
            session,
            username="lecteur",
            password=PASSWORD,
            role=Role.viewer,
            now=datetime(2026, 11, 30, tzinfo=UTC),
        )
    client = app.test_client()
    login(client, "lecteur")
    page = text_of(client.get("/"))
    section = re.search(r'<table class="contract-dates">.*?</table>', page, flags=re.S)
    assert section is not None
    rows = re.findall(
        r"<tr[^>]*data-contract-date=\"(\w+)\"[^>]*>(.*?)</tr>", section.group(0), re.S
    )
    what, first = rows[0]
    assert what == "notice"
    assert french(app, "Last day to give notice") in first
    assert french(app, "today") in first
    assert french_plural(app, "in %(num)d day", "in %(num)d days", 2) not in first


def test_a_notice_is_an_alert_to_the_administrators(configured_app: AppFactory) -> None:
    app = configured_app(smtp={"host": ""})  # recorded, not sent
    with_contracts(app)
    with session_scope(app.extensions["sla.engine"]) as session:
        accounts.create_user(
            session,
            username="chef",
            password=PASSWORD,
            role=Role.admin,
            now=datetime(2026, 11, 30, tzinfo=UTC),
            email="chef@ville.example",
        )
        accounts.create_user(
            session,
            username="agent",
            password=PASSWORD,
            role=Role.agent,
            now=datetime(2026, 11, 30, tzinfo=UTC),
            email="agent@ville.example",
        )
    engine = app.extensions["sla.engine"]
    sweep(engine, app.config["SLA_SETTINGS"], now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    with Session(engine) as session:
        notices = session.exec(select(AlertRecord).where(AlertRecord.kind == "notice")).all()
        assert any(n.key.endswith(NOTICE_DAY.isoformat()) for n in notices)
        sent_to = {
            n.recipient
            for n in session.exec(select(Notification).where(Notification.kind == "notice"))
        }
    assert "chef@ville.example" in sent_to and "agent@ville.example" not in sent_to
