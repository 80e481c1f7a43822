"""The dashboard page: open incidents, most urgent first, and its refreshed rows."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from incidents.dashboard import urgent_rows, vendor_counts
from sla.contracts.due_dates import due_dates
from sla.db import utcnow
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import alert_settings, app_zone, at_risk_ratio

bp = Blueprint("home", __name__)


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    """The dashboard: open incidents, most urgent first, and counters per vendor."""
    now = utcnow()
    rows, total = urgent_rows(db_session(), now=now, at_risk_ratio=at_risk_ratio())
    return render_template(
        "dashboard.html",
        rows=rows,
        total=total,
        counts=vendor_counts(db_session(), now=now),
        contract_dates=due_dates(
            db_session(),
            today=now.astimezone(app_zone()).date(),
            ahead_days=alert_settings()["notice_days"],
        ),
        now=now,
    )


@bp.route("/dashboard/rows")
@requires_role(Role.viewer)
def rows() -> ResponseReturnValue:
    """The dashboard's table body, fetched by static/js/refresh.js to refresh in place."""
    now = utcnow()
    found, total = urgent_rows(db_session(), now=now, at_risk_ratio=at_risk_ratio())
    return render_template("_dashboard_rows.html", rows=found, total=total, now=now)
