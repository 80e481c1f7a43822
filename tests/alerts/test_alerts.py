"""Alerts, with time driven by the tests: warn before, alert at the breach, remind, never twice."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlmodel import Session, select

from incidents.service import record_event, report_incident
from sla.alerts.delivery import claim, deliver
from sla.alerts.models import Notification
from sla.alerts.scheduler import digest, tick, transports_for
from sla.auth import service as accounts
from sla.config import load_settings
from sla.contracts.models import Contract
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.db import make_engine, session_scope, upgrade
from sla.engine.lifecycle import EventKind
from sla.web.roles import Role
from tests.alerts.conftest import text_of
from tests.conftest import EXAMPLES, POSTGRES_URL, reset_postgres_schema
from tests.support import ALERTS, require

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)  # a Monday, 09:00


def setup(app: Flask, *, reported: datetime = H, severity: str = "bloquant") -> int:
    engine = app.extensions["sla.engine"]
    with session_scope(engine) as session:
        import_documents(session, read_documents(contract_files(EXAMPLES)), now=reported)
        user = accounts.create_user(
            session,
            username="camille",
            password="a long password",
            role=Role.agent,
            now=reported,
            email="camille@ville.example",
        )
        contract = session.exec(select(Contract).where(Contract.reference == "D_2024_0110")).one()
        incident = report_incident(
            session,
            contract_id=contract.id or 0,
            severity=severity,
            title="Convocations bloquées",
            reported_at=reported,
            now=reported,
            user_id=user.id,
            alert_settings=ALERTS,
        ).incident
        return incident.id or 0


def run(app: Flask, now: datetime) -> Any:
    return tick(app.extensions["sla.engine"], app.config["SLA_SETTINGS"], now=now, worker="test")


def test_warning_breach_and_reminder_are_each_sent_once(
    alerts_app: Flask, mailbox: Any, webhook: Any
) -> None:
    box, _port = mailbox
    hooks, _url = webhook
    setup(alerts_app)
    # Bloquant (the contract's most severe level): warn at half of the 4 business hours.
    assert run(alerts_app, H + timedelta(hours=1, minutes=50)).recorded == 0
    warning = run(alerts_app, H + timedelta(hours=2, minutes=5))
    assert (warning.recorded, warning.sent) == (3, 3)  # reporter, DSI team, webhook
    assert run(alerts_app, H + timedelta(hours=2, minutes=30)).recorded == 0  # never twice
    mail = box.to("camille@ville.example")[0]
    assert mail["Subject"].startswith("[Garantie] Échéance proche — Libriciel SCOP — n° ")
    text = text_of(mail)
    assert "Échéance : lun. 5 mai 2025 15:00." in text  # 9-12 then 14-15: 4 business hours
    assert "https://garantie.ville.example/incidents/" in text
    assert mail.get_body(preferencelist=("html",)) is not None
    assert hooks[0]["text"].startswith("**[Garantie] Échéance proche")  # Mattermost format

    breach = run(alerts_app, datetime(2025, 5, 5, 15, 1, tzinfo=PARIS))
    # At 15:01 the take-charge is breached and half of the GTR's 8 business hours are used:
    # one breach and one warning, each to the reporter, the team and the webhook.
    assert breach.sent == 3 * 2
    subjects = sorted(m["Subject"] for m in box.to("dsi@ville.example"))
    assert any(
        s.startswith("[Garantie] Délai dépassé") and s.endswith("Prise en compte") for s in subjects
    )
    reminder = run(alerts_app, datetime(2025, 5, 6, 15, 30, tzinfo=PARIS))
    assert any(m["Subject"].startswith("[Garantie] Rappel") for m in box.to("dsi@ville.example"))
    assert run(alerts_app, datetime(2025, 5, 6, 15, 45, tzinfo=PARIS)).recorded == 0
    assert reminder.sent >= 2
    with Session(alerts_app.extensions["sla.engine"]) as session:
        keys = [n.key for n in session.exec(select(Notification))]
    assert len(keys) == len(set(keys))
    assert len(box.messages) == sum(1 for k in keys if "|email:" in k)


def test_paused_target_sends_nothing_and_met_target_sends_no_more(
    alerts_app: Flask, mailbox: Any
) -> None:
    box, _port = mailbox
    incident_id = setup(alerts_app, severity="majeur")
    engine = alerts_app.extensions["sla.engine"]
    # Majeur: take-charge 4 h (warn at 75 %: 12:00), GTR 24 h; acknowledge in time.
    from incidents.models import Incident

    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        record_event(
            session,
            incident,
            kind=EventKind.acknowledged,
            occurred_at=H + timedelta(minutes=30),
            now=H + timedelta(minutes=30),
            user_id=None,
            expected_revision=1,
            alert_settings=ALERTS,
        )
        record_event(
            session,
            incident,
            kind=EventKind.workaround,
            occurred_at=H + timedelta(hours=1),
            now=H + timedelta(hours=1),
            user_id=None,
            expected_revision=2,
            alert_settings=ALERTS,
        )
        record_event(
            session,
            incident,
            kind=EventKind.waiting_customer,
            occurred_at=H + timedelta(hours=2),
            now=H + timedelta(hours=2),
            user_id=None,
            expected_revision=3,
            text="logs",
            alert_settings=ALERTS,
        )
    # The resolution (5 business days from the workaround) is paused: nothing, even days later.
    assert run(alerts_app, H + timedelta(days=20)).recorded == 0
    assert box.messages == []


def test_a_crash_between_recording_and_sending_sends_once(alerts_app: Flask, mailbox: Any) -> None:
    box, _port = mailbox
    setup(alerts_app)
    settings = alerts_app.config["SLA_SETTINGS"]
    now = H + timedelta(hours=3)
    recorded = tick(alerts_app.extensions["sla.engine"], settings, now=now, send=False)
    assert recorded.recorded == 3 and box.messages == []
    # "Restart": a new engine, as a new process would have.
    fresh = make_engine(settings)
    try:
        # A worker claims, then dies before sending: its lease holds others off, then expires.
        assert len(claim(fresh, now=now, worker="dead")) == 3
        assert deliver(
            fresh,
            now=now + timedelta(minutes=1),
            worker="new",
            transports=transports_for(settings),
            max_attempts=3,
        ) == (0, 0)
        assert deliver(
            fresh,
            now=now + timedelta(minutes=6),
            worker="new",
            transports=transports_for(settings),
            max_attempts=3,
        ) == (3, 0)
        assert deliver(
            fresh,
            now=now + timedelta(minutes=7),
            worker="new",
            transports=transports_for(settings),
            max_attempts=3,
        ) == (0, 0)
    finally:
        fresh.dispose()
    assert len(box.messages) == 2  # two mails (reporter, team) and one webhook


def test_delivery_failures_are_retried_with_backoff_then_failed(alerts_app: Flask) -> None:
    setup(alerts_app)
    settings = alerts_app.config["SLA_SETTINGS"]
    engine = alerts_app.extensions["sla.engine"]
    now = H + timedelta(hours=3)
    tick(engine, settings, now=now, send=False)
    broken = load_settings(
        {},
        overrides={
            "smtp": {"host": "127.0.0.1", "port": 9},
            "database": {"url": str(engine.url.render_as_string(hide_password=False))},
        },
    )
    transports = transports_for(broken)
    assert deliver(engine, now=now, worker="w", transports=transports, max_attempts=3)[1] == 2
    with Session(engine) as session:
        mail = session.exec(select(Notification).where(Notification.channel == "email")).first()
        assert mail is not None and mail.status == "pending" and mail.attempts == 1
        assert mail.next_attempt_at.astimezone(PARIS) == (now + timedelta(minutes=1)).astimezone(
            PARIS
        )
        assert "ConnectionRefusedError" in mail.last_error
    assert deliver(
        engine, now=now + timedelta(seconds=30), worker="w", transports=transports, max_attempts=3
    ) == (0, 0)
    deliver(
        engine, now=now + timedelta(minutes=1), worker="w", transports=transports, max_attempts=3
    )
    deliver(
        engine, now=now + timedelta(minutes=4), worker="w", transports=transports, max_attempts=3
    )
    with Session(engine) as session:
        statuses = {
            n.status
            for n in session.exec(select(Notification).where(Notification.channel == "email"))
        }
    assert statuses == {"failed"}


def test_contract_notice_and_daily_digest(alerts_app: Flask, mailbox: Any) -> None:
    box, _port = mailbox
    setup(alerts_app)
    engine = alerts_app.extensions["sla.engine"]
    settings = alerts_app.config["SLA_SETTINGS"]
    # Libriciel: period ends 31/08/2025, notice two months before: last day 30/06/2025.
    run(alerts_app, datetime(2025, 6, 10, 9, tzinfo=PARIS))
    notices = [
        m
        for m in box.messages
        if m["Subject"].startswith("[Garantie] Préavis de dénonciation à donner")
    ]
    assert notices and "30 juin 2025" in text_of(notices[0])
    with session_scope(engine) as session:
        user = accounts.find_user(session, "camille")
        assert user is not None
        user.notify_digest = True
    assert digest(engine, settings, now=datetime(2025, 5, 6, 8, tzinfo=PARIS)) == 1
    assert digest(engine, settings, now=datetime(2025, 5, 6, 9, tzinfo=PARIS)) == 0
    run(alerts_app, datetime(2025, 5, 6, 8, 1, tzinfo=PARIS))
    summary = [
        m for m in box.to("camille@ville.example") if m["Subject"].startswith("[Garantie] Synthèse")
    ]
    assert len(summary) == 1
    assert (
        "Délais dépassés hier (1)" in summary[0].get_payload()[0].get_payload(decode=True).decode()
    )


def test_two_schedulers_on_postgresql_send_each_alert_once(
    mailbox: Any, webhook: Any, tmp_path: Any
) -> None:
    require(bool(POSTGRES_URL), "SLA_TEST_POSTGRES_URL is not set: no PostgreSQL server here")
    box, port = mailbox
    reset_postgres_schema(POSTGRES_URL)
    from sla.app import create_app
    from tests.conftest import app_config

    config = app_config(
        POSTGRES_URL,
        tmp_path / "i",
        smtp={"host": "127.0.0.1", "port": port},
        alerts={"team_email": "dsi@ville.example"},
    )
    apps = [create_app(config, environ={}) for _ in range(2)]
    upgrade(apps[0].extensions["sla.engine"])
    setup(apps[0])
    now = H + timedelta(days=2)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def scheduler(app: Flask, name: str) -> None:
        barrier.wait()
        for step in range(3):
            results.append(
                tick(
                    app.extensions["sla.engine"],
                    app.config["SLA_SETTINGS"],
                    now=now + timedelta(minutes=step),
                    worker=name,
                )
            )

    threads = [
        threading.Thread(target=scheduler, args=(app, f"s{i}")) for i, app in enumerate(apps)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(apps[0].extensions["sla.engine"]) as session:
        mails = session.exec(select(Notification).where(Notification.channel == "email")).all()
    assert mails and all(n.status == "sent" for n in mails)
    assert len(box.messages) == len(mails)  # each recorded mail delivered exactly once
    for app in apps:
        app.extensions["sla.engine"].dispose()


def test_alerts_page_lists_sent_and_failed(alerts_app: Flask, mailbox: Any) -> None:
    setup(alerts_app)
    run(alerts_app, H + timedelta(hours=3))
    from tests.support import login

    with session_scope(alerts_app.extensions["sla.engine"]) as session:
        accounts.create_user(
            session, username="lecteur", password="a long password", role=Role.viewer, now=H
        )
    client = alerts_app.test_client()
    login(client, "lecteur", "a long password")
    page = client.get("/alerts/?since=2025-01-01").get_data(as_text=True)
    assert "camille@ville.example" in page and "dsi@ville.example" in page
    assert "envoyé" in page or "sent" in page
    # A webhook's URL holds its secret token: a viewer reads only its host.
    assert "127.0.0.1" in page and "/hooks/garantie" not in page
