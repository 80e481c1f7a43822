"""Who is signed in: the Flask-Login view of an account, found from a session cookie's id or
from a personal API token, registered with the web's access control."""

from __future__ import annotations

import re

from flask import Flask

from sla.auth import service
from sla.auth.models import User
from sla.db import DATABASE_INT_MAX, utcnow
from sla.web import access
from sla.web.database import db_session
from sla.web.roles import Role

SESSION_ID_RE = re.compile(
    r"(?P<user>\d{1,10}):(?P<version>\d{1,10}):(?P<token>[\w-]{16,128})", re.ASCII
)


class LoginUser:
    """The Flask-Login view of a user.

    Its id, kept in the session cookie, is `user id:session version:session token`. The
    version makes a password change or a deactivation end every session of the user; the
    token names one sign-in session (`user_sessions`), revoked at logout. A user found from
    an API token has no sign-in session (`session_token` None) and an id that opens none.
    """

    def __init__(self, user: User, session_token: str | None = None) -> None:
        self.user = user
        self.session_token = session_token

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_version}:{self.session_token or ''}"

    @property
    def role(self) -> Role:
        return self.user.role_enum

    def can(self, role: Role | str) -> bool:
        return self.user.role_enum.includes(Role(role))


def session_user(user_id: str) -> LoginUser | None:
    """The user a session cookie names: still active, in the same session version, and
    signed in through a session that is not revoked (cookies of a logout open nothing)."""
    match = SESSION_ID_RE.fullmatch(user_id)
    if match is None or int(match["user"]) > DATABASE_INT_MAX:
        return None
    token = match["token"]
    database = db_session()
    user = service.get_user(database, int(match["user"]))
    if user is None or not user.active or user.session_version != int(match["version"]):
        return None
    if service.open_session(database, user, token) is None:
        return None
    return LoginUser(user, token)


def token_user(token: str) -> LoginUser | None:
    """The active user a personal API token belongs to (its last use is noted, at most once
    per `service.LAST_USE_INTERVAL`)."""
    user = service.user_for_token(db_session(), token, now=utcnow())
    return None if user is None else LoginUser(user)


def init_app(app: Flask) -> None:
    """Register the accounts domain's loaders with access control."""
    access.register_loaders(app, session_user=session_user, token_user=token_user)
