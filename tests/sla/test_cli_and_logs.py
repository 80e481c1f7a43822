"""The `sla` command, the first administrator, demo data, structured logs and error pages."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.auth.models import User
from sla.cli import cli
from sla.db import session_scope
from sla.version import __version__
from sla.web.logs import JsonFormatter
from sla.web.roles import Role


def test_version(app: Flask) -> None:
    result = app.test_cli_runner().invoke(cli, args=["--version"])
    assert result.output.strip() == f"sla {__version__}"


def test_ensure_admin_creates_one_admin_with_one_time_password(
    app: Flask, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLA_ADMIN_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    first = runner.invoke(cli, args=["users", "ensure-admin"])
    assert first.exit_code == 0, first.output
    assert "one-time password:" in first.output
    second = runner.invoke(cli, args=["users", "ensure-admin"])
    assert "an administrator exists already" in second.output
    with session_scope(engine) as session:
        admins = session.exec(select(User).where(User.role == "admin")).all()
    assert len(admins) == 1
    assert admins[0].must_change_password


def test_ensure_admin_reads_password_from_environment(
    app: Flask, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLA_ADMIN_PASSWORD", "a long admin password")
    result = app.test_cli_runner().invoke(cli, args=["users", "ensure-admin"])
    assert "one-time password" not in result.output
    with session_scope(engine) as session:
        admin = session.exec(select(User).where(User.role == "admin")).one()
    assert not admin.must_change_password


def test_users_create_reads_password_from_stdin(app: Flask, engine: Engine) -> None:
    result = app.test_cli_runner().invoke(
        cli,
        args=["users", "create", "Sophie", "--role", "agent", "--password-stdin"],
        input="a long password here\n",
    )
    assert result.exit_code == 0, result.output
    duplicate = app.test_cli_runner().invoke(
        cli, args=["users", "create", "sophie", "--password-stdin"], input="a long password here\n"
    )
    assert duplicate.exit_code == 1
    assert "username: l'identifiant sophie est déjà pris" in duplicate.output


def test_demo_is_idempotent(app: Flask, engine: Engine) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(cli, args=["demo"]).exit_code == 0
    with session_scope(engine) as session:
        count = len(session.exec(select(User)).all())
    assert runner.invoke(cli, args=["demo"]).exit_code == 0
    with session_scope(engine) as session:
        assert len(session.exec(select(User)).all()) == count > 0


def test_request_log_is_one_json_line_with_request_id(
    client_as: Callable[[Role], FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = client_as(Role.viewer)
    with caplog.at_level(logging.INFO, logger="sla.request"):
        response = client.get("/", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    record = [r for r in caplog.records if r.name == "sla.request"][-1]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    payload = json.loads(line)
    assert payload["event"] == "request"
    assert payload["path"] == "/"
    assert payload["status"] == 200
    assert payload["request_id"] == "abc-123"


def test_unexpected_error_shows_reference_not_traceback(
    app: Flask, client_as: Callable[[Role], FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode", "explode", explode)
    client = client_as(Role.viewer)
    with caplog.at_level(logging.ERROR, logger="sla.app"):
        response = client.get("/explode", headers={"X-Request-ID": "req-42"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "req-42" in body
    assert "secret internals" not in body and "Traceback" not in body
    assert any("secret internals" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_interface_is_french_by_default_and_english_on_request(
    client_as: Callable[[Role], FlaskClient],
) -> None:
    client = client_as(Role.viewer)
    assert "Tableau de bord" in client.get("/").get_data(as_text=True)
    from tests.support import csrf_from

    token = csrf_from(client, "/account")
    client.post("/account/language", data={"locale": "en", "csrf_token": token, "next": "/"})
    assert "Dashboard" in client.get("/").get_data(as_text=True)
