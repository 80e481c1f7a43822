"""The database refuses to change or delete a row of the audit trail (both dialects).

The migration creates the guard (on PostgreSQL, TRUNCATE is refused too); the test suite lifts
it to empty the table between tests.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

MESSAGE = "audit_events is append-only"

_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_events_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse()",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse()",
]


def guard(connection: Connection) -> None:
    """Create the triggers that refuse UPDATE and DELETE on the audit trail."""
    for statement in _POSTGRES if connection.dialect.name == "postgresql" else _SQLITE:
        connection.exec_driver_sql(statement)


def lift(connection: Connection) -> None:
    """Drop the triggers (the test suite only, to empty the table between tests)."""
    if connection.dialect.name == "postgresql":
        for trigger in ("audit_events_append_only", "audit_events_no_truncate"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger} ON audit_events")
    else:
        for verb in ("update", "delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_events_no_{verb}")
