"""Accounts of people the directory (LDAP) or an OpenID Connect provider vouches for.

The first sign-in creates the account with the name, address and role the source gives; each
later sign-in refreshes them (the source is authoritative for its accounts' role). A person the
source no longer allows (out of every mapped group, off every allow-list) is refused and their
account withdrawn: deactivated, which ends their sessions and revokes their API tokens. When the
source allows them again, it gives the account back (not the tokens); an account an
administrator deactivated stays deactivated until an administrator reactivates it.

An account follows its name, not the source's identifier: Active Directory moves people between
OUs and renames their CN (the login, sAMAccountName or uid, is unique in the directory), and an
OpenID Connect provider's issuer changes (integration to production): the address it vouches
for names the account. An
unmarked local account of the same login is taken over by the directory at its first directory
sign-in (the DSI's people are its directory's people); a local account marked as such never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlmodel import Session, select

from sla.audit.record import Actor, record
from sla.auth import service
from sla.auth.models import User
from sla.errors import DomainError
from sla.web.roles import Role

UNUSABLE_PASSWORD = "!"  # noqa: S105 (no argon2 hash: no password opens the account)


@dataclass(frozen=True)
class ExternalIdentity:
    """A person as the source describes them at sign-in."""

    source: str  # "ldap" or "oidc"
    external_id: str  # the directory's DN, or "issuer sub"
    username: str  # the name the account goes by in Garantie
    display_name: str
    email: str
    role: Role | None  # None: the source does not (or no longer) allow this person


class ExternalRefused(Exception):
    """A sign-in through the directory or OpenID Connect refused: `reason` is "not_allowed"
    (in no mapped group, on no allow-list), "deactivated" (by an administrator) or
    "name_taken" (an account of another kind has the name); the login page words it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def account_of(session: Session, identity: ExternalIdentity) -> User | None:
    """The account this person signs in to: the one the source made for them, else (the
    directory) the account of their login, whatever DN it knew them by."""
    user = session.exec(
        select(User).where(
            User.auth_source == identity.source, User.external_id == identity.external_id
        )
    ).first()
    if user is None:
        same_name = service.find_user(session, identity.username)
        if same_name is not None and (
            same_name.auth_source == identity.source
            or (
                identity.source == "ldap"
                and same_name.auth_source == "local"
                and not same_name.local_account
            )
        ):
            return same_name
    return user


def sign_in(
    session: Session, identity: ExternalIdentity, *, now: datetime, remote_addr: str
) -> User:
    """The account of a person the source vouched for, created, linked or refreshed; raises
    ExternalRefused. Every outcome is in the audit trail (flushed with the caller's
    transaction: a refusal must be committed by the caller too)."""
    user = account_of(session, identity)
    actor = Actor(
        None if user is None else user.id, identity.username, identity.source, remote_addr
    )
    if identity.role is None:
        if user is not None and user.auth_source == identity.source:
            withdraw(session, user, now=now, actor=actor)
        _refused(session, actor, identity, "not_allowed", now=now)
    if user is None:
        if service.find_user(session, identity.username) is not None:
            _refused(session, actor, identity, "name_taken", now=now)
        user = _create(session, identity, now=now, actor=actor)
    elif not user.active and not user.withdrawn_by_source:
        _refused(session, actor, identity, "deactivated", now=now)
    else:
        if not user.active:  # withdrawn by the source, which allows the person again
            service.set_active(session, user, True, now=now, actor=actor, by_source=True)
        refresh(session, user, identity, now=now, actor=actor)
    actor = Actor(user.id, user.username, identity.source, remote_addr)
    service.audit_user(session, actor, user, "signin.success", now=now)
    return user


def _refused(
    session: Session, actor: Actor, identity: ExternalIdentity, reason: str, *, now: datetime
) -> NoReturn:
    action = "signin.refused" if reason == "not_allowed" else "signin.failure"
    record(
        session,
        Actor(None, "", actor.channel, actor.remote_addr),
        action,
        now=now,
        target_kind="user",
        target_id=actor.user_id,
        target_label=identity.username,
        reason=reason,
    )
    raise ExternalRefused(reason)


def _create(session: Session, identity: ExternalIdentity, *, now: datetime, actor: Actor) -> User:
    user = User(
        username=identity.username,
        display_name=identity.display_name.strip()[:128] or identity.username,
        email=identity.email.strip()[:254],
        role=(identity.role or Role.viewer).value,
        password_hash=UNUSABLE_PASSWORD,
        auth_source=identity.source,
        external_id=identity.external_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    service.audit_user(
        session, actor, user, "user.created", now=now, role=user.role, source=identity.source
    )
    return user


def refresh(
    session: Session, user: User, identity: ExternalIdentity, *, now: datetime, actor: Actor
) -> None:
    """Bring an account in line with what the source says of the person now: the source and
    entry it is known by (a local account taken over, a DN moved), the role, the name and the
    address, each change in the audit trail."""
    if (user.auth_source, user.external_id) != (identity.source, identity.external_id):
        service.audit_user(
            session,
            actor,
            user,
            "user.details_changed",
            now=now,
            before=f"{user.auth_source} {user.external_id or ''}".strip(),
            after=f"{identity.source} {identity.external_id}",
        )
        user.auth_source, user.external_id = identity.source, identity.external_id
        user.password_hash = UNUSABLE_PASSWORD
        user.must_change_password = False
    if identity.role is not None and identity.role is not user.role_enum:
        try:
            service.set_role(session, user, identity.role, now=now, actor=actor)
        except DomainError:  # the last active administrator keeps the role, and it says so
            service.audit_user(
                session,
                actor,
                user,
                "user.role_changed",
                now=now,
                before=user.role,
                after=user.role,
                reason="last_admin",
            )
    service.set_email(session, user, identity.email, now=now, actor=actor)
    if identity.display_name.strip():
        service.set_display_name(session, user, identity.display_name, now=now, actor=actor)
    session.add(user)
    session.flush()


def withdraw(session: Session, user: User, *, now: datetime, actor: Actor) -> bool:
    """Deactivate the account of a person the source no longer allows: their sessions end and
    their API tokens are revoked. False when refused (the last active administrator)."""
    try:
        service.set_active(session, user, False, now=now, actor=actor, by_source=True)
    except DomainError:
        return False
    return True
