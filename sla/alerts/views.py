"""The alerts page: what was sent, to whom, when, and delivery failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import col, func, select

from sla.alerts.models import Notification
from sla.db import utcnow
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PAGE = 100


FAILURES_SHOWN_FOR = timedelta(days=7)


@bp.app_context_processor
def delivery_failures() -> dict[str, Any]:
    """Administrators see on every page how many alerts of the last week could not be sent."""
    if not (current_user and current_user.is_authenticated and current_user.can(Role.admin)):
        return {}
    since = utcnow() - FAILURES_SHOWN_FOR
    failed = (
        db_session()
        .exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.status == "failed", col(Notification.created_at) >= since)
        )
        .one()
    )
    return {"failed_alerts": failed}


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    session = db_session()
    status = request.args.get("status", "")
    query = select(Notification)
    if status in ("pending", "sent", "failed"):
        query = query.where(Notification.status == status)
    rows = session.exec(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(PAGE)
    ).all()
    counts = dict(
        session.exec(select(Notification.status, func.count()).group_by(Notification.status)).all()
    )
    return render_template("alerts/index.html", rows=rows, counts=counts, status=status)
