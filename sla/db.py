"""Database: the engine, the per-request session, UTC timestamps and Alembic migrations.

SQLite (a file under `instance/`, WAL journal, foreign keys on) is the default; PostgreSQL
(psycopg 3) when the database URL says so. The schema only changes through the Alembic
migrations in `migrations/`, applied by `sla db upgrade` and by `sla serve` at start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

from sla.config import PROJECT_ROOT, ConfigError, Settings, describe_source

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


# How long a SQLite connection waits for another writer before giving up (then: 503).
BUSY_TIMEOUT_MS = 5000
# The largest id or count a client may name: PostgreSQL's `integer` (SQLite's is larger).
DATABASE_INT_MAX = 2**31 - 1


def is_transient(error: OperationalError) -> bool:
    """A database error that retrying may cure: SQLite's lock still held by another writer
    after the busy timeout, or a PostgreSQL connection lost or serialisation failure."""
    text = str(error.orig).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    code = getattr(error.orig, "sqlstate", None)
    return bool(code) and str(code)[:2] in ("08", "40", "57")


def utcnow() -> datetime:
    """The current instant, aware, in UTC. Only edges (views, CLI, scheduler) call it."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware instant stored as UTC; naive values are refused, values read back are aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store aware instants only")
        utc_value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc_value.replace(tzinfo=None)
        return utc_value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(settings: Settings) -> Engine:
    """Create the engine for the configured URL (the SQLite folder is created if needed)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def check_connection(engine: Engine, settings: Settings) -> None:
    """Raise ConfigError naming the database key when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        where = describe_source(settings, "database", "url")
        safe_url = make_url(settings.database_url).render_as_string(hide_password=True)
        raise ConfigError(f"{where}: cannot connect to {safe_url}: {reason}") from None


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


MIGRATION_LOCK_ID = 7_301_2025  # any constant, shared by every Garantie process


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`.

    On PostgreSQL a transaction-level advisory lock makes concurrent upgrades (two processes
    started at once) run one after the other; the second finds nothing left to do.
    """
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for the CLI and the scheduler: commit on success, roll back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def id_of(record: Any) -> int:
    """The primary key of a flushed record (SQLModel types it as optional)."""
    value = record.id
    if value is None:
        raise RuntimeError(f"{type(record).__name__} has no id yet: flush it first")
    return int(value)
