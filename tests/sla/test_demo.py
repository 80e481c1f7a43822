"""Demo data: deterministic for a seed and a day, valid histories, every kind of case."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.models import Incident, IncidentEvent
from incidents.replay import view_incident
from sla.db import session_scope
from sla.demo import load_demo
from sla.engine.target_states import TargetStatus
from tests.support import ALERTS

NOW = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)


def _snapshot(engine: Engine) -> list[tuple[object, ...]]:
    with session_scope(engine) as session:
        incidents = session.exec(select(Incident).order_by(Incident.id)).all()
        events = session.exec(select(IncidentEvent).order_by(IncidentEvent.id)).all()
        return [(i.title, i.severity, i.reported_at, i.status) for i in incidents] + [
            (e.incident_id, e.kind, e.occurred_at) for e in events
        ]


def test_demo_is_deterministic_and_shows_every_case(engine: Engine) -> None:
    with session_scope(engine) as session:
        lines = list(load_demo(session, now=NOW, incidents=300, seed=7, alert_settings=ALERTS))
    assert lines[-1] == "300 demo incidents over the last twelve months (seed 7)"
    first = _snapshot(engine)
    with session_scope(engine) as session:
        kinds = Counter(e.kind for e in session.exec(select(IncidentEvent)))
        statuses: Counter[str] = Counter()
        for incident in session.exec(select(Incident)):
            for target in view_incident(session, incident, now=NOW).targets:
                statuses[target.status.value] += 1
    for kind in (
        "acknowledged",
        "waiting_customer",
        "resumed",
        "requalified",
        "exclusion_invoked",
        "resolved",
        "closed",
    ):
        assert kinds[kind] > 0, kind
    for status in (TargetStatus.met, TargetStatus.breached, TargetStatus.excluded):
        assert statuses[status.value] > 0, status
    # The same seed on the same day gives the same data, in a fresh database.
    from tests.conftest import empty_tables

    empty_tables(engine)
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, incidents=300, seed=7, alert_settings=ALERTS))
    second = _snapshot(engine)
    assert second == first


def test_demo_twice_adds_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, incidents=20, seed=1, alert_settings=ALERTS))
    with session_scope(engine) as session:
        lines = list(load_demo(session, now=NOW, alert_settings=ALERTS))
        count = len(session.exec(select(Incident)).all())
    assert lines == ["20 incidents already there: none added"]
    assert count == 20


def test_demo_invokes_an_exclusion_only_for_a_target_its_clause_covers(engine: Engine) -> None:
    """As the incident service requires (Aukfood's clauses cover the GTR only)."""
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, alert_settings=ALERTS, incidents=400, seed=7))
    with session_scope(engine) as session:
        invoked = session.exec(
            select(IncidentEvent).where(IncidentEvent.kind == "exclusion_invoked")
        ).all()
        assert invoked, "the demo invokes no exclusion"
        for event in invoked:
            incident = session.get(Incident, event.incident_id)
            assert incident is not None
            terms = view_incident(session, incident, now=NOW).terms
            clause = terms.exclusion(event.exclusion or "")
            assert clause is not None
            assert not clause.targets or event.target in clause.targets, (event.id, clause)
