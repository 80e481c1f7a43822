"""Signing in with the login form through the directory (a real slapd on loopback): the first
sign-in creates the account from the directory, a person moved out of the allowed group is
refused and their account deactivated, a wrong password is refused, and a directory that does
not answer is a 503 page in French while local accounts still sign in."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.audit.models import AuditEvent
from sla.auth import service
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.ldap_server import (
    AGENTS,
    Directory,
    closed_port,
    ldap_app,  # noqa: F401 (a fixture)
    make_ldap_app,
    person_dn,
    slapd,  # noqa: F401 (a fixture)
)
from tests.support import PASSWORD, login


def user_named(engine: Engine, name: str) -> User | None:
    with session_scope(engine) as session:
        user = service.find_user(session, name)
        if user is not None:
            session.expunge(user)
        return user


def reasons(engine: Engine, action: str) -> list[str]:
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [str(event.detail.get("reason", "")) for event in events]


def test_first_sign_in_creates_the_account_from_the_directory(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    client = ldap_app.test_client()
    response = login(client, "Alice", PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    user = user_named(engine, "alice")
    assert user is not None
    assert (user.auth_source, user.external_id) == ("ldap", person_dn("alice"))
    assert (user.display_name, user.email, user.role) == (
        "Alice Martin",
        "alice.martin@ville.test",
        Role.admin.value,
    )


def test_someone_moved_out_of_the_group_is_refused_and_deactivated(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid("sortant")
    slapd.add_person(uid, groups=[AGENTS])
    assert login(ldap_app.test_client(), uid).status_code == 302
    slapd.remove_from_group(uid, AGENTS)

    client = ldap_app.test_client()
    response = login(client, uid)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "annuaire" in page and "groupe" in page  # the French refusal, not a generic one
    assert client.get("/account").status_code == 302
    user = user_named(engine, uid)
    assert user is not None and not user.active
    assert reasons(engine, "signin.refused") == ["not_allowed"]


def test_a_wrong_password_is_refused_and_creates_nothing(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    response = login(ldap_app.test_client(), "bruno", PASSWORD + "?")
    assert response.status_code == 401
    assert user_named(engine, "bruno") is None
    assert reasons(engine, "signin.failure") == ["wrong_password"]


def test_a_directory_that_does_not_answer_is_a_503_and_local_accounts_still_work(
    database_url: str,
    tmp_path: Path,
    slapd: Directory,  # noqa: F811
) -> None:
    app = make_ldap_app(database_url, tmp_path, slapd, url=f"ldap://127.0.0.1:{closed_port()}")
    engine: Engine = app.extensions["sla.engine"]
    try:
        with session_scope(engine) as session:
            service.create_user(
                session, username="secours", password=PASSWORD, role=Role.admin, now=utcnow()
            )
        response = login(app.test_client(), "bruno")
        assert response.status_code == 503
        assert "annuaire" in response.get_data(as_text=True)
        assert reasons(engine, "signin.failure") == ["directory_unavailable"]

        local = app.test_client()
        assert login(local, "secours").status_code == 302
        assert local.get("/account").status_code == 200
    finally:
        engine.dispose()
