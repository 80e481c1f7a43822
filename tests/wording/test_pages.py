"""What the pages say about delays, counts, roles and calendars is true and in words: a target
that a wait does not stop says so; a time is a margin, what remains or how late; counts agree
in number; roles and closed days read as words."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import select

from calendars.models import VendorCalendar
from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.engine.target_states import TargetState, TargetStatus
from sla.engine.terms import TargetKind
from sla.web.roles import Role
from sla.web.settings import app_zone
from tests.support import ALERTS
from tests.wording.conftest import french, read, visible_text

Client = Callable[[Role], FlaskClient]
LIBRICIEL = "D_2024_0110"


def _report(engine: Engine, contract_id: int, severity: str, at: datetime) -> int:
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=contract_id,
            severity=severity,
            title="Convocations bloquées",
            reported_at=at,
            now=at,
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        assert incident.id is not None
        return incident.id


def _record(engine: Engine, incident_id: int, kind: EventKind, at: datetime) -> None:
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        record_event(
            session,
            incident,
            kind=kind,
            occurred_at=at,
            now=at,
            user_id=None,
            expected_revision=incident.revision,
            alert_settings=ALERTS,
        )


def _row(html: str, label: str) -> str:
    """The visible text of the targets table's row of the target `label`."""
    start = html.find('<table class="targets">')
    assert start >= 0
    # The rows of the targets table (each target's explanation folds a table of its own).
    for row in re.findall(r"<tr class=\"row-.*?</tr>", html[start:], re.S):
        if f">{label}<" in row:
            return visible_text(row)
    raise AssertionError(f"no row {label}")


def _prefix(app: Flask, msgid: str) -> str:
    """What a French reader sees before the time of `msgid` (`Marge :`…)."""
    return read(french(app, msgid, time="\x00").split("\x00")[0])


