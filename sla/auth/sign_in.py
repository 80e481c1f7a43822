"""Signing in with a name and a password: a local account's own password, or the directory's.

Which one checks the password follows the account: a local account its Garantie password (once
[security] password_login = "marked", only local accounts marked as such); a directory account,
or a name Garantie does not know yet while [ldap] is enabled, the directory; an OpenID Connect
account never signs in with a password. The throttle comes first, for every route: once
`login_max_failures` sign-ins to a name failed within the pause, even the right password is
refused, so guessing gains nothing (the directory is not even asked). Failures count per name
only, so one client's failures never pause the other accounts. An unknown name costs a hash
verification too, so that the time taken does not tell which names exist.

Every outcome goes to the audit trail, with the source address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlmodel import Session

from sla.audit.record import Actor, record
from sla.auth import external, ldap_directory, service
from sla.auth.models import LoginFailure, User
from sla.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password


@dataclass(frozen=True)
class LoginRefused(Exception):
    """A sign-in refused: `reason` is a key the audit trail words; `retry_after` is set when
    the name is paused after failures."""

    retry_after: timedelta | None = None
    reason: str = "paused"


# Re-exported for the login page: the directory cannot be asked (down, TLS refused...).
DirectoryUnavailable = ldap_directory.DirectoryUnavailable


def with_password(
    session: Session,
    settings: Mapping[str, Mapping[str, Any]],
    *,
    username: str,
    password: str,
    remote_addr: str,
    now: datetime,
) -> User:
    """The user this name and password open, or LoginRefused (whose `reason` the audit trail
    keeps; the page says the same thing for every reason but the pause).

    Raises DirectoryUnavailable when the directory should answer and cannot: nothing is counted
    against the name then (the person did nothing wrong)."""
    security = settings["security"]
    name = service.normalise_username(username)[:64]
    actor = Actor(None, name, "web", remote_addr)
    pause = service.login_pause(
        session,
        name,
        now=now,
        max_failures=security["login_max_failures"],
        lockout=timedelta(minutes=security["login_lockout_minutes"]),
    )
    if pause is not None:
        record(session, actor, "signin.paused", now=now, target_kind="user", target_label=name)
        raise LoginRefused(retry_after=pause)
    user = service.find_user(session, name)
    directory = settings["ldap"]
    if (user is not None and user.auth_source == "ldap") or (user is None and directory["enabled"]):
        if not directory["enabled"]:
            _failed(session, actor, name, "source_disabled", now=now)
        return _through_directory(session, directory, name, password, remote_addr, now=now)
    reason = _local_refusal(user, password, security["password_login"])
    if reason is not None or user is None:
        _failed(session, actor, name, reason or "unknown", now=now, user=user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    record(
        session,
        Actor(user.id, user.username, "web", remote_addr),
        "signin.success",
        now=now,
        target_kind="user",
        target_id=user.id,
        target_label=user.username,
    )
    return user


def _local_refusal(user: User | None, password: str, accounts_allowed: str) -> str | None:
    """Why a local sign-in is refused (a reason key), or None. The hash is verified in every
    case (against a dummy one for no account) so that refusals all take as long."""
    if user is None:
        verify_password(dummy_hash(), password)
        return "unknown"
    if user.auth_source != "local":  # OpenID Connect accounts use the provider's button
        verify_password(dummy_hash(), password)
        return "other_method"
    if not verify_password(user.password_hash, password):
        return "wrong_password"
    if not user.active:
        return "deactivated"
    if accounts_allowed == "marked" and not user.local_account:
        return "password_login_disabled"
    return None


def _through_directory(
    session: Session,
    directory: Mapping[str, Any],
    name: str,
    password: str,
    remote_addr: str,
    *,
    now: datetime,
) -> User:
    actor = Actor(None, name, "ldap", remote_addr)
    try:
        check = ldap_directory.check_password(directory, name, password)
    except DirectoryUnavailable:
        # In the trail, not against the name: the person did nothing wrong.
        record(
            session,
            actor,
            "signin.failure",
            now=now,
            target_kind="user",
            target_label=name,
            reason="directory_unavailable",
        )
        raise
    if check.person is None:
        # Nobody by that name under the filter: unknown, disabled, or gone from the directory.
        # An account the directory made for that name is withdrawn (sessions, tokens end).
        known = service.find_user(session, name)
        if known is not None and known.auth_source == "ldap" and known.active:
            external.withdraw(session, known, now=now, actor=actor)
        _failed(session, actor, name, "unknown", now=now, user=known)
    if not check.password_ok:
        _failed(session, actor, name, "wrong_password", now=now)
    identity = ldap_directory.identity_of(directory, check.person)
    try:
        return external.sign_in(session, identity, now=now, remote_addr=remote_addr)
    except external.ExternalRefused as refused:
        raise LoginRefused(reason=refused.reason) from None


def _failed(
    session: Session,
    actor: Actor,
    name: str,
    reason: str,
    *,
    now: datetime,
    user: User | None = None,
) -> NoReturn:
    """Count a failed sign-in against the name (the throttle's memory), put it in the audit
    trail, and refuse."""
    session.add(LoginFailure(username=name, remote_addr=actor.remote_addr[:64], failed_at=now))
    record(
        session,
        actor,
        "signin.failure",
        now=now,
        target_kind="user",
        target_id=None if user is None else user.id,
        target_label=name,
        reason=reason,
    )
    raise LoginRefused(reason=reason)
