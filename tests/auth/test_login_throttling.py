"""Login throttling: per account (from any address), never per address alone; an admin lifts
a pause; an unknown name costs a password verification too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.auth import passwords, sign_in
from sla.auth import service as accounts
from sla.auth.models import LoginFailure, User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.support import PASSWORD, csrf_from, login

# The configuration's defaults: [security] login_max_failures and login_lockout_minutes.
MAX_FAILURES = 5


def client_from(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def user_id(engine: Engine, username: str) -> int:
    with session_scope(engine) as session:
        user = accounts.find_user(session, username)
        assert user is not None and user.id is not None
        return user.id


def test_made_up_names_from_one_address_do_not_pause_real_accounts(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    proxy = client_from(app, "10.0.0.1")  # behind a reverse proxy, every client's address
    for attempt in range(4 * MAX_FAILURES):
        assert login(proxy, f"nobody-{attempt}", "guess").status_code == 401
    assert login(client_from(app, "10.0.0.1"), "camille").status_code == 302


def test_an_account_is_paused_for_every_address_after_repeated_failures(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    attacker = client_from(app, "10.0.0.66")
    for _attempt in range(MAX_FAILURES):
        assert login(attacker, "camille", "guess").status_code == 401
    response = login(client_from(app, "10.0.0.7"), "camille")
    assert response.status_code == 429
    assert "Réessayez dans 15 min" in response.get_data(as_text=True)


def test_one_paused_account_leaves_the_others_open_from_the_same_address(
    app: Flask, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    make_user("dominique", Role.agent)
    client = client_from(app, "10.0.0.1")
    for _attempt in range(MAX_FAILURES):
        login(client, "camille", "guess")
    assert login(client, "camille").status_code == 429
    assert login(client, "dominique").status_code == 302


def test_pause_lasts_until_enough_failures_left_the_window(
    engine: Engine, make_user: Callable[..., User]
) -> None:
    make_user("camille", Role.agent)
    start = utcnow()
    with session_scope(engine) as session:
        for minutes in (0, 5, 10, 12):
            session.add(
                LoginFailure(
                    username="camille",
                    remote_addr="10.0.0.1",
                    failed_at=start + timedelta(minutes=minutes),
                )
            )
    with session_scope(engine) as session:
        pause = accounts.login_pause(
            session,
            "Camille",
            now=start + timedelta(minutes=13),
            max_failures=3,
            lockout=timedelta(minutes=15),
        )
        # Four failures, three allowed: open again once the second (at +5) is 15 min old.
        assert pause == timedelta(minutes=7)
        assert (
            accounts.login_pause(
                session,
                "camille",
                now=start + timedelta(minutes=20, seconds=1),
                max_failures=3,
                lockout=timedelta(minutes=15),
            )
            is None
        )


def test_admin_lifts_a_pause_from_the_user_page(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    make_user: Callable[..., User],
    engine: Engine,
) -> None:
    admin = client_as(Role.admin)
    make_user("camille", Role.agent)
    make_user("dominique", Role.agent)
    for _attempt in range(MAX_FAILURES):
        login(client_from(app, "10.0.0.66"), "camille", "guess")
    login(client_from(app, "10.0.0.66"), "dominique", "guess")
    camille = user_id(engine, "camille")
    unlock = f"/admin/users/{camille}/unlock"
    page = admin.get(f"/admin/users/{camille}").get_data(as_text=True)
    assert f'action="{unlock}"' in page
    assert admin.post(unlock).status_code == 400  # no CSRF token, nothing lifted
    assert login(app.test_client(), "camille").status_code == 429

    response = admin.post(unlock, data={"csrf_token": csrf_from(admin, f"/admin/users/{camille}")})
    assert response.status_code == 302
    assert f'action="{unlock}"' not in admin.get(f"/admin/users/{camille}").get_data(as_text=True)
    assert login(app.test_client(), "camille").status_code == 302
    with session_scope(engine) as session:  # only that account's failures are forgotten
        left = session.exec(select(LoginFailure)).all()
        assert [failure.username for failure in left] == ["dominique"]


@pytest.mark.parametrize("role", [Role.viewer, Role.agent])
def test_only_an_admin_lifts_a_pause(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    make_user: Callable[..., User],
    engine: Engine,
    role: Role,
) -> None:
    make_user("camille", Role.agent)
    for _attempt in range(MAX_FAILURES):
        login(client_from(app, "10.0.0.66"), "camille", "guess")
    client = client_as(role)
    response = client.post(
        f"/admin/users/{user_id(engine, 'camille')}/unlock",
        data={"csrf_token": csrf_from(client, "/account")},
    )
    assert response.status_code == 403
    assert login(app.test_client(), "camille").status_code == 429


def test_unknown_username_costs_a_password_verification(
    app: Flask,
    make_user: Callable[..., User],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user("partant", Role.agent)
    with session_scope(engine) as session:
        leaver = accounts.find_user(session, "partant")
        assert leaver is not None
        accounts.set_active(session, leaver, False, now=utcnow())
    verified: list[str] = []
    real_verify = sign_in.verify_password

    def spy(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(sign_in, "verify_password", spy)
    assert login(app.test_client(), "nobody", PASSWORD).status_code == 401
    assert verified == [passwords.dummy_hash()]
    verified.clear()
    # A deactivated account is refused after the same verification as any other.
    assert login(app.test_client(), "partant", PASSWORD).status_code == 401
    assert len(verified) == 1 and verified[0] != passwords.dummy_hash()


def test_dummy_hash_is_made_with_the_current_parameters() -> None:
    assert passwords.dummy_hash() == passwords.dummy_hash()
    assert not passwords.needs_rehash(passwords.dummy_hash())
    assert not passwords.verify_password(passwords.dummy_hash(), PASSWORD)
