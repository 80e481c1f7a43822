"""Asking the directory about its accounts between sign-ins (a real slapd on loopback): a person
moved out of the allowed group loses the account (its session cookie and API token stop
working), a changed address is brought in, a person gone is withdrawn, and a directory that
cannot be asked changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.audit.models import AuditEvent
from sla.auth import directory_sync, service
from sla.auth.ldap_connection import DirectoryUnavailable
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.ldap_server import (
    AGENTS,
    VIEWERS,
    Directory,
    closed_port,
    ldap_app,  # noqa: F401 (a fixture)
    slapd,  # noqa: F401 (a fixture)
)
from tests.support import PASSWORD, login


def signed_in(app: Flask, uid: str) -> FlaskClient:
    """A browser signed in through the directory."""
    client = app.test_client()
    response = login(client, uid)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    return client


def api_token(engine: Engine, uid: str) -> str:
    with session_scope(engine) as session:
        user = service.find_user(session, uid)
        assert user is not None
        token, _record = service.create_api_token(session, user, name="script", now=utcnow())
    return token


def token_works(app: Flask, token: str) -> bool:
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in {200, 401}
    return response.status_code == 200


def run_sync(engine: Engine, directory: Directory, **changes: object) -> directory_sync.SyncOutcome:
    with session_scope(engine) as session:
        return directory_sync.sync(session, directory.section(**changes), now=utcnow())


def account(engine: Engine, uid: str) -> User:
    with session_scope(engine) as session:
        user = service.find_user(session, uid)
        assert user is not None
        session.expunge(user)
        return user


def test_someone_moved_out_of_the_group_loses_account_session_and_token(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    leaving, staying = slapd.new_uid("partant"), slapd.new_uid("restant")
    slapd.add_person(leaving, groups=[AGENTS])
    slapd.add_person(staying, groups=[VIEWERS])
    browser = signed_in(ldap_app, leaving)
    signed_in(ldap_app, staying)
    token = api_token(engine, leaving)
    assert token_works(ldap_app, token)

    slapd.remove_from_group(leaving, AGENTS)
    outcome = run_sync(engine, slapd)

    assert (outcome.checked, outcome.withdrawn, outcome.refreshed) == (2, 1, 0)
    assert not account(engine, leaving).active
    assert account(engine, staying).active
    assert not token_works(ldap_app, token)
    page = browser.get("/account")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    with session_scope(engine) as session:
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "user.deactivated")
        ).all()
        assert (event.channel, event.target_label) == ("ldap", leaving)


def test_a_changed_address_and_role_are_brought_in(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid("mutee")
    slapd.add_person(uid, groups=[VIEWERS], mail=f"{uid}@ancienne.ville.test")
    signed_in(ldap_app, uid)

    slapd.set_attribute(uid, "mail", f"{uid}@nouvelle.ville.test")
    slapd.add_to_group(uid, AGENTS)
    outcome = run_sync(engine, slapd)

    assert (outcome.checked, outcome.withdrawn, outcome.refreshed) == (1, 0, 1)
    user = account(engine, uid)
    assert (user.email, user.role, user.active) == (f"{uid}@nouvelle.ville.test", "agent", True)
    assert run_sync(engine, slapd).refreshed == 0  # nothing new the second time


@pytest.mark.parametrize("how", ["deleted", "disabled"])
def test_someone_gone_from_the_directory_is_withdrawn(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
    how: str,
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid(how)
    slapd.add_person(uid, groups=[AGENTS])
    signed_in(ldap_app, uid)
    if how == "deleted":
        slapd.delete_person(uid)
    else:
        slapd.set_attribute(uid, "employeeType", "disabled")

    assert run_sync(engine, slapd).withdrawn == 1
    assert not account(engine, uid).active


def test_a_directory_that_does_not_answer_changes_nothing(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid("absent")
    slapd.add_person(uid, groups=[AGENTS])
    signed_in(ldap_app, uid)
    slapd.remove_from_group(uid, AGENTS)

    with pytest.raises(DirectoryUnavailable):
        run_sync(engine, slapd, url=f"ldap://127.0.0.1:{closed_port()}")
    assert account(engine, uid).active


def test_local_accounts_are_not_asked_about(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    with session_scope(engine) as session:
        service.create_user(
            session, username="alice", password=PASSWORD, role=Role.admin, now=utcnow()
        )
    # alice is in the directory too, but this account is Garantie's own: left alone, and with
    # no directory account at all, the directory is not even asked.
    outcome = run_sync(engine, slapd, url=f"ldap://127.0.0.1:{closed_port()}")
    assert (outcome.checked, outcome.withdrawn, outcome.refreshed) == (0, 0, 0)
    assert account(engine, "alice").auth_source == "local"
