"""Accounts of people the directory (LDAP) or an OpenID Connect provider vouches for.

The first sign-in creates the account with the name, address and role the source gives; each
later sign-in refreshes them (the source is authoritative for its accounts' role). A person the
source no longer allows (out of every mapped group, off every allow-list) is refused and their
account deactivated, which ends their sessions and revokes their API tokens. An account an
administrator deactivated stays deactivated: only an administrator reactivates it.
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
    """A sign-in through the directory or OpenID Connect refused: `reason` is a key of
    `REFUSALS` (worded on the login page)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


REFUSALS = (
    "not_allowed",  # in no mapped group / on no allow-list
    "deactivated",  # the Garantie account is deactivated
    "name_taken",  # a local account (or another source's) already has this name
)


def account_of(session: Session, source: str, external_id: str) -> User | None:
    """The account this source created for this person, if any."""
    return session.exec(
        select(User).where(User.auth_source == source, User.external_id == external_id)
    ).first()


def sign_in(
    session: Session, identity: ExternalIdentity, *, now: datetime, remote_addr: str
) -> User:
    """The account of a person the source vouched for, created or refreshed; raises
    ExternalRefused. Every outcome is in the audit trail (flushed with the caller's
    transaction: a refusal must be committed by the caller too)."""
    user = account_of(session, identity.source, identity.external_id)
    actor = Actor(
        None if user is None else user.id, identity.username, identity.source, remote_addr
    )
    if identity.role is None:
        if user is not None and user.active:
            withdraw(session, user, now=now, actor=actor)
        _refused(session, actor, identity, "not_allowed", now=now)
    if user is None:
        if service.find_user(session, identity.username) is not None:
            _refused(session, actor, identity, "name_taken", now=now)
        user = _create(session, identity, now=now, actor=actor)
        actor = Actor(user.id, user.username, identity.source, remote_addr)
    elif not user.active:
        _refused(session, actor, identity, "deactivated", now=now)
    else:
        refresh(session, user, identity, now=now, actor=actor)
    record(
        session,
        actor,
        "signin.success",
        now=now,
        target_kind="user",
        target_id=user.id,
        target_label=user.username,
    )
    return user


def _refused(
    session: Session, actor: Actor, identity: ExternalIdentity, reason: str, *, now: datetime
) -> NoReturn:
    action = "signin.refused" if reason == "not_allowed" else "signin.failure"
    record(
        session,
        actor,
        action,
        now=now,
        target_kind="user",
        target_id=actor.user_id,
        target_label=identity.username,
        reason=reason,
    )
    raise ExternalRefused(reason)


def _create(session: Session, identity: ExternalIdentity, *, now: datetime, actor: Actor) -> User:
    if not service.USERNAME_RE.fullmatch(identity.username):
        raise ExternalRefused("name_taken")
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
    record(
        session,
        actor,
        "user.created",
        now=now,
        target_kind="user",
        target_id=user.id,
        target_label=user.username,
        role=user.role,
        source=identity.source,
    )
    return user


def refresh(
    session: Session, user: User, identity: ExternalIdentity, *, now: datetime, actor: Actor
) -> None:
    """Bring an account in line with what the source says of the person now (the role, the
    name, the address), each change in the audit trail."""
    if identity.role is not None and identity.role is not user.role_enum:
        before = user.role
        try:
            service.set_role(session, user, identity.role)
        except DomainError:  # the last administrator keeps the role; the trail says nothing
            pass
        else:
            record(
                session,
                actor,
                "user.role_changed",
                now=now,
                target_kind="user",
                target_id=user.id,
                target_label=user.username,
                before=before,
                after=user.role,
            )
    name = identity.display_name.strip()[:128] or user.display_name
    email = identity.email.strip()[:254]
    if email != user.email:
        record(
            session,
            actor,
            "recipients.user_email",
            now=now,
            target_kind="user",
            target_id=user.id,
            target_label=user.username,
            before=user.email,
            after=email,
        )
        user.email = email
    if name != user.display_name:
        record(
            session,
            actor,
            "user.details_changed",
            now=now,
            target_kind="user",
            target_id=user.id,
            target_label=user.username,
            before=user.display_name,
            after=name,
        )
        user.display_name = name
    session.add(user)
    session.flush()


def withdraw(session: Session, user: User, *, now: datetime, actor: Actor) -> bool:
    """Deactivate the account of a person the source no longer allows: their sessions end and
    their API tokens are revoked. False when refused (the last active administrator)."""
    try:
        service.set_active(session, user, False, now=now)
    except DomainError:
        return False
    record(
        session,
        actor,
        "user.deactivated",
        now=now,
        target_kind="user",
        target_id=user.id,
        target_label=user.username,
        reason="not_allowed",
    )
    return True
