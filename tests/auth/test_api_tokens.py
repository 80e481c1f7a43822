"""Personal API tokens: shown once in the response that creates them, revoked by a
deactivation but not by a password change, and read without a write on every request."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from sla.auth import service as accounts
from sla.auth.models import ApiToken, User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.support import PASSWORD, csrf_from, login


def api_token(engine: Engine, username: str) -> str:
    with session_scope(engine) as session:
        user = accounts.find_user(session, username)
        assert user is not None
        token, _record = accounts.create_api_token(session, user, name="script", now=utcnow())
    return token


def me(app: Flask, token: str) -> int:
    return (
        app.test_client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


@pytest.fixture
def token_updates(engine: Engine) -> Iterator[list[str]]:
    """The UPDATE statements sent on api_tokens while the test runs."""
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    yield statements
    event.remove(engine, "before_cursor_execute", note)


def test_new_token_is_shown_in_the_response_that_creates_it(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    client = client_as(Role.agent)
    account = client.get("/account")
    assert account.headers["Cache-Control"] == "no-store"
    response = client.post(
        "/account/tokens",
        data={"name": "script de suivi", "csrf_token": csrf_from(client, "/account")},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r"<code>(gar_[A-Za-z0-9_-]+)</code>", response.get_data(as_text=True))
    assert secret
    with client.session_transaction() as cookie:  # not carried by the cookie
        assert secret.group(1) not in {str(value) for value in cookie.values()}
    assert secret.group(1) not in client.get("/account").get_data(as_text=True)
    with session_scope(engine) as session:
        stored = session.exec(select(ApiToken)).one()
        assert stored.name == "script de suivi" and secret.group(1) not in stored.token_hash


def test_password_change_keeps_api_tokens(
    app: Flask, make_user: Callable[..., User], engine: Engine
) -> None:
    make_user("camille", Role.agent)
    token = api_token(engine, "camille")
    client = app.test_client()
    login(client, "camille")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long one",
            "confirm": "another long one",
            "csrf_token": csrf_from(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert me(app, token) == 200


def test_deactivation_revokes_api_tokens_for_good(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    make_user: Callable[..., User],
    engine: Engine,
) -> None:
    admin = client_as(Role.admin)
    user = make_user("partant", Role.agent)
    token = api_token(engine, "partant")
    assert me(app, token) == 200
    page = f"/admin/users/{user.id}"
    form = {"display_name": "Partant", "role": "agent", "csrf_token": csrf_from(admin, page)}
    assert admin.post(page, data=form).status_code == 302  # deactivated
    assert me(app, token) == 401
    assert admin.post(page, data={**form, "active": "y"}).status_code == 302  # reactivated
    assert me(app, token) == 401
    with session_scope(engine) as session:
        assert session.exec(select(ApiToken)).one().revoked_at is not None


def test_two_reads_in_a_row_record_the_last_use_once(
    app: Flask, make_user: Callable[..., User], engine: Engine, token_updates: list[str]
) -> None:
    make_user("camille", Role.agent)
    token = api_token(engine, "camille")
    assert me(app, token) == 200
    assert me(app, token) == 200
    assert len(token_updates) == 1
    with session_scope(engine) as session:
        assert session.exec(select(ApiToken)).one().last_used_at is not None


def test_last_use_is_recorded_again_after_the_interval(
    make_user: Callable[..., User], engine: Engine, token_updates: list[str]
) -> None:
    make_user("camille", Role.agent)
    token = api_token(engine, "camille")
    start = utcnow()
    for minutes in (0, 1, 14, 15, 16):
        with session_scope(engine) as session:
            found = accounts.user_for_token(session, token, now=start + timedelta(minutes=minutes))
            assert found is not None and found.username == "camille"
    assert len(token_updates) == 2  # at +0 and at +15
    with session_scope(engine) as session:
        stored = session.exec(select(ApiToken)).one()
        assert stored.last_used_at == start + timedelta(minutes=15)


def test_a_busy_database_does_not_fail_a_token_read(
    app: Flask, make_user: Callable[..., User], engine: Engine
) -> None:
    make_user("camille", Role.agent)
    token = api_token(engine, "camille")

    def busy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    event.listen(engine, "before_cursor_execute", busy)
    try:
        assert me(app, token) == 200
    finally:
        event.remove(engine, "before_cursor_execute", busy)
    with session_scope(engine) as session:
        assert session.exec(select(ApiToken)).one().last_used_at is None
