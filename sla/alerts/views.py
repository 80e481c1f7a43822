"""The alerts page: the alerts that came due, each with its deliveries (to whom, when, why one
failed) or why it reached nobody, and what of the configuration is missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import Session, col, func, select

from incidents.models import Incident
from sla.alerts.failures import failure_reason, unreachable_reasons, webhook_server
from sla.alerts.models import AlertRecord, Notification
from sla.alerts.setup import mail_server, setup_notices
from sla.config import Settings
from sla.db import utcnow
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import app_zone

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PAGE = 100
OPEN = ("open", "paused")
PERIOD = timedelta(days=30)  # the alerts the page lists: those of the last 30 days
FAILURES_SHOWN_FOR = timedelta(days=7)
# Failed deliveries read to explain the banner's count (the most recent first).
FAILURES_EXPLAINED = 1000


@bp.app_context_processor
def delivery_failures() -> dict[str, Any]:
    """Administrators see on every page how many alerts of the last week could not be sent,
    and how many reached nobody."""
    if not (current_user and current_user.is_authenticated and current_user.can(Role.admin)):
        return {}
    session = db_session()
    since = utcnow() - FAILURES_SHOWN_FOR
    failed = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.status == "failed", col(Notification.created_at) >= since)
    ).one()
    return {"failed_alerts": failed, "unreached_alerts": _unreached(session, since)}


def _unreached(session: Session, since: datetime) -> int:
    """How many alerts recorded since `since` have no delivery at all."""
    delivered = select(Notification.alert_id).where(col(Notification.alert_id).is_not(None))
    return int(
        session.exec(
            select(func.count())
            .select_from(AlertRecord)
            .where(col(AlertRecord.recorded_at) >= since, col(AlertRecord.id).not_in(delivered))
        ).one()
    )


@dataclass(frozen=True)
class Delivery:
    notification: Notification
    reason: str  # why it failed; "" when nothing failed


@dataclass(frozen=True)
class AlertRow:
    """An alert that came due, with its deliveries, or why it reached nobody."""

    alert: AlertRecord
    deliveries: list[Delivery]
    unreachable: list[str]

    @property
    def deadline(self) -> datetime | None:
        """The deadline a target's alert is about (the day of a contract date's is in its
        subject)."""
        value = self.alert.facts.get("deadline")
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @property
    def state(self) -> str:
        """unreached, failed, pending or sent: the worst of its deliveries."""
        if not self.deliveries:
            return "unreached"
        statuses = {d.notification.status for d in self.deliveries}
        for status in ("failed", "pending"):
            if status in statuses:
                return status
        return "sent"


STATES = ("unreached", "failed", "pending", "sent")


def _reasons(settings: Settings) -> Any:
    server = mail_server(settings["smtp"])

    def reason(channel: str, recipient: str, error: str) -> str:
        where = server if channel == "email" else webhook_server(recipient)
        return failure_reason(channel, error, where) if error else ""

    return reason


def _alert_rows(
    session: Session, since: datetime, state: str, settings: Settings
) -> list[AlertRow]:
    """The alerts recorded since `since`, newest first, with their deliveries."""
    alerts = session.exec(
        select(AlertRecord)
        .where(col(AlertRecord.recorded_at) >= since)
        .order_by(col(AlertRecord.recorded_at).desc(), col(AlertRecord.id).desc())
        .limit(PAGE if not state else PAGE * 10)
    ).all()
    ids = [a.id for a in alerts]
    deliveries: dict[int, list[Delivery]] = {}
    reason = _reasons(settings)
    if ids:
        for n in session.exec(
            select(Notification)
            .where(col(Notification.alert_id).in_(ids))
            .order_by(col(Notification.id))
        ):
            deliveries.setdefault(n.alert_id or 0, []).append(
                Delivery(n, reason(n.channel, n.recipient, n.last_error))
            )
    rows = [
        AlertRow(a, deliveries.get(a.id or 0, []), unreachable_reasons(a.unreachable))
        for a in alerts
    ]
    return [row for row in rows if not state or row.state == state][:PAGE]


def _other_messages(
    session: Session, since: datetime, state: str, settings: Settings
) -> list[Delivery]:
    """Digests and report mails of the period: deliveries with no alert behind them."""
    if state == "unreached":
        return []
    reason = _reasons(settings)
    query = select(Notification).where(
        col(Notification.alert_id).is_(None), col(Notification.created_at) >= since
    )
    if state:
        query = query.where(Notification.status == state)
    return [
        Delivery(n, reason(n.channel, n.recipient, n.last_error))
        for n in session.exec(query.order_by(col(Notification.created_at).desc()).limit(PAGE))
    ]


def _state_counts(session: Session, since: datetime) -> dict[str, int]:
    """How many alerts of the period reached nobody, and deliveries by state."""
    counts: dict[str, int] = {
        status: int(n)
        for status, n in session.exec(
            select(Notification.status, func.count())
            .where(col(Notification.created_at) >= since)
            .group_by(Notification.status)
        ).all()
    }
    counts["unreached"] = _unreached(session, since)
    return counts


def _breached_unswept(session: Session, now: datetime) -> int:
    """Open incidents past a deadline while no alert was ever recorded: the sweep has not run."""
    if session.exec(select(AlertRecord.id).limit(1)).first() is not None:
        return 0
    return int(
        session.exec(
            select(func.count())
            .select_from(Incident)
            .where(col(Incident.status).in_(OPEN), col(Incident.breach_at) <= now)
        ).one()
    )


def _failure_reasons(session: Session, now: datetime, settings: Settings) -> list[Any]:
    failed = session.exec(
        select(Notification.channel, Notification.recipient, Notification.last_error)
        .where(
            Notification.status == "failed",
            col(Notification.created_at) >= now - FAILURES_SHOWN_FOR,
        )
        .order_by(col(Notification.created_at).desc())
        .limit(FAILURES_EXPLAINED)
    ).all()
    reason = _reasons(settings)
    return Counter(reason(*row) for row in failed).most_common()


def _since(text: str, now: datetime) -> datetime:
    """The start of the period listed: `since` (a date, local midnight), else 30 days ago."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return now - PERIOD
    return datetime.combine(day, time(0), tzinfo=app_zone())


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    session = db_session()
    settings: Settings = current_app.config["SLA_SETTINGS"]
    now = utcnow()
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    since = _since(request.args.get("since", ""), now)
    return render_template(
        "alerts/index.html",
        rows=_alert_rows(session, since, state, settings),
        others=_other_messages(session, since, state, settings),
        counts=_state_counts(session, since),
        state=state,
        since=since,
        since_day=since.astimezone(app_zone()).date().isoformat(),
        notices=setup_notices(session, settings),
        reasons=_failure_reasons(session, now, settings),
        breached=_breached_unswept(session, now),
    )
