"""Who may sign in with a Garantie password: everyone by default; once [security]
password_login = "marked", only the local accounts marked as such (the first administrator
among them). Every sign-in, and every failure with its source address, is in the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.app import create_app
from sla.audit.models import AuditEvent
from sla.auth import service as accounts
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.conftest import app_config, empty_tables
from tests.support import PASSWORD, login


@pytest.fixture
def marked_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    # (An OpenID Connect provider signs everyone else in; none is asked in these tests.)
    provider = {
        "enabled": True,
        "issuer": "https://idp.ville.example",
        "client_id": "garantie",
        "agent_emails": ["@ville.example"],
    }
    config = app_config(
        database_url,
        tmp_path / "instance",
        security={"password_login": "marked"},
        oidc=provider,
    )
    application = create_app(config, environ={})
    application.config["TESTING"] = True
    engine = application.extensions["sla.engine"]
    empty_tables(engine)
    yield application
    engine.dispose()


def _user(engine: Engine, name: str, **kwargs: object) -> None:
    with session_scope(engine) as session:
        accounts.create_user(
            session, username=name, password=PASSWORD, role=Role.agent, now=utcnow(), **kwargs
        )


def _events(engine: Engine) -> list[AuditEvent]:
    """The trail, without the accounts the test made (their actor is the system)."""
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [event for event in events if event.channel != "system"]


def test_marked_reserves_passwords_to_local_accounts(marked_app: Flask) -> None:
    engine = marked_app.extensions["sla.engine"]
    _user(engine, "secours", local_account=True)
    _user(engine, "ordinaire")
    refused = login(marked_app.test_client(), "ordinaire")
    assert refused.status_code == 401
    page = refused.get_data(as_text=True)
    assert "réservée aux comptes locaux" in page
    # A wrong password says nothing of the rule (it must not tell which names exist).
    wrong = login(marked_app.test_client(), "ordinaire", "not the password")
    assert wrong.status_code == 401 and "réservée" not in wrong.get_data(as_text=True)
    assert login(marked_app.test_client(), "secours").status_code == 302
    events = _events(engine)
    assert [(e.action, e.target_label, e.detail.get("reason")) for e in events] == [
        ("signin.failure", "ordinaire", "password_login_disabled"),
        ("signin.failure", "ordinaire", "wrong_password"),
        ("signin.success", "secours", None),
    ]
    assert {e.remote_addr for e in events} == {"127.0.0.1"}


def test_all_lets_every_local_account_in(app: Flask, engine: Engine) -> None:
    _user(engine, "ordinaire")
    assert login(app.test_client(), "ordinaire").status_code == 302
    (event,) = _events(engine)
    assert (event.action, event.channel, event.actor_name) == ("signin.success", "web", "ordinaire")


def test_the_first_administrator_is_a_local_account(app: Flask, engine: Engine) -> None:
    with session_scope(engine) as session:
        created = accounts.ensure_admin(session, username="admin", password=PASSWORD, now=utcnow())
        assert created is not None and created[0].local_account


def test_an_account_of_the_provider_has_no_password(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    make_user("jeanne@ville.example", Role.agent)
    with session_scope(engine) as session:
        user = accounts.find_user(session, "jeanne@ville.example")
        assert user is not None
        user.auth_source, user.external_id = "oidc", "https://idp.example sub-1"
    # Even the password it had before: an OpenID Connect account signs in with the button.
    assert login(app.test_client(), "jeanne@ville.example").status_code == 401
    (event,) = _events(engine)
    assert event.detail["reason"] == "other_method"


def test_usernames_may_be_addresses_but_not_carry_a_newline(app: Flask, engine: Engine) -> None:
    with session_scope(engine) as session:
        made = accounts.create_user(
            session,
            username="A.Dupont+dsi@Ville.example",
            password=PASSWORD,
            role=Role.viewer,
            now=utcnow(),
        )
        assert made.username == "a.dupont+dsi@ville.example"
        with pytest.raises(accounts.DomainError):
            accounts.create_user(
                session, username="ab\ncd", password=PASSWORD, role=Role.viewer, now=utcnow()
            )


def test_marked_without_another_way_in_stops_at_start() -> None:
    from sla.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=r"\[security\] password_login: .*neither \[ldap\]"):
        load_settings({}, base_file=None, overrides={"security": {"password_login": "marked"}})


def test_an_organisation_account_changes_its_password_elsewhere(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    client = client_as(Role.agent)
    with session_scope(engine) as session:
        user = accounts.find_user(session, "user-agent")
        assert user is not None
        user.auth_source, user.external_id = "ldap", "uid=user-agent,dc=ville,dc=test"
    page = client.get("/account").get_data(as_text=True)
    assert "/account/password" not in page and "se change auprès d'elle" in page
    response = client.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
