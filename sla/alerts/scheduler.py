"""The alert rounds: one `tick` (sweep, then deliver) and the daily digest. The scheduler that
runs them (and the monthly report) is `sla.jobs`.

Run once per deployment: `sla scheduler` as its own process, or inside `sla serve`. On
PostgreSQL a transaction-level advisory lock lets only one instance sweep at a time; the
outbox keys and delivery claims keep alerts exactly-once even without it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from incidents.models import OPEN_STATUSES, Incident
from sla.alerts.catch_up import offer_open_breaches
from sla.alerts.delivery import (
    AttachmentSource,
    SmtpTransport,
    Transport,
    WebhookTransport,
    deliver,
    no_attachments,
)
from sla.alerts.language import configured_words
from sla.alerts.messages import Alert, Words, day_of, local
from sla.alerts.outbox import Recipient, flush_outbox, record
from sla.alerts.sweep import sweep_contracts, sweep_incidents
from sla.auth.models import User
from sla.config import Settings
from sla.error_codes import N_

log = logging.getLogger("sla.alerts")
SWEEP_LOCK = 7_301_2026
# A sweep of a layer above alerts (penalty statements), run in the same transaction, under the
# same lock, after the incidents' and contracts': given the session and the instant, it queues
# its alerts, flushes the outbox and returns how many deliveries it recorded.
ExtraSweep = Callable[[Session, datetime], int]


@dataclass(frozen=True)
class TickResult:
    recorded: int
    sent: int
    failed: int
    skipped: bool = False  # another instance holds the sweep lock


def worker_name() -> str:
    """This process's name in delivery claims (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def transports_for(settings: Settings) -> dict[str, Transport]:
    """The mail and webhook transports the configuration describes."""
    return {"email": SmtpTransport.from_settings(settings["smtp"]), "webhook": WebhookTransport()}


def sweep(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    extra_sweeps: Sequence[ExtraSweep] = (),
) -> int | None:
    """Record due alerts in one transaction (the incidents', the contracts', then those of
    `extra_sweeps`); None when another instance is sweeping."""
    alerts = settings["alerts"]
    app = settings["app"]
    words = configured_words(settings)
    with Session(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            locked = session.exec(select(func_try_lock())).one()
            if not locked:
                return None
        recorded = sweep_incidents(
            session,
            now=now,
            settings=alerts,
            base_url=app["base_url"],
            zone=app["timezone"],
            words=words,
        )
        recorded += sweep_contracts(
            session,
            now=now,
            settings=alerts,
            base_url=app["base_url"],
            zone=app["timezone"],
            words=words,
        )
        recorded += offer_open_breaches(session, now=now, settings=alerts, words=words)
        for extra in extra_sweeps:
            recorded += extra(session, now)
        session.commit()
    return recorded


def func_try_lock() -> Any:
    """PostgreSQL: take the sweep's transaction-level advisory lock, if free."""
    return func.pg_try_advisory_xact_lock(SWEEP_LOCK)


def tick(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    worker: str | None = None,
    transports: Mapping[str, Transport] | None = None,
    send: bool = True,
    attachments: AttachmentSource = no_attachments,
    should_stop: Callable[[], bool] = lambda: False,
    extra_sweeps: Sequence[ExtraSweep] = (),
) -> TickResult:
    """One round: record what is due, then deliver what is recorded and due."""
    recorded = sweep(engine, settings, now=now, extra_sweeps=extra_sweeps)
    sent = failed = 0
    if send:
        sent, failed = deliver(
            engine,
            now=now,
            worker=worker or worker_name(),
            transports=transports or transports_for(settings),
            max_attempts=settings["alerts"]["max_attempts"],
            attachments=attachments,
            should_stop=should_stop,
        )
    result = TickResult(recorded or 0, sent, failed, skipped=recorded is None)
    if result.recorded or result.sent or result.failed:
        log.info("alerts tick", extra={"recorded": result.recorded, "sent": sent, "failed": failed})
    return result


def digest_alert(
    breached: Sequence[Incident],
    at_risk: Sequence[Incident],
    *,
    today: date,
    settings: Settings,
    words: Words,
) -> Alert:
    """The digest's message: the delays breached yesterday, the deadlines due today."""
    zone = settings["app"]["timezone"]
    lines = [words(N_("Delays breached yesterday (%(count)s):"), count=len(breached))]
    lines += [
        "  "
        + words(
            N_("#%(incident)s %(title)s — deadline %(deadline)s"),
            incident=i.id,
            title=i.title,
            deadline=local(i.breach_at, zone, words),
        )
        for i in breached
    ] or ["  " + words(N_("none"))]
    lines += ["", words(N_("Due today (%(count)s):"), count=len(at_risk))]
    lines += [
        "  "
        + words(
            N_("#%(incident)s %(title)s — %(target)s at %(deadline)s"),
            incident=i.id,
            title=i.title,
            target=i.next_target,
            deadline=local(i.next_deadline_at, zone, words),
        )
        for i in at_risk
    ] or ["  " + words(N_("none"))]
    return Alert(
        "digest",
        words(N_("[Garantie] Digest of %(date)s"), date=day_of(today, words)),
        tuple(lines),
        f"{settings['app']['base_url'].rstrip('/')}/",
        {"date": today.isoformat()},
    ).worded(words)


def digest(engine: Engine, settings: Settings, *, now: datetime) -> int:
    """Record the daily digest for the DSI head: breached yesterday, at risk today."""
    zone = ZoneInfo(settings["app"]["timezone"])
    today = now.astimezone(zone).date()
    start_today = datetime.combine(today, time(0), tzinfo=zone)
    start_yesterday = start_today - timedelta(days=1)
    end_today = start_today + timedelta(days=1)
    with Session(engine) as session:
        breached = session.exec(
            select(Incident).where(
                col(Incident.breach_at) >= start_yesterday, col(Incident.breach_at) < start_today
            )
        ).all()
        at_risk = session.exec(
            select(Incident).where(
                col(Incident.status).in_(OPEN_STATUSES),
                col(Incident.next_deadline_at) >= now,
                col(Incident.next_deadline_at) < end_today,
            )
        ).all()
        alert = digest_alert(
            breached, at_risk, today=today, settings=settings, words=configured_words(settings)
        )
        recipients = [Recipient("email", a) for a in settings["alerts"]["digest_recipients"]]
        recipients += [
            Recipient("email", u.email)
            for u in session.exec(
                select(User).where(col(User.notify_digest).is_(True), col(User.active).is_(True))
            )
            if u.email
        ]
        record(
            session,
            key=f"digest:{today.isoformat()}",
            alert=alert,
            recipients=recipients,
            now=now,
            webhook_format=settings["alerts"]["webhook_format"],
        )
        recorded = flush_outbox(session)
        session.commit()
    return recorded
