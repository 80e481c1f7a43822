"""The alerts page: what was sent, to whom, when, and delivery failures."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlmodel import col, func, select

from sla.alerts.models import Notification
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PAGE = 100


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
