"""Tables of users, their sign-in sessions, personal API tokens and failed logins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime
from sla.web.roles import Role


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=128)
    email: str = Field(default="", max_length=254)
    role: str = Field(default=Role.viewer.value, max_length=16)
    # "!" for an account signed in by the directory or OpenID Connect: no password opens it.
    password_hash: str = Field(max_length=255)
    # Who checks the sign-in: "local" (the password above), "ldap" or "oidc".
    auth_source: str = Field(default="local", max_length=8)
    # The directory's DN, or OpenID Connect's "issuer sub": the person behind the account.
    external_id: str | None = Field(default=None, max_length=512, index=True)
    # A local account marked as such may sign in with its password even when
    # [security] password_login = "marked" (the first administrator, a break-glass account).
    local_account: bool = Field(default=False)
    # Deactivated because the directory or the provider no longer allows the person (not by
    # an administrator): the source may give the account back when it allows them again.
    withdrawn_by_source: bool = Field(default=False)
    active: bool = Field(default=True)
    must_change_password: bool = Field(default=False)
    locale: str | None = Field(default=None, max_length=8)
    # What the user chooses to receive by email.
    notify_warnings: bool = Field(default=True)
    notify_breaches: bool = Field(default=True)
    notify_digest: bool = Field(default=False)
    # Bumped on password change or deactivation: invalidates every open session.
    session_version: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class UserSession(SQLModel, table=True):
    """One sign-in from a browser, opened at login and revoked at logout.

    The session cookie carries a random token; only its SHA-256 is kept here, so that a
    cookie captured before a logout opens nothing afterwards.
    """

    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API. Only its SHA-256 is kept; the token is shown once."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class LoginFailure(SQLModel, table=True):
    """One failed login, kept to throttle guessing (per account, see `service.authenticate`)."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    remote_addr: str = Field(max_length=64, index=True)
    failed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
