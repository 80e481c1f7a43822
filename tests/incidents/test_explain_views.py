"""Why this deadline: the explanation of a deadline across a weekend, a holiday and a pause,
on the incident page (folded under its target), on the printable page and in the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from sla.auth import service as accounts
from sla.auth.models import User
from sla.contracts.document import read_contract_text
from sla.contracts.service import import_documents
from sla.db import session_scope, utcnow
from sla.web.roles import Role

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600.0

CONTRACT = """
format = 2
[vendor]
name = "Prestataire"
[calendars.bureau]
name = "Heures de bureau"
timezone = "Europe/Paris"
holidays = "FR"
[calendars.bureau.hours]
mon = ["09:00-12:00", "14:00-18:00"]
tue = ["09:00-12:00", "14:00-18:00"]
wed = ["09:00-12:00", "14:00-18:00"]
thu = ["09:00-12:00", "14:00-18:00"]
fri = ["09:00-12:00", "14:00-18:00"]
[contract]
reference = "EXPLAIN-1"
title = "Maintenance"
start = 2025-01-01
calendar = "bureau"
[sla]
effective_from = 2025-01-01
[[sla.severities]]
key = "bloquant"
label = "Bloquant"
[[sla.severities.targets]]
key = "gtr"
kind = "restoration"
label = "Rétablissement"
business_hours = 12
pauses = ["customer"]
article = "§5"
"""


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


@pytest.fixture
def incident(app: Flask, engine: Engine, make_user: Callable[..., User]) -> tuple[int, Any]:
    """An incident reported Wednesday 28 May 2025 16:00 (Thursday 29 is Ascension, then a
    weekend), waiting on the customer Friday 10:00-11:00; and an agent's API client."""
    with session_scope(engine) as session:
        import_documents(
            session, [("x.toml", read_contract_text(CONTRACT, "x.toml"))], now=utcnow()
        )
    make_user("agent-api", Role.agent)
    with session_scope(engine) as session:
        user = accounts.find_user(session, "agent-api")
        assert user is not None
        token, _ = accounts.create_api_token(session, user, name="tests", now=utcnow())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/api/v1/contracts", headers=headers).json
    created = client.post(
        "/api/v1/incidents",
        json={
            "contract_id": body[0]["id"],
            "severity": "bloquant",
            "title": "Portail hors service",
            "channel": "phone",
            "reported_at": at(2025, 5, 28, 16).isoformat(),
        },
        headers=headers,
    ).json
    revision = created["revision"]
    for kind, when in (("waiting_customer", at(2025, 5, 30, 10)), ("resumed", at(2025, 5, 30, 11))):
        reply = client.post(
            f"/api/v1/incidents/{created['id']}/events",
            json={"kind": kind, "revision": revision, "occurred_at": when.isoformat()},
            headers=headers,
        )
        assert reply.status_code == 201, reply.json
        revision = reply.json["revision"]
    return created["id"], (client, headers)


def test_the_api_explains_each_deadline(incident: tuple[int, Any]) -> None:
    incident_id, (client, headers) = incident
    plain = client.get(f"/api/v1/incidents/{incident_id}/targets", headers=headers).json
    assert "explanation" not in plain[0]
    reply = client.get(f"/api/v1/incidents/{incident_id}/targets?explain=true", headers=headers)
    assert reply.status_code == 200
    (target,) = reply.json
    explained = target["explanation"]
    # Across Ascension (Thursday 29), the wait on Friday and the weekend: Monday 15:00.
    assert datetime.fromisoformat(target["deadline"]) == at(2025, 6, 2, 15)
    assert datetime.fromisoformat(explained["deadline"]) == at(2025, 6, 2, 15)
    assert datetime.fromisoformat(explained["base_deadline"]) == at(2025, 6, 2, 12)
    assert explained["moved_seconds"] == HOUR
    assert explained["origin_target"] is None
    assert [(s["start"], s["end"]) for s in explained["stretches"]] == [
        (at(*p).isoformat(), at(*q).isoformat())
        for p, q in (
            ((2025, 5, 28, 16), (2025, 5, 28, 18)),
            ((2025, 5, 30, 9), (2025, 5, 30, 10)),
            ((2025, 5, 30, 11), (2025, 5, 30, 12)),
            ((2025, 5, 30, 14), (2025, 5, 30, 18)),
            ((2025, 6, 2, 9), (2025, 6, 2, 12)),
            ((2025, 6, 2, 14), (2025, 6, 2, 15)),
        )
    ]
    assert explained["stretches"][-1]["running_total"] == 12 * HOUR
    assert [(d["day"], d["name"]) for d in explained["closed_days"]] == [
        ("2025-05-29", "Ascension")
    ]
    (pause,) = explained["pauses"]
    assert pause["waiting"] == "customer" and pause["freezes"] and pause["moved_seconds"] == HOUR


def test_a_bad_explain_flag_is_a_clear_422(incident: tuple[int, Any]) -> None:
    incident_id, (client, headers) = incident
    reply = client.get(f"/api/v1/incidents/{incident_id}/targets?explain=maybe", headers=headers)
    assert reply.status_code == 422
    assert "explain" in str(reply.json)


def test_the_incident_page_folds_the_explanation_under_its_target(
    incident: tuple[int, Any], client_as: Callable[[Role], FlaskClient]
) -> None:
    incident_id, _ = incident
    viewer = client_as(Role.viewer)
    page = viewer.get(f"/incidents/{incident_id}").get_data(as_text=True)
    folded = re.search(
        r'<tr class="explanation-row"><td colspan="7"><details><summary>(.*?)</summary>(.*?)</details>',
        page,
        re.S,
    )
    assert folded, "no explanation folded under the target"
    assert folded.group(1) == "Pourquoi cette échéance ?"
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", folded.group(2)))
    assert "Ascension" in text
    # Each stretch counted, with its running total, then the pause and the result.
    for row in (
        "16:00 18:00 2 h ouvrées 2 h ouvrées",
        "09:00 10:00 1 h ouvrée 3 h ouvrées",
        "11:00 12:00 1 h ouvrée 4 h ouvrées",
        "14:00 18:00 4 h ouvrées 8 h ouvrées",
        "09:00 12:00 3 h ouvrées 11 h ouvrées",
        "14:00 15:00 1 h ouvrée 12 h ouvrées",
    ):
        assert row in text, (row, text)
    assert "attente du client" in text and "recule de 1 h ouvrée" in text
    assert "Échéance : lun. 2 juin 2025 15:00 (lun. 2 juin 2025 12:00 sans les suspensions)" in text
    printable = viewer.get(f"/incidents/{incident_id}/deadlines")
    assert printable.status_code == 200
    text = printable.get_data(as_text=True)
    assert "Rétablissement" in text and "Ascension" in text
    assert viewer.get("/incidents/999999/deadlines").status_code == 404
