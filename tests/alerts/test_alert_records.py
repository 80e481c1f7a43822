"""Every alert is a fact, kept whether or not anyone can receive it; whoever is added later
gets the still-open breaches once (a real SMTP server on loopback)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from incidents.models import Incident
from incidents.service import record_event
from sla.alerts.models import AlertRecord, Notification
from sla.alerts.scheduler import tick
from sla.auth import service as accounts
from sla.db import session_scope, upgrade
from sla.engine.lifecycle import EventKind
from sla.web.roles import Role
from tests.alerts.conftest import text_of as text_of_mail
from tests.alerts.test_alerts import setup
from tests.conftest import POSTGRES_URL, app_config, empty_tables, reset_postgres_schema
from tests.screens.conftest import french, text_of
from tests.support import ALERTS, PASSWORD, login, require

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)  # a Monday, 09:00
BREACHED = H + timedelta(days=1, hours=1)  # bloquant: 4 business hours, long past


def bare_app(database_url: str, instance: Path, smtp_port: int, team_email: str = "") -> Flask:
    """A real mail server, and nobody set to receive alerts: no team address, no webhook."""
    from sla.app import create_app

    config = app_config(
        database_url,
        instance,
        smtp={"host": "127.0.0.1", "port": smtp_port, "sender": "garantie@ville.example"},
        alerts={"team_email": team_email, "webhooks": [], "reminder_hours": 24},
    )
    return create_app(config, environ={})


AppMaker = Callable[..., Flask]


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[AppMaker]:
    """Applications on the suite's database (their engines closed at the end: PostgreSQL
    counts an unclosed connection as an error)."""
    made: list[Flask] = []

    def make(smtp_port: int, team_email: str = "", url: str = "") -> Flask:
        app = bare_app(url or database_url, tmp_path / f"i{len(made)}", smtp_port, team_email)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["sla.engine"].dispose()


def run(app: Flask, now: datetime, worker: str = "test") -> Any:
    return tick(app.extensions["sla.engine"], app.config["SLA_SETTINGS"], now=now, worker=worker)


def without_address(app: Flask) -> None:
    """The demo's situation: the reporter has no email address."""
    with session_scope(app.extensions["sla.engine"]) as session:
        user = accounts.find_user(session, "camille")
        assert user is not None
        user.email = ""


def give_address(app: Flask) -> None:
    with session_scope(app.extensions["sla.engine"]) as session:
        user = accounts.find_user(session, "camille")
        assert user is not None
        user.email = "camille@ville.example"


def records(app: Flask) -> list[AlertRecord]:
    with Session(app.extensions["sla.engine"]) as session:
        return list(session.exec(select(AlertRecord).order_by(col(AlertRecord.id))))


def deliveries(app: Flask) -> list[Notification]:
    with Session(app.extensions["sla.engine"]) as session:
        return list(session.exec(select(Notification).order_by(col(Notification.id))))


def test_a_breach_with_nobody_to_tell_is_recorded_with_why(
    make_app: AppMaker, mailbox: Any
) -> None:
    box, port = mailbox
    app = make_app(port)
    empty_tables(app.extensions["sla.engine"])
    incident_id = setup(app)
    without_address(app)
    run(app, BREACHED)
    breaches = [r for r in records(app) if r.kind == "breach"]
    assert breaches and all(r.incident_id == incident_id for r in breaches)
    assert set(breaches[0].unreachable) == {
        "no_team_address",
        "no_webhook",
        "no_reporter_address",
        "no_contract_contact",
    }
    assert deliveries(app) == [] and box.messages == []
    # Sweeping again records nothing more: one fact per breach.
    run(app, BREACHED + timedelta(minutes=5))
    assert [r.id for r in records(app) if r.kind == "breach"] == [r.id for r in breaches]

    with session_scope(app.extensions["sla.engine"]) as session:
        accounts.create_user(
            session, username="lecteur", password=PASSWORD, role=Role.viewer, now=H
        )
    client = app.test_client()
    login(client, "lecteur")
    page = text_of(client.get("/alerts/?since=2025-05-01&state=unreached"))
    assert f"/incidents/{incident_id}" in page
    assert french(app, "reached nobody") in page
    assert french(app, "no team address ([alerts] team_email is empty)") in page
    assert french(app, "whoever reported the incident has no email address") in page
    assert "no_team_address" not in page  # codes stay out of the page


