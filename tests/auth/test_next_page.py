"""Signing in returns to the page asked for, through the forced password change, and only to
a page of this application."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sla.auth import service as accounts
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import PASSWORD, csrf_from

NEW_PASSWORD = "a brand new long password"
ASKED = "/incidents/?state=open"


def one_time_user(app: Flask) -> None:
    with session_scope(app.extensions["sla.engine"]) as session:
        user = accounts.create_user(
            session,
            username="nouvelle",
            password=PASSWORD,
            role=Role.agent,
            now=datetime.now(UTC),
        )
        user.must_change_password = True


def sign_in(client: FlaskClient, login_url: str) -> str:
    token = csrf_from(client, login_url)
    response = client.post(
        login_url, data={"username": "nouvelle", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return str(response.headers["Location"])


def change_password(client: FlaskClient, url: str) -> str:
    token = csrf_from(client, url)
    response = client.post(
        url,
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_page_asked_for_survives_the_forced_password_change(app: Flask) -> None:
    one_time_user(app)
    client = app.test_client()
    to_login = client.get(ASKED)
    assert to_login.status_code == 302
    login_url = path_of(to_login.headers["Location"])
    assert login_url.startswith("/login?next=")
    to_change = path_of(sign_in(client, login_url))
    assert to_change.startswith("/account/password?next=")
    # Wandering elsewhere first still keeps a page to return to.
    assert client.get("/contracts/").status_code == 302
    landed = path_of(change_password(client, to_change))
    assert landed == ASKED
    assert client.get(landed).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/%0d%0aSet-Cookie:x=1",
        "/no-such-page",
        "javascript:alert(1)",
    ],
)
def test_only_a_page_of_this_application_is_returned_to(app: Flask, target: str) -> None:
    one_time_user(app)
    client = app.test_client()
    to_change = path_of(sign_in(client, f"/login?next={target}"))
    assert to_change == "/account/password"
    assert path_of(change_password(client, f"/account/password?next={target}")) == "/account"
