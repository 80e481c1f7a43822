"""Account services: users, authentication with throttling, sign-in sessions, API tokens.

Services flush but never commit: the request (or the CLI command) commits once. The one
exception is the note of an API token's last use, written best-effort on its own connection
(see :func:`user_for_token`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, func, select

from sla.audit.record import SYSTEM, Actor
from sla.audit.record import record as add_to_trail
from sla.auth.models import ApiToken, LoginFailure, User, UserSession
from sla.auth.passwords import (
    hash_password,
    password_problem,
)
from sla.db import BUSY_TIMEOUT_MS
from sla.errors import DomainError
from sla.web.roles import Role

log = logging.getLogger("sla.auth")

# A directory login or an OpenID Connect address may carry "@" and "+" (fullmatch: no newline).
USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,63}")
TOKEN_PREFIX = "gar_"  # noqa: S105 (a marker, not a secret)
TOKEN_NAME_MAX = 100
# An API token's last use is recorded at most this often: a read stays a read.
LAST_USE_INTERVAL = timedelta(minutes=15)


def normalise_username(username: str) -> str:
    """A username as stored: trimmed, in Unicode's compatibility form (NFKC: a fullwidth or
    "mathematical" letter is the letter itself, as directories compare names) and case-folded.
    Every name that reaches the sign-in throttle or an account goes through here first."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def generate_password() -> str:
    """A random one-time password that is easy to read and type."""
    return secrets.token_urlsafe(12)


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def find_user(session: Session, username: str) -> User | None:
    """The user with this username (any case), or None."""
    return session.exec(select(User).where(User.username == normalise_username(username))).first()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    now: datetime,
    display_name: str = "",
    email: str = "",
    must_change_password: bool = False,
    local_account: bool = False,
    actor: Actor = SYSTEM,
) -> User:
    """Create a local account (DomainError naming the field when refused), in the audit trail
    under `actor`."""
    name = normalise_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise DomainError("username.invalid", field="username", name=name)
    if find_user(session, name) is not None:
        raise DomainError("username.taken", field="username", name=name)
    problem = password_problem(password)
    if problem is not None:
        raise problem
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        email=email.strip(),
        role=role.value,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        local_account=local_account,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit_user(session, actor, user, "user.created", now=now, role=user.role, source="local")
    return user


def audit_user(
    session: Session,
    actor: Actor,
    user: User,
    action: str,
    *,
    now: datetime,
    **detail: str | int | bool | None,
) -> None:
    """Put an act on an account in the audit trail."""
    add_to_trail(
        session,
        actor,
        action,
        now=now,
        target_kind="user",
        target_id=user.id,
        target_label=user.username,
        **detail,
    )


def set_password(session: Session, user: User, password: str, *, one_time: bool = False) -> None:
    """Replace the password and end the user's other sessions.

    The user's API tokens are NOT revoked: a token is a credential of its own, not derived
    from the password, and each one is revoked by itself on the account page (an admin
    deactivating the account revokes them all, see :func:`set_active`).
    """
    problem = password_problem(password)
    if problem is not None:
        raise problem
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    user.session_version += 1
    session.add(user)
    session.flush()


def set_role(
    session: Session, user: User, role: Role, *, now: datetime, actor: Actor = SYSTEM
) -> None:
    """Give a user another role (in the audit trail when it changes)."""
    if role is user.role_enum:
        return
    if user.role_enum is Role.admin and role is not Role.admin:
        _refuse_if_last_admin(session, user)
    before = user.role
    user.role = role.value
    session.add(user)
    session.flush()
    audit_user(session, actor, user, "user.role_changed", now=now, before=before, after=user.role)


def set_active(
    session: Session,
    user: User,
    active: bool,
    *,
    now: datetime,
    actor: Actor = SYSTEM,
    by_source: bool = False,
) -> None:
    """Activate or deactivate a user (in the audit trail when it changes).

    Deactivating ends their sessions and revokes their API tokens for good: reactivating the
    account brings neither back (the user signs in again and creates new tokens). `by_source`:
    the directory or the provider withdrew (or gives back) the account, not an administrator;
    only such a withdrawal may the source undo by itself.
    """
    if active == user.active:
        return
    if not active and user.role_enum is Role.admin:
        _refuse_if_last_admin(session, user)
    user.active = active
    user.withdrawn_by_source = by_source and not active
    user.session_version += 1
    session.add(user)
    if not active:
        session.exec(
            update(ApiToken)
            .where(col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None))
            .values(revoked_at=now)
        )
        session.exec(
            update(UserSession)
            .where(col(UserSession.user_id) == user.id, col(UserSession.revoked_at).is_(None))
            .values(revoked_at=now)
        )
    session.flush()
    action = "user.activated" if active else "user.deactivated"
    withdrawn = by_source and not active
    audit_user(session, actor, user, action, now=now, reason="not_allowed" if withdrawn else None)


