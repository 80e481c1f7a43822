"""The application factory."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from calendars.form_views import bp as calendar_form_bp
from calendars.views import bp as calendars_bp
from incidents import correction_views, list_views  # noqa: F401 (their routes join the incidents pages)
from incidents.dashboard_views import bp as home
from incidents.views import bp as incidents_bp
from sla.alerts.views import bp as alerts_bp
from sla.api import penalties as penalty_api  # noqa: F401 (its routes join the API)
from sla.api.views import bp as api
from sla.audit.views import bp as audit_bp
from sla.auth import login, oidc
from sla.auth.admin_views import bp as users_bp
from sla.auth.oidc_views import bp as oidc_bp
from sla.auth.views import bp as auth_bp
from sla.catalogues import TRANSLATIONS
from sla.config import PROJECT_ROOT, ConfigError, Settings, load_settings
from sla.contracts.form_views import bp as contract_form_bp
from sla.contracts.vendor_views import bp as vendor_forms_bp
from sla.contracts.views import bp as contracts_bp
from sla.db import DATABASE_INT_MAX, is_transient, make_engine
from sla.outages.views import bp as outages_bp
from sla.penalties import action_views, download_views  # noqa: F401 (routes of the blueprint)
from sla.penalties.views import bp as penalties_bp
from sla.reports.views import bp as reports_bp
from sla.version import __version__
from sla.web import access, database, i18n, labels, logs
from sla.web.pages import health

log = logging.getLogger("sla.app")
csrf = CSRFProtect()

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` in routes: ASCII digits up to the database's integer range."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(map, *args, **kwargs)


def _names_an_id_out_of_range(path: str) -> bool:
    return any(
        part.isascii() and part.isdigit() and int(part) > DATABASE_INT_MAX
        for part in path.split("/")
    )


def _secret_key(settings: Settings) -> str:
    configured: str = settings["app"]["secret_key"]
    if configured:
        return configured
    path = settings.instance_path / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # Created readable by its owner only; never in the repository.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key
    except OSError as error:
        raise ConfigError(
            f"[app] secret_key is empty and {path} cannot be written: {error.strerror}"
        ) from None


def create_app(
    test_config: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> Flask:
    """Build the application. `test_config` overrides configuration keys (validated)."""
    settings = load_settings(environ, overrides=test_config)
    logs.configure_logging()
    app = Flask(
        "sla",
        root_path=str(PROJECT_ROOT),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path.resolve()),
    )
    secure = settings["app"]["secure_cookies"]
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SLA_SETTINGS=settings,
        SLA_TRANSLATIONS=Path(TRANSLATIONS),
        SESSION_COOKIE_NAME="garantie_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings["security"]["session_lifetime_hours"]),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        BABEL_DEFAULT_LOCALE=settings["app"]["default_locale"],
        BABEL_DEFAULT_TIMEZONE=settings["app"]["timezone"],
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
    )
    app.extensions["sla.engine"] = make_engine(settings)
    proxies = settings["server"]["trusted_proxies"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    # Ids in URLs are database integers: a larger number is no such record (404), not an
    # overflow in the database (500).
    app.url_map.converters["int"] = DatabaseIntConverter

    logs.init_app(app)
    database.init_app(app)
    access.init_app(app)
    login.init_app(app)
    oidc.init_app(app)
    i18n.init_app(app)
    labels.register(app)
    csrf.init_app(app)
    _register_blueprints(app)
    _register_error_pages(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        return {"app_version": __version__}

    return app


def _register_blueprints(app: Flask) -> None:
    for blueprint in (
        auth_bp,
        oidc_bp,
        users_bp,
        audit_bp,
        home,
        health,
        incidents_bp,
        contracts_bp,
        calendars_bp,
        calendar_form_bp,
        vendor_forms_bp,
        contract_form_bp,
        alerts_bp,
        reports_bp,
        outages_bp,
        penalties_bp,
    ):
        app.register_blueprint(blueprint)
    # The contract form checks its token itself, so that an expired one brings the long form
    # back as typed with a message instead of the error page (sla/contracts/form_views.py).
    csrf.exempt(contract_form_bp)
    # The API takes personal tokens, never a cookie for writes (see access.py): no CSRF there.
    csrf.exempt(api)
    app.register_blueprint(api)


def _register_error_pages(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/error.html", code=400, reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        if code == 405 and _names_an_id_out_of_range(request.path):
            # Werkzeug reports a method mismatch before it converts the id: no such record.
            error, code = NotFound(), 404
        # Keep what the exception says in its headers (`Allow` on a 405, …).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return {"error": error.name}, code, headers
        return render_template("errors/error.html", code=code, reason=None), code, headers

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError) -> Any:
        # SQLite's lock held past the busy timeout by another writer (a long maintenance job),
        # or PostgreSQL going away: the client may retry, it did nothing wrong.
        if not is_transient(error):
            return unexpected(error)
        log.warning("database busy", extra={"detail": str(error.orig)[:200]})
        rolled_back()
        headers = {"Retry-After": "5"}
        if wants_json():
            return {"error": "database busy, retry shortly"}, 503, headers
        return render_template("errors/error.html", code=503, reason="busy"), 503, headers

    def rolled_back() -> None:
        # The request's session may hold a failed flush: the error page reads through it.
        session = g.get("db_session")
        if session is not None:
            session.rollback()

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        # The traceback goes to the log with the request id; the user sees the id only.
        log.exception("unhandled error")
        rolled_back()
        if wants_json():
            return {"error": "internal error", "request_id": g.get("request_id")}, 500
        return render_template("errors/error.html", code=500, reason=None), 500
