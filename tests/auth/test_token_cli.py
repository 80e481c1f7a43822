"""`sla users token create/list/revoke`: the token printed once opens the API; revoked, it
opens nothing; each act is in the audit trail, made at the command line."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.audit.models import AuditEvent
from sla.auth.models import ApiToken, User
from sla.cli import cli
from sla.db import session_scope
from sla.web.roles import Role


def me(app: Flask, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get("/api/v1/me", headers=headers).status_code


def test_create_prints_the_token_once_and_it_opens_the_api(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    make_user("lea", Role.agent)
    runner = app.test_cli_runner()
    result = runner.invoke(cli, args=["users", "token", "create", "LEA", "--name", "supervision"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("gar_")
    assert me(app, token) == 200
    with session_scope(engine) as session:
        stored = session.exec(select(ApiToken)).one()
        # Only the hash is kept: the token itself is nowhere in the database.
        assert token not in (stored.token_hash, stored.prefix, stored.name)
        assert stored.name == "supervision"
        event = session.exec(select(AuditEvent).where(AuditEvent.channel == "cli")).one()
    assert (event.action, event.channel, event.target_kind) == ("token.created", "cli", "token")
    assert event.detail["owner"] == "lea"

    listing = runner.invoke(cli, args=["users", "token", "list", "lea"])
    assert listing.exit_code == 0
    line = listing.stdout.strip()
    assert line.startswith(f"{stored.id}\tlea\tsupervision\t{stored.prefix}")
    assert token not in listing.stdout

    revoked = runner.invoke(cli, args=["users", "token", "revoke", str(stored.id)])
    assert revoked.exit_code == 0, revoked.output
    assert me(app, token) == 401
    again = runner.invoke(cli, args=["users", "token", "revoke", str(stored.id)])
    assert "revoked already" in again.stdout
    with session_scope(engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.channel == "cli").order_by(AuditEvent.id)
        ).all()
    # The second revocation changed nothing and left no trace.
    assert actions == ["token.created", "token.revoked"]


def test_bad_input_names_the_argument_and_changes_nothing(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    make_user("lea", Role.agent)
    runner = app.test_cli_runner()
    unknown = runner.invoke(cli, args=["users", "token", "create", "nobody", "--name", "x"])
    assert unknown.exit_code == 1 and "USER: no account named 'nobody'" in unknown.output
    unnamed = runner.invoke(cli, args=["users", "token", "create", "lea", "--name", "  "])
    assert unnamed.exit_code == 1 and "--name" in unnamed.output
    missing = runner.invoke(cli, args=["users", "token", "revoke", "99"])
    assert missing.exit_code == 1 and "TOKEN_ID: no token 99" in missing.output
    not_a_number = runner.invoke(cli, args=["users", "token", "revoke", "abc"])
    assert not_a_number.exit_code == 2 and "Traceback" not in not_a_number.output
    with session_scope(engine) as session:
        assert session.exec(select(ApiToken)).all() == []
        assert session.exec(select(AuditEvent).where(AuditEvent.channel == "cli")).all() == []


def test_a_deactivated_account_gets_no_token(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    make_user("admin1", Role.admin)
    user = make_user("parti", Role.viewer)
    with session_scope(engine) as session:
        stored = session.get(User, user.id)
        assert stored is not None
        stored.active = False
    result = app.test_cli_runner().invoke(
        cli, args=["users", "token", "create", "parti", "--name", "x"]
    )
    assert result.exit_code == 1 and "deactivated" in result.output
