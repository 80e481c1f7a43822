"""Access control: every endpoint needs a login except a short public list; roles per view.

Pages use the session cookie (Flask-Login); the JSON API under /api/ also takes a personal
token (`Authorization: Bearer gar_...`). A view declares the least role it needs with
:func:`requires_role`; the tests walk the URL map to check that every endpoint that accepts
a POST declares one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, g, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user

from sla.auth import service
from sla.auth.models import Role, User
from sla.db import utcnow
from sla.web.database import db_session

PUBLIC_ENDPOINTS = frozenset({"auth.login", "health.healthz", "static"})
# Endpoints a user who must change a one-time password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})

F = TypeVar("F", bound=Callable[..., Any])


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


def requires_role(role: Role) -> Callable[[F], F]:
    """Refuse (403) users whose role does not include `role`."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def _is_api() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.session_protection = "basic"
    manager.init_app(app)

    @manager.user_loader
    def load_user(user_id: str) -> LoginUser | None:
        raw_id, _, version = user_id.partition(":")
        if not raw_id.isdigit() or not version.isdigit():
            return None
        user = service.get_user(db_session(), int(raw_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return LoginUser(user)

    @manager.unauthorized_handler
    def unauthorized() -> ResponseReturnValue:
        if _is_api():
            return jsonify(error="authentication required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @app.before_request
    def require_login() -> ResponseReturnValue | None:
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if _is_api():
            header = request.headers.get("Authorization", "")
            if header.startswith("Bearer "):
                user = service.user_for_token(db_session(), header[7:].strip(), now=utcnow())
                if user is None:
                    return jsonify(error="invalid or revoked token"), 401
                # Set for this request only: a token never opens a cookie session.
                g._login_user = LoginUser(user)
                g.authenticated_by_token = True
                return None
            # The session cookie only reads the API: a write needs a token.
            if request.method not in {"GET", "HEAD", "OPTIONS"}:
                return jsonify(error="writes to the API need a personal token"), 401
        if not current_user.is_authenticated:
            refusal: ResponseReturnValue = manager.unauthorized()
            return refusal
        if (
            current_user.user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
        ):
            if _is_api():
                return jsonify(error="change your one-time password first"), 403
            return redirect(url_for("auth.change_password"))
        return None

    @app.context_processor
    def inject_roles() -> dict[str, Any]:
        return {"Role": Role}
