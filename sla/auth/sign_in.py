"""Signing in with a name and a password: a local account's own password, or the directory's.

Which one checks the password follows the account: a local account its Garantie password (once
[security] password_login = "marked", only local accounts marked as such); a directory account,
or a name Garantie does not know yet while [ldap] is enabled, the directory; an OpenID Connect
account never signs in with a password. While [ldap] is enabled, an unmarked local account whose
own password does not open it (or may not be used) asks the directory too: the directory's
password opens it, and the directory takes the account over (moving a DSI to its directory
needs no renaming). A name no account can have (see `service.USERNAME_RE`, after Unicode's
NFKC folding) is refused without asking anybody. The throttle comes first, for every route: once
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
from sla.auth import external, ldap_connection, ldap_directory, service
from sla.auth.models import LoginFailure, User
from sla.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password


@dataclass(frozen=True)
class LoginRefused(Exception):
    """A sign-in refused: `reason` is a key the audit trail words; `retry_after` is set when
    the name is paused after failures."""

    retry_after: timedelta | None = None
    reason: str = "paused"


# Re-exported for the login page: the directory cannot be asked (down, TLS refused...).
DirectoryUnavailable = ldap_connection.DirectoryUnavailable


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
    actor = Actor(None, "", "web", remote_addr)  # nobody is known to be signing in yet
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
    directory = settings["ldap"]
    user = service.find_user(session, name) if service.USERNAME_RE.fullmatch(name) else None
    if user is None and not (directory["enabled"] and service.USERNAME_RE.fullmatch(name)):
        # No account can have this name, and no directory is asked about it.
        verify_password(dummy_hash(), password)
        _failed(session, actor, name, "unknown", now=now)
    if user is None or user.auth_source == "ldap":
        return _through_directory(session, directory, name, password, remote_addr, now=now)
    reason = _local_refusal(user, password, security["password_login"])
    if reason is not None and _directory_may_answer(user, directory):
        # An unmarked local account of a login the directory knows: the directory's password
        # opens it (and the directory takes the account over, see sla.auth.external).
        return _through_directory(
            session, directory, name, password, remote_addr, now=now, local_reason=reason
        )
    if reason is not None:
        _failed(session, actor, name, reason, now=now, user=user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    signed_in = Actor(user.id, user.username, "web", remote_addr)
    service.audit_user(session, signed_in, user, "signin.success", now=now)
    return user


def _directory_may_answer(user: User, directory: Mapping[str, Any]) -> bool:
    """Whether the directory may vouch for this local account: it is enabled and the account
    is not one marked local (those keep their own password, whatever the directory says)."""
    return bool(directory["enabled"]) and user.auth_source == "local" and not user.local_account


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
    local_reason: str | None = None,
) -> User:
    """Sign in through the directory. `local_reason`: why the local account's own password did
    not open it (a local password was verified already, and a refusal keeps that reason when
    the directory does not vouch either); else a dummy verification costs what a local one
    does, so that the time taken does not tell a local account's name from the directory's."""
    actor = Actor(None, "", "ldap", remote_addr)
    if not directory["enabled"]:  # a directory account, and the directory is switched off
        verify_password(dummy_hash(), password)
        _failed(session, actor, name, "source_disabled", now=now)
    if local_reason is None:
        verify_password(dummy_hash(), password)
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
        if known is not None and known.auth_source == "ldap":
            external.withdraw(session, known, now=now, actor=actor)
        _failed(session, actor, name, local_reason or "unknown", now=now, user=known)
    if not check.password_ok:
        _failed(session, actor, name, local_reason or "wrong_password", now=now)
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
