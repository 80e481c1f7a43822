"""Demo data: deterministic for a seed and a day, valid histories, every kind of case, and the
illustrative contract's penalty statements in each state of the procedure."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.models import Incident, IncidentEvent
from incidents.replay import view_incident
from sla.alerts.models import Notification
from sla.contracts.models import Contract
from sla.db import session_scope
from sla.demo import ILLUSTRATIVE_REFERENCE, load_demo
from sla.engine.target_states import TargetStatus
from sla.penalties import reading
from sla.penalties.models import PenaltyLine, PenaltyStatement
from sla.penalties.statement import Decision, State, StepKind
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
    assert "300 demo incidents over the last twelve months (seed 7)" in lines
    assert "60 incidents of the illustrative contract EXEMPLE-PENALITES-2026 (fictional)" in lines
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
    assert lines == ["24 incidents already there: none added"]
    assert count == 24  # and a fifth as many of the illustrative contract


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


def test_demo_makes_the_illustrative_contracts_statements_in_each_state(engine: Engine) -> None:
    """The last three full months before 20 November: August final (one line reduced, one
    waived, each with its reason), September answered by the vendor, October a draft."""
    with session_scope(engine) as session:
        lines = list(load_demo(session, now=NOW, incidents=300, seed=7, alert_settings=ALERTS))
    assert lines[-1].startswith(f"penalty statements of {ILLUSTRATIVE_REFERENCE}: ")
    with session_scope(engine) as session:
        contract = session.exec(
            select(Contract).where(Contract.reference == ILLUSTRATIVE_REFERENCE)
        ).one()
        # Its incidents fall after its terms took effect (1 January 2026).
        reported = session.exec(
            select(Incident.reported_at).where(Incident.contract_id == contract.id)
        ).all()
        assert reported and min(reported).date() >= date(2026, 1, 1)
        statements = session.exec(
            select(PenaltyStatement).order_by(PenaltyStatement.period_start)
        ).all()
        assert [(s.period_start, s.state) for s in statements] == [
            (date(2026, 8, 1), State.final),
            (date(2026, 9, 1), State.observations),
            (date(2026, 10, 1), State.draft),
        ]
        final, answered, draft = (reading.view_of(session, s, now=NOW) for s in statements)
        decisions = {line.decision.decision: line.decision for line in final.lines if line.decision}
        assert final.undecided == 0
        assert decisions[Decision.reduced].reason and decisions[Decision.waived].reason
        (reduced,) = [line for line in final.lines if decisions[Decision.reduced] is line.decision]
        assert reduced.decided_amount is not None
        assert 0 < reduced.decided_amount < reduced.amount
        assert final.decided is not None
        pdf = statements[0].final_pdf or b""
        assert pdf.startswith(b"%PDF")
        assert statements[0].final_sha256 == hashlib.sha256(pdf).hexdigest()
        (observed,) = [step for step in answered.steps if step.kind is StepKind.observations]
        assert observed.text and observed.files == ()
        assert draft.lines  # computed live: nothing stored for a draft
        assert not session.exec(
            select(PenaltyLine).where(PenaltyLine.statement_id == draft.id)
        ).all()
        # Each notified statement's letter went to the outbox for the vendor.
        letters = session.exec(
            select(Notification.statement_id).where(Notification.kind == "penalty_letter")
        ).all()
        assert sorted(letters) == [final.id, answered.id]
        # Every instant of the procedure is before the demo's "now".
        assert all(step.at <= NOW for view in (final, answered, draft) for step in view.steps)
