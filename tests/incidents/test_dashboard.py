"""The dashboard's order is the urgency its badges show: breached first (longest overdue
first), then at risk, then running (soonest deadline first), paused last."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from incidents.dashboard import URGENCY, urgency, urgent_rows
from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)
NOW = MONDAY + timedelta(days=1, hours=2, minutes=30)  # Tuesday 11:30


def _report(session: Session, contract_id: int, severity: str, at: datetime) -> Incident:
    return report_incident(
        session,
        contract_id=contract_id,
        severity=severity,
        title=f"{severity} {at:%a %H:%M}",
        reported_at=at,
        now=at,
        user_id=None,
        alert_settings=ALERTS,
    ).incident


def test_breached_then_at_risk_then_running_then_paused(
    engine: Engine, contracts: dict[str, int]
) -> None:
    libriciel, operis = contracts["D_2024_0110"], contracts["2025CM0417"]
    with session_scope(engine) as session:
        late = _report(session, libriciel, "bloquant", MONDAY)  # take-charge due Mon 15:00
        later = _report(session, libriciel, "majeur", MONDAY + timedelta(hours=1))
        soon = _report(session, libriciel, "bloquant", MONDAY + timedelta(hours=8))  # Mon 17:00
        ahead = _report(session, libriciel, "mineur", NOW - timedelta(minutes=20))
        waiting = _report(session, operis, "bloquante", MONDAY)
        record_event(
            session,
            waiting,
            kind=EventKind.waiting_customer,
            occurred_at=MONDAY + timedelta(hours=1),
            now=MONDAY + timedelta(hours=1),
            user_id=None,
            expected_revision=waiting.revision,
            alert_settings=ALERTS,
            text="logs asked",
        )
        # Taken in charge late: the breach is decided, the next deadline is days away.
        tardy = _report(session, libriciel, "majeur", MONDAY + timedelta(hours=2))
        record_event(
            session,
            tardy,
            kind=EventKind.acknowledged,
            occurred_at=NOW - timedelta(minutes=10),
            now=NOW - timedelta(minutes=10),
            user_id=None,
            expected_revision=tardy.revision,
            alert_settings=ALERTS,
        )
        rows, total = urgent_rows(session, now=NOW, at_risk_ratio=0.75)
    states = [row.state for row in rows]
    assert total == 6
    assert states == sorted(states, key=URGENCY.index), states
    assert set(states) == set(URGENCY), states
    by_id = {row.incident.id: row for row in rows}
    assert {by_id[i].state for i in (late.id, later.id, tardy.id)} == {"breached"}
    # Longest overdue first, the one taken late among them though its next deadline is ahead.
    assert [row.incident.id for row in rows[:3]] == [late.id, later.id, tardy.id]
    assert by_id[soon.id].state == "at_risk"
    assert by_id[ahead.id].state == "running"
    assert by_id[waiting.id].state == "paused" and by_id[waiting.id].waiting
    # The target shown is the one the badge is about.
    breached_row = by_id[late.id]
    assert breached_row.target is not None and breached_row.target.status.value == "breached"
    # The badge and the order come from one rule.
    for row in rows:
        assert row.state == urgency(row.incident, NOW)
