"""The home page, the health check and the first JSON API route."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from sla.auth.models import Role
from sla.db import current_revision, head_revision, utcnow
from sla.version import __version__
from sla.web.access import requires_role
from sla.web.dashboard import urgent_rows, vendor_counts
from sla.web.database import db_session, engine

home = Blueprint("home", __name__)
health = Blueprint("health", __name__)


@home.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    now = utcnow()
    rows, total = urgent_rows(db_session(), now=now)
    return render_template(
        "dashboard.html",
        rows=rows,
        total=total,
        counts=vendor_counts(db_session(), now=now),
        now=now,
    )


@home.route("/dashboard/rows")
@requires_role(Role.viewer)
def rows() -> ResponseReturnValue:
    """The dashboard's table body, fetched by static/js/refresh.js to refresh in place."""
    now = utcnow()
    found, total = urgent_rows(db_session(), now=now)
    return render_template("_dashboard_rows.html", rows=found, total=total, now=now)


@health.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Public: database reachable and migrations current (200), else 503. No detail leaks."""
    try:
        current = current_revision(engine())
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    head = head_revision()
    if current != head:
        return jsonify(status="error", database="ok", migrations="pending"), 503
    return jsonify(status="ok", database="ok", migrations="current", version=__version__)
