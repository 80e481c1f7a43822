"""The audit trail is append-only: the database itself refuses to change or delete a row (on
the suite's database, SQLite or PostgreSQL), and no route of the application writes to it
other than by adding."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from sla.audit.append_only import MESSAGE
from sla.audit.models import AuditEvent
from sla.audit.record import Actor, record
from sla.db import id_of, session_scope

AT = datetime(2025, 3, 10, 9, tzinfo=UTC)
READ_ONLY = {"GET", "HEAD", "OPTIONS"}
SOURCES = Path(__file__).resolve().parents[2]


def _one_event(engine: Engine) -> int:
    with session_scope(engine) as session:
        event = record(
            session,
            Actor(1, "marie", "web", "192.0.2.1"),
            "user.role_changed",
            now=AT,
            target_kind="user",
            target_id=2,
            target_label="jean",
            before="viewer",
            after="admin",
        )
        return id_of(event)


def _as_stored(engine: Engine, event_id: int) -> tuple[object, ...]:
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT action, actor_name, target_label, at FROM audit_events WHERE id = :id"),
            {"id": event_id},
        ).one()
    return tuple(row)


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(actor_name="someone else"),
        update(AuditEvent).values(detail={"before": "viewer", "after": "viewer"}),
        delete(AuditEvent),
    ],
    ids=["update-actor", "update-detail", "delete"],
)
def test_the_database_refuses_to_change_or_delete_an_event(engine: Engine, statement: Any) -> None:
    event_id = _one_event(engine)
    before = _as_stored(engine, event_id)
    with pytest.raises(DBAPIError, match=MESSAGE), engine.begin() as connection:
        connection.execute(statement.where(AuditEvent.id == event_id))
    assert _as_stored(engine, event_id) == before


def test_the_orm_cannot_change_or_delete_an_event_either(engine: Engine) -> None:
    event_id = _one_event(engine)
    before = _as_stored(engine, event_id)
    with Session(engine) as session:
        event = session.get_one(AuditEvent, event_id)
        event.target_label = "forged"
        with pytest.raises(DBAPIError, match=MESSAGE):
            session.commit()
    with Session(engine) as session:
        session.delete(session.get_one(AuditEvent, event_id))
        with pytest.raises(DBAPIError, match=MESSAGE):
            session.commit()
    with Session(engine) as session:
        assert len(session.exec(select(AuditEvent)).all()) == 1
    assert _as_stored(engine, event_id) == before


def test_adding_events_is_still_allowed(engine: Engine) -> None:
    first = _one_event(engine)
    second = _one_event(engine)
    assert second > first


def test_no_route_under_the_audit_trail_accepts_a_write(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/audit")]
    assert {rule.endpoint for rule in rules} == {"audit.index", "audit.export_csv"}
    for rule in rules:
        assert set(rule.methods or ()) <= READ_ONLY, rule


def test_no_code_of_the_application_updates_or_deletes_audit_rows() -> None:
    """Beside the triggers: no module writes an UPDATE or DELETE of the trail (the migration
    and the test suite's wipe only lift and set the guard)."""
    forbidden = (
        "update(AuditEvent",
        "delete(AuditEvent",
        "UPDATE audit_events",
        "DELETE FROM audit_events",
    )
    offenders = [
        f"{path.relative_to(SOURCES)}: {needle}"
        for package in ("sla", "incidents", "calendars")
        for path in (SOURCES / package).rglob("*.py")
        for needle in forbidden
        if needle.lower() in path.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


def test_postgresql_refuses_to_truncate_the_trail(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite's DELETE without WHERE is refused above)")
    event_id = _one_event(engine)
    with pytest.raises(DBAPIError, match=MESSAGE), engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_events"))
    assert _as_stored(engine, event_id)
