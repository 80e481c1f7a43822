"""Account services: users, authentication with throttling, API tokens.

Services flush but never commit: the request (or the CLI command) commits once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from sla.auth.models import ApiToken, LoginFailure, User
from sla.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from sla.errors import DomainError
from sla.web.roles import Role

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
TOKEN_PREFIX = "gar_"  # noqa: S105 (a marker, not a secret)
# A throttle per address stops one client from trying many usernames.
ADDRESS_FACTOR = 4


def normalise_username(username: str) -> str:
    """A username as stored: trimmed and lower-case."""
    return username.strip().lower()


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
) -> User:
    """Create an account (DomainError naming the field when refused)."""
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise DomainError(
            _l("2 to 64 characters: lowercase letters, digits, '.', '_' or '-'"), field="username"
        )
    if find_user(session, name) is not None:
        raise DomainError(_l("the username %(name)s is taken", name=name), field="username")
    problem = password_problem(password)
    if problem:
        raise DomainError(_l("password: %(problem)s", problem=problem), field="password")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        email=email.strip(),
        role=role.value,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, *, one_time: bool = False) -> None:
    """Replace the password and end the user's other sessions."""
    problem = password_problem(password)
    if problem:
        raise DomainError(_l("password: %(problem)s", problem=problem), field="password")
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    user.session_version += 1
    session.add(user)
    session.flush()


def set_role(session: Session, user: User, role: Role) -> None:
    """Give a user another role."""
    if user.role_enum is Role.admin and role is not Role.admin:
        _refuse_if_last_admin(session, user)
    user.role = role.value
    session.add(user)
    session.flush()


def set_active(session: Session, user: User, active: bool) -> None:
    """Activate or deactivate a user (deactivating ends their sessions)."""
    if not active and user.role_enum is Role.admin:
        _refuse_if_last_admin(session, user)
    user.active = active
    user.session_version += 1
    session.add(user)
    session.flush()


def _refuse_if_last_admin(session: Session, user: User) -> None:
    admins = session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin.value, col(User.active).is_(True), User.id != user.id)
    ).one()
    if admins == 0:
        raise DomainError(_l("the last active administrator cannot lose that role"), field="role")


@dataclass(frozen=True)
class LoginRefused(Exception):
    """Login failed; `retry_after` is set when the account or address is throttled."""

    retry_after: timedelta | None = None


def _recent_failures(
    session: Session, since: datetime, *, username: str, address: str
) -> tuple[int, int]:
    by_user = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == username, col(LoginFailure.failed_at) >= since)
    ).one()
    by_address = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.remote_addr == address, col(LoginFailure.failed_at) >= since)
    ).one()
    return by_user, by_address


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    remote_addr: str,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
) -> User:
    """Return the user, or raise LoginRefused. Throttled once `max_failures` failed in `lockout`.

    While throttled even the right password is refused, so guessing gains nothing.
    """
    name = normalise_username(username)[:64]
    address = remote_addr[:64]
    since = now - lockout
    by_user, by_address = _recent_failures(session, since, username=name, address=address)
    if by_user >= max_failures or by_address >= max_failures * ADDRESS_FACTOR:
        oldest = session.exec(
            select(func.min(LoginFailure.failed_at)).where(
                col(LoginFailure.failed_at) >= since,
                (LoginFailure.username == name) | (LoginFailure.remote_addr == address),
            )
        ).one()
        retry = (oldest + lockout - now) if oldest else lockout
        raise LoginRefused(retry_after=max(retry, timedelta(seconds=1)))
    user = find_user(session, name)
    if user is None or not user.active or not verify_password(user.password_hash, password):
        session.add(LoginFailure(username=name, remote_addr=address, failed_at=now))
        session.flush()
        raise LoginRefused()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    session.flush()
    return user


def _token_hash(token: str) -> str:
    # Tokens carry 256 random bits: a plain SHA-256 is enough and allows an indexed lookup.
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    session: Session, user: User, *, name: str, now: datetime
) -> tuple[str, ApiToken]:
    """Create a token; return it in clear (shown once) with its record."""
    label = name.strip()
    if not label:
        raise DomainError(_l("give the token a name"), field="name")
    if len(label) > 100:
        raise DomainError(_l("100 characters at most"), field="name")
    if user.id is None:
        raise DomainError(_l("save the user first"), field="user")
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
    return token, record


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The active user a token belongs to, or None; records when it was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(token))).first()
    if record is None or record.revoked_at is not None:
        return None
    user = session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    record.last_used_at = now
    session.add(record)
    session.flush()
    return user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """A user's API tokens, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int, *, now: datetime) -> None:
    """Revoke one of a user's API tokens."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise DomainError(_l("no such token"), field="token")
    if record.revoked_at is None:
        record.revoked_at = now
        session.add(record)
        session.flush()


def ensure_admin(
    session: Session, *, username: str, password: str | None, now: datetime
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
    )
    return user, generated


def list_users(session: Session) -> list[User]:
    """Every account, by username."""
    return list(session.exec(select(User).order_by(User.username)))
