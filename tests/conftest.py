"""Shared fixtures: an application on a clean database (SQLite by default, PostgreSQL when
SLA_DATABASE_URL names one), clients logged in with each role, and the CI rule for tests that
need PostgreSQL or a browser: skip with a reason locally, fail when CI is set."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

import sla.models  # noqa: F401
from sla.app import create_app
from sla.audit import append_only
from sla.auth import service as accounts
from sla.auth.models import User
from sla.config import load_settings
from sla.db import make_engine, session_scope, upgrade, utcnow
from sla.web.roles import Role
from tests.support import PASSWORD, login

SUITE_DATABASE_URL = os.environ.get("SLA_DATABASE_URL", "")
POSTGRES_URL = os.environ.get("SLA_TEST_POSTGRES_URL", "")


def reset_postgres_schema(url: str) -> None:
    engine = make_engine(load_settings({}, overrides={"database": {"url": url}}))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The suite's database, migrated once; each test starts from empty tables."""
    if SUITE_DATABASE_URL:
        url = SUITE_DATABASE_URL
        reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'suite.db'}"
    engine = make_engine(load_settings({}, overrides={"database": {"url": url}}))
    upgrade(engine)
    engine.dispose()
    yield url


def empty_tables(engine: Engine) -> None:
    tables = [t for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        # The audit trail refuses DELETE (and TRUNCATE): lifted for the wipe, then guarded again.
        append_only.lift(connection)
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
        append_only.guard(connection)


def app_config(
    database_url: str, instance: Path, **extra: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    config: dict[str, dict[str, Any]] = {
        "database": {"url": database_url},
        "app": {"instance_path": str(instance), "secret_key": "test-secret-key"},
    }
    for section, values in extra.items():
        config.setdefault(section, {}).update(values)
    return config


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(app_config(database_url, tmp_path / "instance"), environ={})
    application.config["TESTING"] = True
    engine: Engine = application.extensions["sla.engine"]
    empty_tables(engine)
    yield application
    engine.dispose()


@pytest.fixture
def engine(app: Flask) -> Engine:
    value: Engine = app.extensions["sla.engine"]
    return value


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., User]:
    def make(
        username: str, role: Role = Role.viewer, password: str = PASSWORD, **kwargs: Any
    ) -> User:
        with session_scope(engine) as session:
            return accounts.create_user(
                session, username=username, password=password, role=role, now=utcnow(), **kwargs
            )

    return make


@pytest.fixture
def client_as(app: Flask, make_user: Callable[..., User]) -> Callable[[Role], FlaskClient]:
    """A client logged in as a new user of the given role."""

    def make(role: Role) -> FlaskClient:
        client = app.test_client()
        make_user(f"user-{role.value}", role)
        response = login(client, f"user-{role.value}")
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "contracts"


@pytest.fixture
def contracts(engine: Engine) -> dict[str, int]:
    """The five example contracts imported; reference -> contract id."""
    from sla.contracts.models import Contract
    from sla.contracts.service import contract_files, import_documents, read_documents

    with session_scope(engine) as session:
        import_documents(session, read_documents(contract_files(EXAMPLES)), now=utcnow())
        return {c.reference: c.id for c in session.exec(select(Contract)) if c.id is not None}
