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

from flask import Flask, abort, current_app, g, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user

from sla.web.roles import Role

# The accessibility statement is public by law (RGAA): anyone may read it, signed in or not.
# OpenID Connect's two steps come before a session exists (the provider's return included).
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "oidc.start",
        "oidc.callback",
        "health.healthz",
        "health.accessibility",
        "static",
    }
)
# Endpoints a user who must change a one-time password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "static"})

F = TypeVar("F", bound=Callable[..., Any])
# Finds the signed-in user of a bearer token (registered by the accounts domain).
TokenLoader = Callable[[str], Any | None]
TOKEN_LOADER = "sla.token_loader"  # noqa: S105 (an extension key, not a secret)


def _no_token_user(_token: str) -> None:
    return None


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


def current_user_id() -> int | None:
    """The id of the person signed in (by session or token), for the records they make."""
    user_id: int | None = current_user.user.id
    return user_id


def _is_api() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Require a login on every endpoint but the public ones. Who a session or a token
    belongs to is the accounts domain's answer: it registers both loaders
    (:func:`register_loaders`)."""
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.session_protection = "basic"
    manager.init_app(app)
    app.extensions[TOKEN_LOADER] = _no_token_user

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
                loader: TokenLoader = current_app.extensions[TOKEN_LOADER]
                principal = loader(header[7:].strip())
                if principal is None:
                    return jsonify(error="invalid or revoked token"), 401
                # Set for this request only: a token never opens a cookie session.
                g._login_user = principal
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
            # The page asked for, to return to once the password is changed (home: implied).
            wanted = request.method == "GET" and request.path != "/"
            asked = request.full_path.rstrip("?") if wanted else None
            return redirect(url_for("auth.change_password", next=asked))
        return None

    @app.context_processor
    def inject_roles() -> dict[str, Any]:
        return {"Role": Role}


def register_loaders(
    app: Flask, *, session_user: Callable[[str], Any | None], token_user: TokenLoader
) -> None:
    """Tell access control who a session cookie's id and a bearer token belong to. The
    object returned must offer `is_authenticated`, `is_active`, `get_id()`, `can(role)` and
    `user` (with `must_change_password`, `locale` and `id`)."""
    manager: LoginManager = app.login_manager  # type: ignore[attr-defined]
    manager.user_loader(session_user)
    app.extensions[TOKEN_LOADER] = token_user
