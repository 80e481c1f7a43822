"""Severities read as their contract's labels wherever a person reads them (dashboard, list,
incident page and its history, the list's filter); keys stay in URLs and option values."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.models import Incident, IncidentEvent
from incidents.replay import document_for
from incidents.service import report_incident
from sla.contracts.models import Contract
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import ALERTS
from tests.wording.conftest import french, read, visible_text

Client = Callable[[Role], FlaskClient]
# Keys of the demo contracts that are not words a person would write.
RAW_KEYS = ("correctif-securite", "donnees-majic", "serieux", "indisponibilite", "tres-complexe")


def _contract_id(engine: Engine, reference: str) -> int:
    with session_scope(engine) as session:
        found = session.exec(select(Contract.id).where(Contract.reference == reference)).one()
        assert found is not None
        return found


def _report(engine: Engine, reference: str, severity: str, at: datetime) -> int:
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=_contract_id(engine, reference),
            severity=severity,
            title="Incident signalé pour le test",
            reported_at=at,
            now=at,
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        assert incident.id is not None
        return incident.id


def _no_raw_key(text: str) -> None:
    for key in RAW_KEYS:
        assert re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text) is None, key


def test_dashboard_list_and_incident_page_of_the_demo_show_severity_labels_not_keys(
    demo: datetime, engine: Engine, client_as: Client
) -> None:
    majic = _report(engine, "2025CM0417", "donnees-majic", demo - timedelta(hours=1))
    patch = _report(engine, "SMICA-DRUELLE-2024", "correctif-securite", demo - timedelta(hours=2))
    client = client_as(Role.viewer)

    dashboard = visible_text(client.get("/").get_data(as_text=True))
    assert "Intégration des données MAJIC / EDIGEO" in dashboard
    assert "Correctif de sécurité publié" in dashboard
    _no_raw_key(dashboard)

    listed = client.get("/incidents/")
    assert listed.status_code == 200
    _no_raw_key(visible_text(listed.get_data(as_text=True)))
    only = client.get("/incidents/?severity=correctif-securite").get_data(as_text=True)
    rows = re.findall(r"<tbody>(.*?)</tbody>", only, re.S)[0]
    assert "Correctif de sécurité publié" in visible_text(rows)
    _no_raw_key(visible_text(only))

    for incident_id in (majic, patch):
        page = visible_text(client.get(f"/incidents/{incident_id}").get_data(as_text=True))
        _no_raw_key(page)
    page = visible_text(client.get(f"/incidents/{majic}").get_data(as_text=True))
    # In the facts and in the history's first row (heure H).
    assert page.count("Intégration des données MAJIC / EDIGEO") >= 2


def test_a_requalified_incident_names_both_severities_by_their_labels(
    app: Flask, demo: datetime, engine: Engine, client_as: Client
) -> None:
    with session_scope(engine) as session:
        event = session.exec(
            select(IncidentEvent).where(IncidentEvent.kind == "requalified")
        ).first()
        assert event is not None, "the demo requalifies some incidents"
        incident = session.get(Incident, event.incident_id)
        assert incident is not None and event.severity
        after, reported_as = event.severity, incident.severity
        incident_id = incident.id
    with session_scope(engine) as session:
        stored = session.get(Incident, incident_id)
        assert stored is not None
        terms = document_for(session, stored).sla
    page = visible_text(
        client_as(Role.viewer).get(f"/incidents/{incident_id}").get_data(as_text=True)
    )
    assert f"→ {terms.severity(after).label}" in page
    assert f"→ {after} " not in page
    if stored.current_severity != reported_as:
        label = terms.severity(reported_as).label
        assert read(french(app, "reported as %(s)s", s=label)) in page


def test_the_severity_filter_is_grouped_by_contract_in_the_contracts_order(
    demo: datetime, client_as: Client
) -> None:
    html = client_as(Role.viewer).get("/incidents/?severity=bloquant").get_data(as_text=True)
    select_html = re.search(r'<select id="f-severity".*?</select>', html, re.S)
    assert select_html
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select_html.group(0), re.S)
    by_title = {
        title: re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', body)
        for title, body in groups
    }
    assert len(by_title) == 6  # the five seeds and the illustrative contract
    assert by_title["Libriciel SCOP — D_2024_0110"] == [
        ("bloquant", "Niveau 0 – Bloquant"),
        ("majeur", "Niveau 1 – Majeur"),
        ("serieux", "Niveau 2 – Sérieux"),
        ("mineur", "Niveau 3 – Mineur"),
        ("indisponibilite", "Indisponibilité du service hébergé"),
    ]
    assert by_title["Operis — 2025CM0417"][-1] == (
        "donnees-majic",
        "Intégration des données MAJIC / EDIGEO",
    )
    # The key asked for shows selected once, under the first contract that has it.
    assert select_html.group(0).count("selected") == 1
