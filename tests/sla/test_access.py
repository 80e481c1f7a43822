"""Access control over the whole URL map: login everywhere, roles on every action, CSRF."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter, Rule

from sla.auth import service as accounts
from sla.db import session_scope, utcnow
from sla.web.access import PUBLIC_ENDPOINTS
from sla.web.roles import Role


def _url(rule: Rule) -> str:
    """A concrete URL for a rule (1 for every numeric argument, 'x' for the others)."""
    converters = rule._converters
    values = {
        arg: 1 if isinstance(converters.get(arg), IntegerConverter) else "x"
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC_ENDPOINTS:
            yield rule


def test_every_route_refuses_anonymous_requests(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for rule in _rules(app):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method)
            if rule.rule.startswith("/api/"):
                assert response.status_code == 401, (method, rule.rule)
            else:
                assert response.status_code in {302, 400}, (method, rule.rule, response.status_code)
                if response.status_code == 302:
                    assert response.headers["Location"].startswith("/login"), rule.rule
            checked += 1
    assert checked >= 10


def test_every_endpoint_declares_the_role_it_needs(app: Flask) -> None:
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        assert isinstance(getattr(view, "required_role", None), Role), rule.endpoint


def _api_token(engine: Engine, username: str) -> str:
    with session_scope(engine) as session:
        user = accounts.find_user(session, username)
        assert user is not None
        token, _record = accounts.create_api_token(session, user, name="test", now=utcnow())
    return token


@pytest.mark.parametrize("role", [Role.viewer, Role.agent])
def test_lower_roles_cannot_post_higher_roles_actions(
    app: Flask, client_as: Callable[[Role], FlaskClient], role: Role, engine: Engine
) -> None:
    client = client_as(role)
    token = _csrf_of_session(client)
    bearer = {"Authorization": f"Bearer {_api_token(engine, f'user-{role.value}')}"}
    refused = 0
    for rule in _rules(app):
        needed = app.view_functions[rule.endpoint].required_role
        if role.includes(needed) or "POST" not in (rule.methods or set()):
            continue
        if rule.rule.startswith("/api/"):
            response = client.post(_url(rule), json={}, headers=bearer)
        else:
            response = client.post(_url(rule), data={"csrf_token": token})
        assert response.status_code == 403, (role, rule.rule, response.status_code)
        refused += 1
    assert refused > 0


def _csrf_of_session(client: FlaskClient) -> str:
    from tests.support import csrf_from

    return csrf_from(client, "/account")


def test_viewer_does_not_see_admin_menu_and_admin_does(
    client_as: Callable[[Role], FlaskClient],
) -> None:
    assert "/admin/users/" not in client_as(Role.viewer).get("/").get_data(as_text=True)
    assert "/admin/users/" in client_as(Role.admin).get("/").get_data(as_text=True)


def test_form_without_csrf_token_is_rejected(app: Flask, make_user: Callable[..., object]) -> None:
    make_user("alice", Role.admin)
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "alice", "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not logged in


def test_logged_in_form_without_csrf_token_changes_nothing(
    client_as: Callable[[Role], FlaskClient],
) -> None:
    client = client_as(Role.admin)
    response = client.post("/admin/users/", data={"username": "mallory", "role": "admin"})
    assert response.status_code == 400
    assert "mallory" not in client.get("/admin/users/").get_data(as_text=True)


def test_security_headers_are_sent(app: Flask) -> None:
    response = app.test_client().get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _url_with_id(rule: Rule, value: int) -> str:
    """A URL for a rule with `value` for every numeric argument ('x' for the others)."""
    values = {
        arg: value if isinstance(rule._converters.get(arg), IntegerConverter) else "x"
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _get_rules_with_ids(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in _rules(app)
        if "GET" in (rule.methods or set())
        and any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    ]


@pytest.mark.parametrize(
    ("unknown", "allowed"),
    [(999_999, {302, 303, 404}), (2**31, {404}), (2**63 + 1, {404})],
    ids=["missing-id", "above-int32", "above-int64"],
)
def test_every_get_route_answers_404_for_an_unknown_id(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    engine: Engine,
    contracts: dict[str, int],
    unknown: int,
    allowed: set[int],
) -> None:
    """Logged in as an administrator, on a database that holds records (the example
    contracts), an id that names nothing is a 404 (or a redirect), never a server error."""
    client = client_as(Role.admin)
    bearer = {"Authorization": f"Bearer {_api_token(engine, 'user-admin')}"}
    wrong: list[tuple[str, int]] = []
    rules = _get_rules_with_ids(app)
    for rule in rules:
        url = _url_with_id(rule, unknown)
        headers = bearer if rule.rule.startswith("/api/") else {}
        response = client.get(url, headers=headers)
        if response.status_code not in allowed:
            wrong.append((url, response.status_code))
    assert not wrong
    assert len(rules) >= 10
