"""Database: migrations match the models, SQLite pragmas, UTC instants, health check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from sla.app import create_app
from sla.db import UTCDateTime, current_revision, head_revision
from tests.conftest import app_config


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_sqlite_uses_wal_and_enforces_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to the embedded database")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_instants_are_stored_in_utc_and_read_back_aware(engine: Engine) -> None:
    table = Table(
        "t_instants", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    table.create(engine)
    try:
        paris_summer = datetime(2025, 7, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
        with engine.begin() as connection:
            connection.execute(insert(table).values(id=1, at=paris_summer))
            stored = connection.execute(select(table.c.at)).scalar_one()
        assert stored == paris_summer
        assert stored.tzinfo is not None
        assert stored.utcoffset() == timedelta(0)
        assert stored.hour == 12
        with pytest.raises(Exception, match="naive datetime refused"), engine.begin() as connection:
            connection.execute(insert(table).values(id=2, at=datetime(2025, 7, 1, 14, 30)))  # noqa: DTZ001
    finally:
        table.drop(engine)


def test_healthz_is_public_and_reports_current_migrations(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "migrations": "current",
        "version": "0.1.0",
    }


def test_healthz_fails_when_migrations_are_pending(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(app_config(url, tmp_path / "instance"), environ={})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "ok", "migrations": "pending"}


def test_healthz_fails_when_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/garantie?connect_timeout=2"
    app = create_app(app_config(url, tmp_path / "instance"), environ={})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}
