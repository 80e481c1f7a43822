"""Recording an event: one load, one replay, the stored summary equal to a fresh replay, the
configured alert thresholds, and the contract document cache keyed by its content."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import incidents.replay
from incidents.models import Incident, IncidentTarget
from incidents.service import record_event, report_incident
from incidents.stored import target_rows
from incidents.summary import replayed_view, summary_values
from sla.contracts.models import ContractVersion
from sla.contracts.service import (
    document_of,
    import_documents,
    read_documents,
)
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from tests.conftest import EXAMPLES, empty_tables
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)  # a Monday, 09:00
LIBRICIEL = "D_2024_0110"


@pytest.fixture
def replays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the lifecycle replays (the engine's `replay`, wherever it is called from)."""
    calls: list[int] = []
    original = incidents.replay.replay

    def counting(**kwargs: Any) -> Any:
        calls.append(1)
        return original(**kwargs)

    monkeypatch.setattr(incidents.replay, "replay", counting)
    return calls


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    found: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        found.append(statement)

    sa_event.listen(engine, "before_cursor_execute", record)
    yield found
    sa_event.remove(engine, "before_cursor_execute", record)


def _report(session: Session, contract_id: int, severity: str = "majeur") -> Incident:
    return report_incident(
        session,
        contract_id=contract_id,
        severity=severity,
        title="ComElus inaccessible",
        reported_at=H,
        now=H + timedelta(minutes=5),
        user_id=None,
        alert_settings=ALERTS,
    ).incident


def _record(
    session: Session, incident: Incident, kind: EventKind, when: datetime, **extra: Any
) -> Any:
    return record_event(
        session,
        incident,
        kind=kind,
        occurred_at=when,
        now=when,
        user_id=None,
        expected_revision=incident.revision,
        alert_settings=ALERTS,
        **extra,
    )


def _stored(session: Session, incident: Incident) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    session.expire_all()
    fresh = session.get(Incident, incident.id)
    assert fresh is not None
    summary = {
        name: getattr(fresh, name)
        for name in (
            "status",
            "current_severity",
            "next_deadline_at",
            "next_target",
            "breach_at",
            "warn_at",
            "next_alert_at",
            "ended_at",
        )
    }
    rows = session.exec(
        select(IncidentTarget)
        .where(IncidentTarget.incident_id == incident.id)
        .order_by(IncidentTarget.key)
    ).all()
    return summary, [r.model_dump() for r in rows]


def test_recording_an_event_replays_once_and_returns_the_view_with_the_new_event(
    engine: Engine, contracts: dict[str, int], replays: list[int]
) -> None:
    with session_scope(engine) as session:
        incident = _report(session, contracts[LIBRICIEL])
        replays.clear()
        view = _record(session, incident, EventKind.acknowledged, H + timedelta(hours=1))
        assert len(replays) == 1
        assert view.events[-1].kind == "acknowledged" and view.events[-1].id is not None
        assert view.state.acknowledged_at == H + timedelta(hours=1)
        replays.clear()
        # A requalification changes the targets and their alert thresholds: still one replay.
        view = _record(
            session,
            incident,
            EventKind.requalified,
            H + timedelta(hours=2),
            severity="bloquant",
            text="site down for every user",
        )
        assert len(replays) == 1
        assert view.state.severity == "bloquant" and incident.current_severity == "bloquant"
        assert incident.revision == 3


def test_recording_an_event_costs_a_bounded_number_of_queries(
    engine: Engine, contracts: dict[str, int], statements: list[str]
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        incident = _report(session, contracts[LIBRICIEL])
        session.commit()
        statements.clear()
        _record(session, incident, EventKind.acknowledged, H + timedelta(hours=1))
        session.commit()
    # Read the version and the events; update the incident under its revision; insert the
    # event; replace the stored targets (a delete and an insert).
    kinds = [s.split()[0].upper() for s in statements]
    assert kinds.count("SELECT") <= 2, statements
    assert kinds.count("UPDATE") == 1, statements
    assert len(statements) <= 8, statements


def test_the_stored_summary_is_the_fresh_replay_after_every_event(
    engine: Engine, contracts: dict[str, int]
) -> None:
    steps: list[tuple[EventKind, timedelta, dict[str, Any]]] = [
        (EventKind.acknowledged, timedelta(hours=1), {}),
        (EventKind.waiting_customer, timedelta(hours=2), {"text": "logs asked"}),
        (EventKind.resumed, timedelta(days=1), {}),
        (EventKind.requalified, timedelta(days=1, hours=1), {"severity": "bloquant", "text": "x"}),
        (EventKind.workaround, timedelta(days=1, hours=3), {}),
        (EventKind.resolved, timedelta(days=2), {}),
    ]
    with session_scope(engine) as session:
        incident = _report(session, contracts[LIBRICIEL])
        for kind, offset, extra in steps:
            when = H + offset
            _record(session, incident, kind, when, **extra)
            stored_summary, stored_rows = _stored(session, incident)
            incident = session.get(Incident, incident.id) or incident
            fresh = replayed_view(session, incident, now=when, alert_settings=ALERTS)
            assert stored_summary == summary_values(fresh.state, fresh.targets), kind
            expected = sorted(
                target_rows(incident.id or 0, fresh.terms, fresh.state, fresh.targets),
                key=lambda r: r["key"],
            )
            assert stored_rows == expected, kind


def test_the_configured_alert_thresholds_are_stored_not_the_schema_defaults(
    engine: Engine, contracts: dict[str, int]
) -> None:
    early = {**ALERTS, "warn_used_ratio": 0.25, "warn_used_ratio_top": 0.25}
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=contracts[LIBRICIEL],
            severity="majeur",
            title="ComElus lent",
            reported_at=H,
            now=H,
            user_id=None,
            alert_settings=early,
        ).incident
        warned_early = incident.warn_at
        default = replayed_view(session, incident, now=H, alert_settings=ALERTS)
        configured = replayed_view(session, incident, now=H, alert_settings=early)
    assert warned_early == summary_values(configured.state, configured.targets)["warn_at"]
    assert warned_early is not None
    assert warned_early < summary_values(default.state, default.targets)["warn_at"]


def _import(engine: Engine, names: list[str]) -> None:
    with session_scope(engine) as session:
        paths = [Path(EXAMPLES) / name for name in names]
        import_documents(session, read_documents(paths), now=H)


def test_a_version_id_reused_after_a_delete_answers_its_own_document(engine: Engine) -> None:
    _import(engine, ["libriciel-comelus.toml"])
    with session_scope(engine) as session:
        first = session.exec(select(ContractVersion)).one()
        assert document_of(first).contract.reference == LIBRICIEL
    empty_tables(engine)  # SQLite gives the next version the same id again
    _import(engine, ["aukfood-miramas.toml"])
    with session_scope(engine) as session:
        second = session.exec(select(ContractVersion)).one()
        assert document_of(second).contract.reference == "MIRAMAS-AUKFOOD-2023"
        assert [s.key for s in document_of(second).sla.severities] == ["collabora", "linux"]
