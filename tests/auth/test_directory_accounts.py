"""How directory accounts live (a real slapd on loopback): names folded as the directory folds
them before the throttle, a local account taken over by the directory's password, an account
that follows its login when the entry moves, a withdrawal the directory undoes, and a
synchronisation that refuses to withdraw implausibly many accounts at once."""

from __future__ import annotations

import pytest
from flask import Flask
from ldap3 import MODIFY_ADD
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.audit.models import AuditEvent
from sla.auth import directory_sync, service
from sla.auth.ldap_connection import DirectoryUnavailable
from sla.auth.models import LoginFailure, User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.ldap_server import (
    AGENTS,
    PEOPLE_DN,
    Directory,
    ldap_app,  # noqa: F401 (a fixture)
    person_dn,
    slapd,  # noqa: F401 (a fixture)
)
from tests.support import PASSWORD, login


def _account(engine: Engine, name: str) -> User:
    with session_scope(engine) as session:
        user = service.find_user(session, name)
        assert user is not None
        session.expunge(user)
        return user


def test_look_alike_letters_count_against_the_same_name(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid("bruno")
    slapd.add_person(uid, groups=[AGENTS])
    fullwidth = "\uff42" + uid[1:]  # ｂ: the directory folds it to b
    mathematical = "\U0001d41b" + uid[1:]  # 𝐛
    for name in (uid, fullwidth, mathematical, uid, fullwidth):
        assert login(ldap_app.test_client(), name, "wrong password").status_code == 401
    # Paused under its one name, whatever letters the sixth attempt uses.
    assert login(ldap_app.test_client(), mathematical, PASSWORD).status_code == 429
    with session_scope(engine) as session:
        names = set(session.exec(select(LoginFailure.username)).all())
    assert names == {uid}


def test_a_name_no_account_can_have_is_refused_without_asking_the_directory(
    ldap_app: Flask,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_directory(*_args: object) -> None:
        raise AssertionError("the directory was asked")

    monkeypatch.setattr("sla.auth.ldap_directory.check_password", no_directory)
    for name in ("josé", "a b", "x" * 60 + "é"):
        assert login(ldap_app.test_client(), name, PASSWORD).status_code == 401


def test_the_directory_takes_an_unmarked_local_account_over_not_a_marked_one(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    agent, rescue = slapd.new_uid("agent"), slapd.new_uid("secours")
    for uid in (agent, rescue):
        slapd.add_person(uid, groups=[AGENTS], password="directory password 1")
    with session_scope(engine) as session:
        for uid, marked in ((agent, False), (rescue, True)):
            service.create_user(
                session, username=uid, password=PASSWORD, role=Role.viewer, now=utcnow(),
                local_account=marked,
            )  # fmt: skip
    # The directory's password opens the unmarked one, which becomes a directory account.
    assert login(ldap_app.test_client(), agent, "directory password 1").status_code == 302
    taken = _account(engine, agent)
    assert (taken.auth_source, taken.external_id, taken.role) == ("ldap", person_dn(agent), "agent")
    assert login(ldap_app.test_client(), agent, PASSWORD).status_code == 401  # its old password
    # The marked one keeps its own password, and only it.
    assert login(ldap_app.test_client(), rescue, "directory password 1").status_code == 401
    assert login(ldap_app.test_client(), rescue, PASSWORD).status_code == 302
    assert _account(engine, rescue).auth_source == "local"


def test_an_account_follows_its_login_when_the_entry_moves(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid = slapd.new_uid("mobile")
    slapd.add_person(uid, groups=[AGENTS])
    assert login(ldap_app.test_client(), uid, PASSWORD).status_code == 302
    first = _account(engine, uid)
    moved_ou = f"ou=moved-{uid},{PEOPLE_DN}"
    with slapd.manager() as connection:
        connection.add(moved_ou, ["organizationalUnit"], {"ou": f"moved-{uid}"})
        assert connection.modify_dn(person_dn(uid), f"uid={uid}", new_superior=moved_ou)
        new_dn = f"uid={uid},{moved_ou}"
        assert connection.modify(AGENTS, {"member": [(MODIFY_ADD, [new_dn])]})
    with session_scope(engine) as session:
        outcome = directory_sync.sync(session, slapd.section(), now=utcnow())
    assert (outcome.withdrawn, outcome.refreshed) == (0, 1)
    moved = _account(engine, uid)
    assert (moved.id, moved.active, moved.external_id) == (first.id, True, new_dn)
    assert login(ldap_app.test_client(), uid, PASSWORD).status_code == 302


def test_the_directory_gives_back_what_it_withdrew_not_what_an_administrator_did(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    uid, other = slapd.new_uid("retour"), slapd.new_uid("sanction")
    for name in (uid, other):
        slapd.add_person(name, groups=[AGENTS])
        assert login(ldap_app.test_client(), name, PASSWORD).status_code == 302
    slapd.remove_from_group(uid, AGENTS)
    assert login(ldap_app.test_client(), uid, PASSWORD).status_code == 401
    assert not _account(engine, uid).active
    slapd.add_to_group(uid, AGENTS)
    assert login(ldap_app.test_client(), uid, PASSWORD).status_code == 302
    assert _account(engine, uid).active
    with session_scope(engine) as session:
        user = service.find_user(session, other)
        assert user is not None
        service.set_active(session, user, False, now=utcnow())
    refused = login(ldap_app.test_client(), other, PASSWORD)
    assert refused.status_code == 401 and "désactivé" in refused.get_data(as_text=True)


def test_a_sync_that_would_withdraw_everyone_changes_nothing(
    ldap_app: Flask,  # noqa: F811
    slapd: Directory,  # noqa: F811
) -> None:
    engine: Engine = ldap_app.extensions["sla.engine"]
    people = [slapd.new_uid("equipe") for _ in range(3)]
    for uid in people:
        slapd.add_person(uid, groups=[AGENTS])
        assert login(ldap_app.test_client(), uid, PASSWORD).status_code == 302
    # The service account now finds nobody (as when it lost the right to read the people).
    blind = slapd.section(user_filter="(&(uid={username})(employeeType=nobody-has-this))")
    with session_scope(engine) as session, pytest.raises(DirectoryUnavailable) as refused:
        directory_sync.sync(session, blind, now=utcnow())
    assert refused.value.key == "bind_dn"
    assert all(_account(engine, uid).active for uid in people)
    with session_scope(engine) as session:
        assert not session.exec(
            select(AuditEvent).where(AuditEvent.action == "user.deactivated")
        ).all()
