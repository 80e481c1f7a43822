"""The alerts page: the alerts that came due, each with its deliveries (to whom, when, why one
failed) or why it reached nobody, and what of the configuration is missing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, func, select

from sla.alerts import listing
from sla.alerts.messages import TITLES
from sla.alerts.models import Notification
from sla.alerts.setup import setup_notices
from sla.config import Settings
from sla.db import utcnow
from sla.reach import FIRST_DAY, LAST_DAY
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import app_zone

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PERIOD = timedelta(days=30)  # the alerts the page lists by default: those of the last 30 days
# The days a `since` may name (as contract dates: a year like 9999 is a typing mistake).


def _local_day(instant: datetime) -> str:
    return instant.astimezone(app_zone()).date().isoformat()


@bp.app_context_processor
def delivery_failures() -> dict[str, Any]:
    """Administrators see on every page how many alerts of the last week could not be sent,
    and how many reached nobody (the links list them since that day)."""
    if not (current_user and current_user.is_authenticated and current_user.can(Role.admin)):
        return {}
    session = db_session()
    since = utcnow() - listing.FAILURES_SHOWN_FOR
    failed = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == "failed", col(Notification.created_at) >= since)
    ).one()
    return {
        "failed_alerts": failed,
        "unreached_alerts": listing.count_in_state(session, since, "unreached"),
        "alerts_since": _local_day(since),
    }


def _since(text: str, now: datetime) -> datetime:
    """The start of the period listed: `since` (a date, local midnight), else 30 days ago."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return now - PERIOD
    if not FIRST_DAY <= day <= LAST_DAY:
        return now - PERIOD
    return datetime.combine(day, time(0), tzinfo=app_zone())


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    session = db_session()
    settings: Settings = current_app.config["SLA_SETTINGS"]
    now = utcnow()
    state = request.args.get("state", "")
    state = state if state in listing.STATES else ""
    since = _since(request.args.get("since", ""), now)
    reveal = current_user.can(Role.admin)
    return render_template(
        "alerts/index.html",
        rows=listing.alert_rows(
            session, since=since, state=state, settings=settings, reveal=reveal
        ),
        others=listing.other_messages(
            session, since=since, state=state, settings=settings, reveal=reveal
        ),
        counts=listing.state_counts(session, since),
        state=state,
        since=since,
        since_day=_local_day(since),
        notices=setup_notices(session, settings),
        reasons=listing.failure_reasons(session, now, settings),
        breached=listing.breached_unswept(session, now),
        # The alerts' kinds named as their mails' headings are.
        kinds={kind: _(title) for kind, title in TITLES.items()},
    )
