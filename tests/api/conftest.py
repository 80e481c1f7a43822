"""Fixtures of the API tests: a client and the headers of a personal token per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from sla.auth import service as accounts
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role


@pytest.fixture
def token_headers(
    engine: Engine, make_user: Callable[..., User]
) -> Callable[[Role], dict[str, str]]:
    """The Authorization header of a new token, of a new user with the given role."""

    def make(role: Role) -> dict[str, str]:
        username = f"api-{role.value}"
        make_user(username, role)
        with session_scope(engine) as session:
            user = accounts.find_user(session, username)
            assert user is not None
            token, _ = accounts.create_api_token(session, user, name="tests", now=utcnow())
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def agent(token_headers: Callable[[Role], dict[str, str]]) -> dict[str, str]:
    """The headers of an agent's token (reads and writes)."""
    return token_headers(Role.agent)