def update_account(
    session: Session,
    user: User,
    *,
    display_name: str,
    email: str,
    role: Role,
    active: bool,
    local_account: bool,
    now: datetime,
    actor: Actor = SYSTEM,
) -> None:
    """An administrator's edit of an account, each change in the audit trail (DomainError when
    a rule refuses one: the caller rolls back). Only a local account may be marked local."""
    set_display_name(session, user, display_name, now=now, actor=actor)
    local = local_account and user.auth_source == "local"
    if local != user.local_account:
        audit_user(session, actor, user, "user.details_changed", now=now, local_account=local)
    user.local_account = local
    set_email(session, user, email, now=now, actor=actor)
    set_role(session, user, role, now=now, actor=actor)
    set_active(session, user, active, now=now, actor=actor)


def set_display_name(
    session: Session, user: User, display_name: str, *, now: datetime, actor: Actor = SYSTEM
) -> None:
    """The name the person goes by (empty: their username), in the audit trail when it
    changes."""
    name = display_name.strip()[:128] or user.username
    if name != user.display_name:
        audit_user(
            session,
            actor,
            user,
            "user.details_changed",
            now=now,
            before=user.display_name,
            after=name,
        )
        user.display_name = name
        session.add(user)
        session.flush()


def set_email(
    session: Session, user: User, email: str, *, now: datetime, actor: Actor = SYSTEM
) -> None:
    """Where the person's alerts go (empty: nowhere), in the audit trail when it changes."""
    address = email.strip()[:254]
    if address != user.email:
        audit_user(
            session,
            actor,
            user,
            "recipients.user_email",
            now=now,
            before=user.email,
            after=address,
        )
        user.email = address
        session.add(user)
        session.flush()


ALERT_CHOICES = ("warnings", "breaches", "digest")


def set_alert_choices(
    session: Session,
    user: User,
    *,
    warnings: bool,
    breaches: bool,
    digest: bool,
    now: datetime,
    actor: Actor = SYSTEM,
) -> None:
    """Which alerts the person receives by mail, in the audit trail when it changes (kept as
    the keys of ALERT_CHOICES, e.g. "warnings, breaches", or "none")."""
    before = _choices(user)
    user.notify_warnings, user.notify_breaches, user.notify_digest = warnings, breaches, digest
    if _choices(user) != before:
        audit_user(
            session,
            actor,
            user,
            "recipients.user_choices",
            now=now,
            before=before,
            after=_choices(user),
        )
    session.add(user)
    session.flush()


def _choices(user: User) -> str:
    chosen = (user.notify_warnings, user.notify_breaches, user.notify_digest)
    return ", ".join(k for k, on in zip(ALERT_CHOICES, chosen, strict=True) if on) or "none"


def reset_password(session: Session, user: User, *, now: datetime, actor: Actor = SYSTEM) -> str:
    """An administrator gives a local account a one-time password (returned, to show once);
    DomainError for an account the directory or the provider signs in."""
    if user.auth_source != "local":
        raise DomainError("user.external_password", field="password")
    password = generate_password()
    set_password(session, user, password, one_time=True)
    audit_user(session, actor, user, "user.password_reset", now=now)
    return password


def lift_pause(session: Session, user: User, *, now: datetime, actor: Actor = SYSTEM) -> int:
    """Lift a pause on a user's sign-in (see `clear_login_failures`), in the audit trail."""
    forgotten = clear_login_failures(session, user)
    audit_user(session, actor, user, "user.pause_lifted", now=now)
    return forgotten


def _refuse_if_last_admin(session: Session, user: User) -> None:
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin.value, col(User.active).is_(True), User.id != user.id)
    ).one()
    if admins == 0:
        raise DomainError("role.last_admin", field="role", user_id=user.id)


def login_pause(
    session: Session, username: str, *, now: datetime, max_failures: int, lockout: timedelta
) -> timedelta | None:
    """How long sign-in to this account stays paused, or None when it is not.

    An account is paused once `max_failures` logins to it failed within `lockout`, whatever
    the addresses they came from; the pause ends when enough of them have aged out.
    """
    name = normalise_username(username)[:64]
    recent = (LoginFailure.username == name, col(LoginFailure.failed_at) >= now - lockout)
    failures = session.exec(select(func.count()).select_from(LoginFailure).where(*recent)).one()
    if failures < max_failures:
        return None
    # The window holds fewer than `max_failures` once this one (and those before) left it.
    pivot = session.exec(
        select(LoginFailure.failed_at)
        .where(*recent)
        .order_by(col(LoginFailure.failed_at))
        .offset(failures - max_failures)
        .limit(1)
    ).first()
    retry = (pivot + lockout - now) if pivot is not None else lockout
    return max(retry, timedelta(seconds=1))


def clear_login_failures(session: Session, user: User) -> int:
    """Lift a pause on a user's sign-in: forget the failed logins to the account (these are
    a throttle's memory, not evidence). Returns how many were forgotten."""
    result = session.exec(delete(LoginFailure).where(col(LoginFailure.username) == user.username))
    session.flush()
    return int(result.rowcount)


