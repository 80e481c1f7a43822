"""Logging in, throttling, one-time passwords, sessions, API tokens and user administration."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.auth.models import ApiToken, User
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import PASSWORD, csrf_from, login


def test_login_then_dashboard(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("camille", Role.agent, display_name="Camille Martin")
    client = app.test_client()
    response = login(client, "Camille")  # usernames are case-insensitive
    assert response.status_code == 302
    assert "Camille Martin" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_in_french(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("camille", Role.agent)
    client = app.test_client()
    response = login(client, "camille", "wrong password")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    client = app.test_client()
    for _attempt in range(5):
        assert login(client, "camille", "guess").status_code == 401
    response = login(client, "camille", PASSWORD)  # even the right password, while throttled
    assert response.status_code == 429
    assert "Réessayez dans 15 min" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_elsewhere(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    client = app.test_client()
    token = csrf_from(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "camille", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_one_time_password_must_be_changed_first(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("nouveau", Role.agent, must_change_password=True)
    client = app.test_client()
    assert login(client, "nouveau").headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    token = csrf_from(client, "/account/password")
    short = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    assert short.status_code == 400
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer secret",
            "confirm": "a much longer secret",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200


def test_password_change_ends_other_sessions(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("camille", Role.agent)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "camille")
    login(phone, "camille")
    token = csrf_from(laptop, "/account/password")
    laptop.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long one",
            "confirm": "another long one",
            "csrf_token": token,
        },
    )
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


def test_api_token_is_shown_once_and_works_until_revoked(
    app: Flask, client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    client = client_as(Role.agent)
    token = csrf_from(client, "/account")
    created = client.post("/account/tokens", data={"name": "script de suivi", "csrf_token": token})
    assert created.status_code == 201  # shown in the response that creates it
    secret = re.search(r"<code>(gar_[A-Za-z0-9_-]+)</code>", created.get_data(as_text=True))
    assert secret
    assert secret.group(1) not in client.get("/account").get_data(as_text=True)
    with session_scope(engine) as session:
        stored = session.exec(select(ApiToken)).one()
        assert stored.token_hash != secret.group(1) and secret.group(1) not in stored.token_hash

    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    me = api.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json is not None and me.json["role"] == "agent"
    assert "Set-Cookie" not in me.headers  # a token opens no cookie session
    assert api.get("/api/v1/me").status_code == 401

    client.post(f"/account/tokens/{stored.id}/revoke", data={"csrf_token": token})
    assert api.get("/api/v1/me", headers=headers).status_code == 401


def test_api_refuses_bad_token_and_cookie_writes(
    app: Flask, client_as: Callable[[Role], FlaskClient]
) -> None:
    assert (
        app.test_client()
        .get("/api/v1/me", headers={"Authorization": "Bearer gar_nope"})
        .status_code
        == 401
    )
    client = client_as(Role.admin)
    assert client.get("/api/v1/me").status_code == 200  # reading with the session is fine
    assert client.post("/api/v1/me").status_code == 401  # writing needs a token


def test_admin_creates_user_with_one_time_password(
    app: Flask, client_as: Callable[[Role], FlaskClient]
) -> None:
    admin = client_as(Role.admin)
    token = csrf_from(admin, "/admin/users/")
    response = admin.post(
        "/admin/users/",
        data={
            "username": "dominique",
            "display_name": "Dominique",
            "email": "",
            "role": "viewer",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    password = re.search(r"usage unique : (\S+)</div>", response.get_data(as_text=True))
    assert password, response.get_data(as_text=True)
    newcomer = app.test_client()
    assert (
        login(newcomer, "dominique", password.group(1)).headers["Location"] == "/account/password"
    )


def test_user_form_error_keeps_input(client_as: Callable[[Role], FlaskClient]) -> None:
    admin = client_as(Role.admin)
    token = csrf_from(admin, "/admin/users/")
    response = admin.post(
        "/admin/users/",
        data={
            "username": "Bad Name!",
            "display_name": "Jean Dupont",
            "role": "agent",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'value="Jean Dupont"' in body
    assert "lettres minuscules" in body or "lowercase" in body


def test_deactivating_a_user_ends_the_session(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    make_user: Callable[..., User],
    engine: Engine,
) -> None:
    admin = client_as(Role.admin)
    make_user("partant", Role.agent)
    leaver = app.test_client()
    login(leaver, "partant")
    assert leaver.get("/").status_code == 200
    with session_scope(engine) as session:
        user_id = session.exec(select(User).where(User.username == "partant")).one().id
    token = csrf_from(admin, f"/admin/users/{user_id}")
    admin.post(
        f"/admin/users/{user_id}", data={"display_name": "x", "role": "agent", "csrf_token": token}
    )
    assert leaver.get("/").status_code == 302


def test_last_admin_cannot_be_demoted(
    app: Flask, client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    with session_scope(engine) as session:
        user_id = session.exec(select(User).where(User.username == "user-admin")).one().id
    token = csrf_from(admin, f"/admin/users/{user_id}")
    response = admin.post(
        f"/admin/users/{user_id}",
        data={"display_name": "x", "role": "viewer", "active": "y", "csrf_token": token},
    )
    assert response.status_code == 400
    with session_scope(engine) as session:
        assert session.get(User, user_id).role == "admin"  # type: ignore[union-attr]