def test_a_recipient_added_later_gets_the_open_breach_once(
    make_app: AppMaker, mailbox: Any
) -> None:
    box, port = mailbox
    app = make_app(port)
    empty_tables(app.extensions["sla.engine"])
    setup(app)
    without_address(app)
    run(app, BREACHED)
    breach_keys = {r.key for r in records(app) if r.kind == "breach"}
    assert breach_keys and deliveries(app) == []

    # The reporter gets an address: the next round offers the open breaches to them, at once.
    give_address(app)
    run(app, BREACHED + timedelta(minutes=1))
    mails = box.to("camille@ville.example")
    assert len(mails) == len(breach_keys)
    assert all("Délai dépassé" in m["Subject"] for m in mails)
    # The configuration gains a team address (restarted with it): the team gets them,
    # camille nothing more.
    app = make_app(port, team_email="dsi@ville.example")
    for minute in range(2, 5):
        run(app, BREACHED + timedelta(minutes=minute))
    assert len(box.to("camille@ville.example")) == len(breach_keys)
    assert len(box.to("dsi@ville.example")) == len(breach_keys)
    delivered = deliveries(app)
    assert all(n.alert_id is not None and n.status == "sent" for n in delivered)
    assert {n.recipient for n in delivered} == {"camille@ville.example", "dsi@ville.example"}


def test_a_breach_of_a_resolved_incident_is_not_offered_again(
    make_app: AppMaker, mailbox: Any
) -> None:
    box, port = mailbox
    app = make_app(port)
    empty_tables(app.extensions["sla.engine"])
    incident_id = setup(app)
    without_address(app)
    run(app, BREACHED)
    with session_scope(app.extensions["sla.engine"]) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        record_event(
            session,
            incident,
            kind=EventKind.resolved,
            expected_revision=incident.revision,
            occurred_at=BREACHED + timedelta(minutes=2),
            now=BREACHED + timedelta(minutes=2),
            user_id=None,
            alert_settings=ALERTS,
        )
    give_address(app)
    run(app, BREACHED + timedelta(minutes=3))
    assert box.messages == [] and deliveries(app) == []
    assert any(r.kind == "breach" for r in records(app))  # the fact stays


def test_two_schedulers_offer_an_open_breach_once_on_postgresql(
    mailbox: Any, make_app: AppMaker
) -> None:
    require(bool(POSTGRES_URL), "SLA_TEST_POSTGRES_URL is not set: no PostgreSQL server here")
    box, port = mailbox
    reset_postgres_schema(POSTGRES_URL)
    apps = [make_app(port, url=POSTGRES_URL) for _ in range(2)]
    upgrade(apps[0].extensions["sla.engine"])
    setup(apps[0])
    without_address(apps[0])
    run(apps[0], BREACHED)
    give_address(apps[0])
    barrier = threading.Barrier(2)

    def scheduler(app: Flask, name: str) -> None:
        barrier.wait()
        for step in range(3):
            run(app, BREACHED + timedelta(minutes=1 + step), worker=name)

    threads = [threading.Thread(target=scheduler, args=(a, f"s{i}")) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    breaches = [r for r in records(apps[0]) if r.kind == "breach"]
    mails = box.to("camille@ville.example")
    assert breaches and len(mails) == len(breaches)  # each open breach once, not twice


def test_a_breach_moved_by_a_requalification_is_not_offered(
    make_app: AppMaker, mailbox: Any
) -> None:
    """Requalified, the incident's deadlines follow its new severity: the breach recorded
    against the old deadline is no longer one, and nobody added later receives it."""
    _box, port = mailbox
    app = make_app(port)
    empty_tables(app.extensions["sla.engine"])
    incident_id = setup(app)
    without_address(app)
    run(app, BREACHED)
    # The GTR's deadline moves with the severity (the take-charge's stays: still a breach).
    old = {r.key for r in records(app) if r.kind == "breach" and ":contournement:" in r.key}
    assert old
    with session_scope(app.extensions["sla.engine"]) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        record_event(
            session,
            incident,
            kind=EventKind.requalified,
            severity="majeur",
            text="mal qualifié à l'appel",
            expected_revision=incident.revision,
            occurred_at=BREACHED + timedelta(minutes=1),
            now=BREACHED + timedelta(minutes=1),
            user_id=None,
            alert_settings=ALERTS,
        )
    give_address(app)
    run(app, BREACHED + timedelta(minutes=2))
    offered = {n.key.partition("|")[0] for n in deliveries(app)}
    assert not offered & old  # the old deadlines' breaches stay facts, offered to nobody
    assert any(r.key in old for r in records(app))


def test_a_breach_recorded_before_alerts_were_facts_is_offered_with_its_text(
    make_app: AppMaker, mailbox: Any
) -> None:
    """Migration 0009 makes an alert of each delivery made before: it has only the text that
    was sent; offered again, the message says what it said then."""
    box, port = mailbox
    app = make_app(port)
    empty_tables(app.extensions["sla.engine"])
    setup(app)
    without_address(app)
    run(app, BREACHED)
    with session_scope(app.extensions["sla.engine"]) as session:
        for alert in session.exec(select(AlertRecord)):
            alert.facts = {}  # as the migration's backfill records them
    give_address(app)
    run(app, BREACHED + timedelta(minutes=1))
    mails = box.to("camille@ville.example")
    assert mails
    body = text_of_mail(mails[0])
    assert "Convocations bloquées" in body
    assert "https://" in body or "/incidents/" in body