def start_session(session: Session, user: User, *, now: datetime) -> str:
    """Open a sign-in session; return its token (for the session cookie; only its hash is
    stored). The user's sessions revoked earlier are forgotten on the way."""
    if user.id is None:
        raise DomainError("user.unsaved", field="user")
    session.exec(
        delete(UserSession).where(
            col(UserSession.user_id) == user.id, col(UserSession.revoked_at).is_not(None)
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    session.flush()
    return token


def open_session(session: Session, user: User, token: str) -> UserSession | None:
    """The user's sign-in session with this token, unless revoked (or someone else's)."""
    record = session.exec(
        select(UserSession).where(UserSession.token_hash == _token_hash(token))
    ).first()
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return None
    return record


def end_session(session: Session, user: User, token: str, *, now: datetime) -> None:
    """Revoke a sign-in session (logout): its cookie opens nothing afterwards."""
    record = open_session(session, user, token)
    if record is not None:
        record.revoked_at = now
        session.add(record)
        session.flush()


def _token_hash(token: str) -> str:
    # Tokens (API and session) carry 256 random bits: a plain SHA-256 is enough and allows
    # an indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    session: Session, user: User, *, name: str, now: datetime, actor: Actor = SYSTEM
) -> tuple[str, ApiToken]:
    """Create a token; return it in clear (shown once) with its record (in the audit trail)."""
    label = name.strip()
    if not label:
        raise DomainError("token.no_name", field="name")
    if len(label) > TOKEN_NAME_MAX:
        raise DomainError("text.too_long", field="name", max=TOKEN_NAME_MAX)
    if user.id is None:
        raise DomainError("user.unsaved", field="user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id,
        name=label,
        prefix=token[: len(TOKEN_PREFIX) + 6],
        token_hash=_token_hash(token),
        created_at=now,
    )
    session.add(record)
    session.flush()
    _audit_token(session, actor, record, user, "token.created", now=now)
    return token, record


def _audit_token(
    session: Session, actor: Actor, token: ApiToken, owner: User, action: str, *, now: datetime
) -> None:
    add_to_trail(
        session,
        actor,
        action,
        now=now,
        target_kind="token",
        target_id=token.id,
        target_label=token.name,
        prefix=token.prefix,
        owner=owner.username,
    )


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The active user a token belongs to, or None; notes when it was last used.

    A read must not wait on a write: the last use is recorded at most once per
    LAST_USE_INTERVAL, on a connection of its own, and skipped if the database is busy.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if record is None or record.revoked_at is not None:
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    if record.last_used_at is None or now - record.last_used_at >= LAST_USE_INTERVAL:
        bind = session.get_bind()
        _note_token_use(bind if isinstance(bind, Engine) else bind.engine, record, now)
    return user


def _note_token_use(engine: Engine, record: ApiToken, now: datetime) -> bool:
    """Record a token's last use in a short transaction of its own (best-effort: a busy
    database skips it). The condition is repeated in SQL so that concurrent requests write
    once. Returns whether the row was written."""
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Wait a moment at most: a long writer holds the lock, the read goes on.
                connection.exec_driver_sql("PRAGMA busy_timeout=200")
            try:
                result = connection.execute(
                    update(ApiToken)
                    .where(
                        col(ApiToken.id) == record.id,
                        or_(
                            col(ApiToken.last_used_at).is_(None),
                            col(ApiToken.last_used_at) <= now - LAST_USE_INTERVAL,
                        ),
                    )
                    .values(last_used_at=now)
                )
                connection.commit()
            finally:
                if sqlite:  # the connection goes back to the pool with its usual patience
                    connection.rollback()
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except OperationalError as error:
        log.warning("token last use not recorded", extra={"detail": str(error.orig)[:200]})
        return False
    return bool(result.rowcount)


def get_token(session: Session, token_id: int) -> ApiToken | None:
    """The API token with this id (revoked or not), or None."""
    return session.get(ApiToken, token_id)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc())
        )
    )


def revoke_token(
    session: Session, user: User, token_id: int, *, now: datetime, actor: Actor = SYSTEM
) -> ApiToken | None:
    """Revoke one of a user's API tokens; return it (in the audit trail), or None when it was
    revoked already."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise DomainError("token.not_found", field="token", token_id=token_id)
    if token.revoked_at is not None:
        return None
    token.revoked_at = now
    session.add(token)
    session.flush()
    _audit_token(session, actor, token, user, "token.revoked", now=now)
    return token


def ensure_admin(
    session: Session, *, username: str, password: str | None, now: datetime, actor: Actor = SYSTEM
) -> tuple[User, str | None] | None:
    """Create the first administrator when there is none.

    Returns None when an active admin exists; otherwise the new user and, when no password
    was given, the generated one-time password (to print once; it must be changed at login).
    """
    existing = session.exec(
        select(User).where(User.role == Role.admin.value, col(User.active).is_(True))
    ).first()
    if existing is not None:
        return None
    generated = None if password else generate_password()
    user = create_user(
        session,
        username=username,
        password=password or generated or "",
        role=Role.admin,
        now=now,
        display_name="Administrateur",
        must_change_password=generated is not None,
        # It still signs in when the directory does not answer, or once passwords are
        # reserved to local accounts.
        local_account=True,
        actor=actor,
    )
    return user, generated


def list_users(session: Session) -> list[User]:
    """Every account, by username."""
    return list(session.exec(select(User).order_by(User.username)))
