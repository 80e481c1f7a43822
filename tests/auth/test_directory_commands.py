"""The directory from the command line: `sla users sync` asks it about its accounts, and
`sla serve` refuses to start, with one line naming the key and exit code 2, when it does not
answer as configured (a real slapd on loopback). The scheduler starts anyway: its
synchronisation waits for the directory, and alerts must not stop with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from sla.auth import service
from sla.cli import cli
from sla.db import session_scope
from tests.ldap_server import (
    AGENTS,
    Directory,
    closed_port,
    ldap_app,  # noqa: F401 (a fixture)
    make_ldap_app,
    slapd,  # noqa: F401 (a fixture)
)
from tests.support import login


def test_users_sync_withdraws_who_left_the_groups(ldap_app: Flask, slapd: Directory) -> None:  # noqa: F811
    uid = slapd.new_uid("cli")
    slapd.add_person(uid, groups=[AGENTS])
    assert login(ldap_app.test_client(), uid).status_code == 302
    slapd.remove_from_group(uid, AGENTS)
    result = ldap_app.test_cli_runner().invoke(cli, args=["users", "sync"])
    assert result.exit_code == 0, result.output
    assert "1 directory account(s) checked, 1 deactivated, 0 refreshed" in result.output
    with session_scope(ldap_app.extensions["sla.engine"]) as session:
        user = service.find_user(session, uid)
        assert user is not None and not user.active


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"url": "ldap://127.0.0.1:{closed}"}, "Error: configuration: [ldap] url: "),
        ({"bind_password": "not the password"}, "Error: configuration: [ldap] bind_password: "),
        (
            {"agent_groups": ["cn=nobody,ou=groups,dc=ville,dc=test"]},
            "Error: configuration: [ldap] agent_groups: ",
        ),
    ],
)
def test_start_refuses_a_directory_that_does_not_answer_as_configured(
    database_url: str,
    tmp_path: Path,
    slapd: Directory,  # noqa: F811
    changes: dict[str, object],
    expected: str,
) -> None:
    values = {
        key: value.format(closed=closed_port()) if isinstance(value, str) else value
        for key, value in changes.items()
    }
    application = make_ldap_app(database_url, tmp_path, slapd, **values)
    try:
        result = application.test_cli_runner().invoke(cli, args=["serve"])
    finally:
        application.extensions["sla.engine"].dispose()
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(expected), result.output
    assert "Traceback" not in result.output


def test_users_sync_without_a_directory_says_so(app: Flask) -> None:
    result = app.test_cli_runner().invoke(cli, args=["users", "sync"])
    assert result.exit_code == 1
    assert "[ldap] enabled is false" in result.output
