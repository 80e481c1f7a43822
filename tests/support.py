"""Helpers for tests: the CI rule for real parts, logging in, reading CSRF tokens."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from sla.config import defaults

IN_CI = bool(os.environ.get("CI"))
PASSWORD = "correct horse battery"


def require(condition: bool, reason: str) -> None:
    """Skip when a real part is missing here; under CI the same absence is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (required when CI is set)")
    pytest.skip(reason)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_from(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


# The [alerts] settings the incident services are given (the configuration's defaults).
ALERTS = defaults("alerts")
