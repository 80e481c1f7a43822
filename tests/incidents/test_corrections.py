"""Correcting an incident's details: each change an append-only event with before and after,
under the optimistic lock, on the page and through the API; deadlines untouched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.listing import IncidentFilter, list_incidents
from incidents.models import Incident, IncidentEvent
from incidents.service import Conflict, correct_incident, record_event, report_incident
from sla.auth import service as accounts
from sla.db import session_scope, utcnow
from sla.engine.lifecycle import EventKind
from sla.errors import DomainError
from sla.web.roles import Role
from tests.support import ALERTS, csrf_from

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)


def _incident(engine: Engine, contract_id: int) -> int:
    with session_scope(engine) as session:
        return (
            report_incident(
                session,
                contract_id=contract_id,
                severity="majeur",
                title="Convocations bloquées",
                reported_at=H,
                now=H,
                user_id=None,
                alert_settings=ALERTS,
            ).incident.id
            or 0
        )


def test_a_correction_keeps_before_and_after_and_leaves_the_deadlines(
    engine: Engine, contracts: dict[str, int]
) -> None:
    incident_id = _incident(engine, contracts["D_2024_0110"])
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        deadlines = (incident.next_deadline_at, incident.breach_at, incident.warn_at)
        events = correct_incident(
            session,
            incident,
            changes={"vendor_ticket_ref": "LIB-4521", "title": "Convocations bloquées (Séances)"},
            now=H + timedelta(hours=2),
            user_id=None,
            expected_revision=1,
        )
        assert {(e.field, e.before, e.after) for e in events} == {
            ("vendor_ticket_ref", "", "LIB-4521"),
            ("title", "Convocations bloquées", "Convocations bloquées (Séances)"),
        }
        assert incident.revision == 2 and incident.vendor_ticket_ref == "LIB-4521"
        assert (incident.next_deadline_at, incident.breach_at, incident.warn_at) == deadlines
        found = list_incidents(session, IncidentFilter(text="seances"), now=H)
        assert [row.incident.id for row in found] == [incident_id]
        # A stale revision is refused; nothing is overwritten.
        with pytest.raises(Conflict):
            correct_incident(
                session, incident, changes={"title": "x"}, now=H, user_id=None, expected_revision=1
            )
        # A correction is not cancelled (correct again instead), nor recorded as an event.
        with pytest.raises(DomainError) as refused:
            record_event(
                session,
                incident,
                kind=EventKind.cancellation,
                occurred_at=H + timedelta(hours=3),
                now=H + timedelta(hours=3),
                user_id=None,
                expected_revision=2,
                cancels=events[0].id,
                text="no",
                alert_settings=ALERTS,
            )
        assert refused.value.code == "cancellation.of_correction"
        with pytest.raises(DomainError) as refused:
            record_event(
                session,
                incident,
                kind=EventKind.corrected,
                occurred_at=H + timedelta(hours=3),
                now=H + timedelta(hours=3),
                user_id=None,
                expected_revision=2,
                alert_settings=ALERTS,
            )
        assert refused.value.code == "correction.through_details"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "deux\nlignes"}, "title"),
        ({"service": "Inconnu"}, "service"),
        ({"channel": "pigeon"}, "channel"),
        ({"vendor_ticket_ref": "x" * 101}, "vendor_ticket_ref"),
        ({"severity": "bloquant"}, "severity"),
        ({"title": "Convocations bloquées"}, "title"),  # nothing changes
    ],
)
def test_a_bad_correction_names_its_field_and_changes_nothing(
    engine: Engine, contracts: dict[str, int], changes: dict[str, str], field: str
) -> None:
    incident_id = _incident(engine, contracts["D_2024_0110"])
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        with pytest.raises(DomainError) as refused:
            correct_incident(
                session, incident, changes=changes, now=H, user_id=None, expected_revision=1
            )
        assert refused.value.field == field
    with session_scope(engine) as session:
        assert session.get(Incident, incident_id).revision == 1  # type: ignore[union-attr]
        assert session.exec(select(IncidentEvent)).all() == []


def test_an_agent_corrects_the_vendor_ticket_on_the_page_and_sees_it_in_the_history(
    engine: Engine, contracts: dict[str, int], client_as: Callable[[Role], FlaskClient]
) -> None:
    incident_id = _incident(engine, contracts["D_2024_0110"])
    client = client_as(Role.agent)
    url = f"/incidents/{incident_id}"
    data = {
        "csrf_token": csrf_from(client, url),
        "revision": "1",
        "title": "Convocations bloquées",
        "description": "",
        "service": "",
        "channel": "email",
        "vendor_ticket_ref": "LIB-4521",
    }
    response = client.post(f"{url}/details", data=data)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "LIB-4521" in page and "« — » → « LIB-4521 »" in page
    # The same form again, with the revision it showed: stale now, nothing recorded.
    again = client.post(f"{url}/details", data={**data, "vendor_ticket_ref": "LIB-9"})
    assert again.status_code == 302
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.vendor_ticket_ref == "LIB-4521"
    bad = client.post(f"{url}/details", data={**data, "revision": "2", "title": "a\x00b"})
    assert bad.status_code == 400


def test_the_api_corrects_with_patch_and_returns_the_history(
    app: Any, make_user: Callable[..., Any], engine: Engine, contracts: dict[str, int]
) -> None:
    incident_id = _incident(engine, contracts["D_2024_0110"])
    make_user("api-agent", Role.agent)
    with session_scope(engine) as session:
        user = accounts.find_user(session, "api-agent")
        assert user is not None
        token, _ = accounts.create_api_token(session, user, name="tests", now=utcnow())
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.patch(
        f"/api/v1/incidents/{incident_id}",
        json={"revision": 1, "vendor_ticket_ref": "LIB-77"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["vendor_ticket_ref"] == "LIB-77" and body["revision"] == 2
    assert body["events"][-1]["kind"] == "corrected"
    assert (body["events"][-1]["field"], body["events"][-1]["after"]) == (
        "vendor_ticket_ref",
        "LIB-77",
    )
    stale = client.patch(
        f"/api/v1/incidents/{incident_id}", json={"revision": 1, "title": "x"}, headers=headers
    )
    assert stale.status_code == 409 and stale.get_json()["code"] == "incident.changed"
