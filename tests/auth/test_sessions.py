"""Sign-in sessions: one per login, kept server-side, revoked at logout."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.auth.login import session_user
from sla.auth.models import User, UserSession
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import csrf_from, login


def session_cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def logout(client: FlaskClient) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_from(client, "/account")})
    assert response.headers["Location"] == "/login"


def test_a_cookie_captured_before_logout_opens_nothing_afterwards(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    client = app.test_client()
    login(client, "camille")
    captured = session_cookie(app, client)
    logout(client)

    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], captured)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert replay.get("/api/v1/me").status_code == 401


def test_logout_ends_only_that_session(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("camille", Role.agent)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "camille")
    login(phone, "camille")
    logout(laptop)
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_each_login_opens_a_session_kept_hashed_and_logout_revokes_it(
    app: Flask, make_user: Callable[..., User], engine: Engine
) -> None:
    make_user("camille", Role.agent)
    client = app.test_client()
    login(client, "camille")
    with client.session_transaction() as cookie:
        token = str(cookie["_user_id"]).split(":")[2]
    with session_scope(engine) as session:
        stored = session.exec(select(UserSession)).one()
        assert stored.revoked_at is None and token not in stored.token_hash
    logout(client)
    with session_scope(engine) as session:
        assert session.exec(select(UserSession)).one().revoked_at is not None
    login(client, "camille")  # the revoked session is forgotten at the next login
    with session_scope(engine) as session:
        assert [s.revoked_at for s in session.exec(select(UserSession))] == [None]


def test_a_session_id_without_a_live_session_opens_nothing(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user("camille", Role.agent)
    with app.test_request_context():
        assert session_user(f"{user.id}:{user.session_version}") is None  # before sessions
        assert session_user(f"{user.id}:{user.session_version}:{'x' * 43}") is None
        assert session_user(f"{2**33}:1:{'x' * 43}") is None  # beyond the integer range
        assert session_user("camille") is None


def test_password_change_keeps_this_session_and_ends_the_others(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "camille")
    login(phone, "camille")
    response = laptop.post(
        "/account/password",
        data={
            "current_password": "correct horse battery",
            "new_password": "another long one",
            "confirm": "another long one",
            "csrf_token": csrf_from(laptop, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    logout(laptop)  # the renewed cookie still names this session: logout ends it
    assert laptop.get("/").status_code == 302
