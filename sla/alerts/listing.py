"""What the alerts page reads: the alerts of a period with their deliveries (filtered by
state in the database), how many there are in each state, the other messages (digests,
report mails), and why deliveries failed. Reads only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, not_
from sqlmodel import Session, col, func, select

from incidents.models import OPEN_STATUSES, Incident
from sla.alerts.failures import failure_reason, unreachable_reasons, webhook_server
from sla.alerts.models import AlertRecord, Notification
from sla.alerts.setup import mail_server
from sla.config import Settings

PAGE = 100
FAILURES_SHOWN_FOR = timedelta(days=7)
# Failed deliveries read to explain the failures (the most recent first).
FAILURES_EXPLAINED = 1000
# An alert's state: the worst of its deliveries, or none at all.
STATES = ("unreached", "failed", "pending", "sent")


@dataclass(frozen=True)
class Delivery:
    notification: Notification
    reason: str  # why it failed; "" when nothing failed
    to: str  # where it went, as this reader may see it (a webhook's URL holds its token)


@dataclass(frozen=True)
class AlertRow:
    """An alert that came due, with its deliveries, or why it reached nobody."""

    alert: AlertRecord
    deliveries: list[Delivery]
    unreachable: list[str]

    @property
    def deadline(self) -> datetime | None:
        """The deadline a target's alert is about (a contract date's day is in its subject)."""
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
        return next((s for s in ("failed", "pending") if s in statuses), "sent")


def _delivered(status: str | None = None) -> Any:
    """An alert has a delivery (in `status`, if given)."""
    condition = select(Notification.id).where(col(Notification.alert_id) == AlertRecord.id)
    if status:
        condition = condition.where(Notification.status == status)
    return exists(condition)


def in_state(state: str) -> Any:
    """The SQL condition of an alert's state (see `AlertRow.state`)."""
    if state == "unreached":
        return not_(_delivered())
    if state == "failed":
        return _delivered("failed")
    if state == "pending":
        return _delivered("pending") & not_(_delivered("failed"))
    return _delivered() & not_(_delivered("failed")) & not_(_delivered("pending"))


Reason = Callable[[Notification], str]


def reasons_for(settings: Settings) -> Reason:
    """How a failed delivery's error reads (the mail server or the webhook's host named)."""
    server = mail_server(settings["smtp"])

    def reason(n: Notification) -> str:
        if not n.last_error:
            return ""
        where = server if n.channel == "email" else webhook_server(n.recipient)
        return failure_reason(n.channel, n.last_error, where)

    return reason


def _delivery(n: Notification, reason: Reason, reveal: bool) -> Delivery:
    to = n.recipient if reveal or n.channel != "webhook" else webhook_server(n.recipient)
    return Delivery(n, reason(n), to)


def alert_rows(
    session: Session, *, since: datetime, state: str, settings: Settings, reveal: bool
) -> list[AlertRow]:
    """The alerts recorded since `since` in `state` (any: ""), newest first, with their
    deliveries; `reveal`: webhooks' whole URLs (administrators), else their host."""
    query = select(AlertRecord).where(col(AlertRecord.recorded_at) >= since)
    if state in STATES:
        query = query.where(in_state(state))
    alerts = session.exec(
        query.order_by(col(AlertRecord.recorded_at).desc(), col(AlertRecord.id).desc()).limit(PAGE)
    ).all()
    ids = [a.id for a in alerts]
    deliveries: dict[int, list[Delivery]] = {}
    reason = reasons_for(settings)
    if ids:
        for n in session.exec(
            select(Notification)
            .where(col(Notification.alert_id).in_(ids))
            .order_by(col(Notification.id))
        ):
            deliveries.setdefault(n.alert_id or 0, []).append(_delivery(n, reason, reveal))
    return [
        AlertRow(a, deliveries.get(a.id or 0, []), unreachable_reasons(a.unreachable))
        for a in alerts
    ]


def other_messages(
    session: Session, *, since: datetime, state: str, settings: Settings, reveal: bool
) -> list[Delivery]:
    """Digests and report mails of the period: deliveries with no alert behind them."""
    if state == "unreached":
        return []
    query = select(Notification).where(
        col(Notification.alert_id).is_(None), col(Notification.created_at) >= since
    )
    if state in STATES:
        query = query.where(Notification.status == state)
    reason = reasons_for(settings)
    return [
        _delivery(n, reason, reveal)
        for n in session.exec(query.order_by(col(Notification.created_at).desc()).limit(PAGE))
    ]


def count_in_state(session: Session, since: datetime, state: str) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(AlertRecord)
            .where(col(AlertRecord.recorded_at) >= since, in_state(state))
        ).one()
    )


def state_counts(session: Session, since: datetime) -> dict[str, int]:
    """How many alerts recorded since `since` are in each state."""
    return {state: count_in_state(session, since, state) for state in STATES}


def breached_unswept(session: Session, now: datetime) -> int:
    """Open incidents past a deadline while no alert was ever recorded: the sweep has not run."""
    if session.exec(select(AlertRecord.id).limit(1)).first() is not None:
        return 0
    return int(
        session.exec(
            select(func.count())
            .select_from(Incident)
            .where(col(Incident.status).in_(OPEN_STATUSES), col(Incident.breach_at) <= now)
        ).one()
    )


def failure_reasons(session: Session, now: datetime, settings: Settings) -> list[Any]:
    """Why deliveries failed in the last days, each reason with how many, most first."""
    failed = session.exec(
        select(Notification)
        .where(
            Notification.status == "failed",
            col(Notification.created_at) >= now - FAILURES_SHOWN_FOR,
        )
        .order_by(col(Notification.created_at).desc())
        .limit(FAILURES_EXPLAINED)
    ).all()
    reason = reasons_for(settings)
    return Counter(reason(n) for n in failed).most_common()
