"""Who is signed in: the Flask-Login view of an account, found from a session cookie's id or
from a personal API token, registered with the web's access control."""

from __future__ import annotations

from flask import Flask

from sla.auth import service
from sla.auth.models import User
from sla.db import utcnow
from sla.web import access
from sla.web.database import db_session
from sla.web.roles import Role


class LoginUser:
    """The Flask-Login view of a user. The id carries the session version, so that a
    password change or a deactivation ends the user's other sessions."""

    def __init__(self, user: User) -> None:
        self.user = user

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
        return f"{self.user.id}:{self.user.session_version}"

    @property
    def role(self) -> Role:
        return self.user.role_enum

    def can(self, role: Role | str) -> bool:
        return self.user.role_enum.includes(Role(role))


def session_user(user_id: str) -> LoginUser | None:
    """The user a session cookie names, if still active and in the same session version."""
    raw_id, _, version = user_id.partition(":")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = service.get_user(db_session(), int(raw_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return LoginUser(user)


def token_user(token: str) -> LoginUser | None:
    """The active user a personal API token belongs to (its last use is recorded)."""
    user = service.user_for_token(db_session(), token, now=utcnow())
    return None if user is None else LoginUser(user)


def init_app(app: Flask) -> None:
    """Register the accounts domain's loaders with access control."""
    access.register_loaders(app, session_user=session_user, token_user=token_user)