def test_a_target_that_the_wait_does_not_stop_says_so_with_its_article(
    app: Flask, engine: Engine, contracts: dict[str, int], client_as: Client
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    incident_id = _report(engine, contracts[LIBRICIEL], "bloquant", now - timedelta(hours=2))
    _record(engine, incident_id, EventKind.acknowledged, now - timedelta(hours=1, minutes=50))
    _record(engine, incident_id, EventKind.waiting_customer, now - timedelta(hours=1))
    html = client_as(Role.viewer).get(f"/incidents/{incident_id}").get_data(as_text=True)
    note = read(french(app, "does not stop while waiting (%(article)s)", article="§5.2.4.1"))
    # §5.2.4.1: waiting on the customer freezes the resolution only; the GTR runs on.
    assert note in _row(html, "GTR : correctif ou contournement")
    assert note not in _row(html, "Résolution")
    assert note not in _row(html, "Prise en compte")
    # Once the wait is over, nothing to say.
    _record(engine, incident_id, EventKind.resumed, now - timedelta(minutes=30))
    html = client_as(Role.agent).get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert note not in _row(html, "GTR : correctif ou contournement")


def test_a_time_is_a_margin_what_remains_or_how_late(
    app: Flask, engine: Engine, contracts: dict[str, int], client_as: Client
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    old = _report(engine, contracts[LIBRICIEL], "bloquant", now - timedelta(days=30))
    _record(engine, old, EventKind.acknowledged, now - timedelta(days=30) + timedelta(minutes=10))
    fresh = _report(engine, contracts[LIBRICIEL], "majeur", now - timedelta(minutes=5))
    client = client_as(Role.viewer)
    margin, remaining, late = (
        _prefix(app, msgid)
        for msgid in ("Margin: %(time)s", "Remaining: %(time)s", "Late: %(time)s")
    )
    html = client.get(f"/incidents/{old}").get_data(as_text=True)
    assert margin in _row(html, "Prise en compte")  # met: its margin
    assert late in _row(html, "GTR : correctif ou contournement")  # 30 days without a fix
    html = client.get(f"/incidents/{fresh}").get_data(as_text=True)
    assert remaining in _row(html, "Prise en compte")  # running
    dashboard = visible_text(client.get("/").get_data(as_text=True))
    assert remaining in dashboard and late in dashboard


def _target(status: TargetStatus, remaining: float, lateness: float | None = None) -> TargetState:
    return TargetState(
        key="gtr",
        kind=TargetKind.restoration,
        label="GTR",
        article="",
        origin="report",
        started_at=None,
        deadline=None,
        milestone_at=None,
        total_seconds=8 * 3600,
        consumed_seconds=8 * 3600 - remaining,
        remaining_seconds=remaining,
        lateness_seconds=lateness,
        status=status,
        business=True,
    )


def test_the_time_column_words_each_status_in_english(app: Flask) -> None:
    template = app.jinja_env.from_string(
        '{% from "_macros.html" import remaining %}{{ remaining(target) }}'
    )
    with app.test_request_context("/"), force_locale("en"):

        def shown(target: TargetState) -> str:
            return visible_text(template.render(target=target))

        assert shown(_target(TargetStatus.met, 2 * 3600)) == "Margin: 2 h business"
        assert shown(_target(TargetStatus.running, 3600)) == "Remaining: 1 h business"
        assert shown(_target(TargetStatus.paused, 3600)) == "Remaining: 1 h business"
        late = _target(TargetStatus.breached, -5400, 5400)
        assert shown(late) == "Late: 1 h 30 business"
        assert shown(_target(TargetStatus.excluded, 3600)) == "—"


def test_counts_agree_in_number_on_the_report_page_and_in_its_pdf(
    app: Flask, engine: Engine, contracts: dict[str, int], english_client: Client, client_as: Client
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    at = now - timedelta(minutes=10)
    _report(engine, contracts[LIBRICIEL], "majeur", at)
    for _ in range(2):
        _report(engine, contracts["2025CM0417"], "majeure", at)
    with app.app_context():
        month = at.astimezone(app_zone()).strftime("%Y-%m")
    page = visible_text(
        english_client(Role.viewer).get(f"/reports/?month={month}").get_data(as_text=True)
    )
    assert "1 incident reported:" in page and "2 incidents reported:" in page
    assert "incident(s)" not in page
    pdf = client_as(Role.viewer).get(f"/reports/report.pdf?month={month}")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "1 incident signalé :" in text and "2 incidents signalés :" in text
    assert "signalé(s)" not in text
    assert "Fournisseur" not in text.replace("Tous les fournisseurs", "")
    assert "Délais respectés" in text and "Tenus" not in text


def test_roles_read_as_words_with_french_typography(
    app: Flask, client_as: Client, english_client: Client
) -> None:
    admin = client_as(Role.admin)
    page = visible_text(admin.get("/account").get_data(as_text=True))
    assert read(french(app, "Role: %(role)s", role=french(app, "administrator"))) in page
    assert "Rôle: admin" not in page
    users = admin.get("/admin/users/").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", users, re.S) if "user-admin" in r)
    assert french(app, "administrator") in visible_text(row).split()
    assert "admin" not in visible_text(row).split()
    english = visible_text(english_client(Role.admin).get("/account").get_data(as_text=True))
    assert "Role: administrator" in english


def test_a_closed_weekday_of_a_calendar_reads_closed_all_day(
    app: Flask, engine: Engine, contracts: dict[str, int], client_as: Client
) -> None:
    with session_scope(engine) as session:
        calendar_id = session.exec(select(VendorCalendar.id)).first()
    html = client_as(Role.viewer).get(f"/calendars/{calendar_id}").get_data(as_text=True)
    weekly = re.search(r"<table><caption[^>]*>[^<]*</caption><tbody>.*?</tbody>", html, re.S)
    assert weekly
    text = visible_text(weekly.group(0))
    assert read(french(app, "closed all day")) in text
    assert french(app, "closed") not in text.split()
