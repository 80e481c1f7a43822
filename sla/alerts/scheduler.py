"""The alert scheduler: one `tick` (sweep, then deliver), the daily digest, and APScheduler.

Run once per deployment: `sla scheduler` as its own process, or inside `sla serve`. On
PostgreSQL a transaction-level advisory lock lets only one instance sweep at a time; the
outbox keys and delivery claims keep alerts exactly-once even without it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sla.alerts.delivery import SmtpTransport, Transport, WebhookTransport, deliver
from sla.alerts.messages import Alert, local
from sla.alerts.sweep import Recipient, flush_outbox, record, sweep_contracts, sweep_incidents
from sla.auth.models import User
from sla.config import Settings

log = logging.getLogger("sla.alerts")
SWEEP_LOCK = 7_301_2026


@dataclass(frozen=True)
class TickResult:
    recorded: int
    sent: int
    failed: int
    skipped: bool = False  # another instance holds the sweep lock


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def transports_for(settings: Settings) -> dict[str, Transport]:
    return {"email": SmtpTransport.from_settings(settings["smtp"]), "webhook": WebhookTransport()}


def sweep(engine: Engine, settings: Settings, *, now: datetime) -> int | None:
    """Record due alerts in one transaction; None when another instance is sweeping."""
    alerts = settings["alerts"]
    app = settings["app"]
    with Session(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            locked = session.exec(select(func_try_lock())).one()
            if not locked:
                return None
        recorded = sweep_incidents(
            session, now=now, settings=alerts, base_url=app["base_url"], zone=app["timezone"]
        )
        recorded += sweep_contracts(
            session, now=now, settings=alerts, base_url=app["base_url"], zone=app["timezone"]
        )
        session.commit()
    return recorded


def func_try_lock() -> Any:
    from sqlalchemy import func

    return func.pg_try_advisory_xact_lock(SWEEP_LOCK)


def tick(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    worker: str | None = None,
    transports: Mapping[str, Transport] | None = None,
    send: bool = True,
) -> TickResult:
    """One round: record what is due, then deliver what is recorded and due."""
    recorded = sweep(engine, settings, now=now)
    sent = failed = 0
    if send:
        sent, failed = deliver(
            engine,
            now=now,
            worker=worker or worker_name(),
            transports=transports or transports_for(settings),
            max_attempts=settings["alerts"]["max_attempts"],
        )
    result = TickResult(recorded or 0, sent, failed, skipped=recorded is None)
    if result.recorded or result.sent or result.failed:
        log.info("alerts tick", extra={"recorded": result.recorded, "sent": sent, "failed": failed})
    return result


def digest(engine: Engine, settings: Settings, *, now: datetime) -> int:
    """Record the daily digest for the DSI head: breached yesterday, at risk today."""
    from incidents.models import Incident

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
                col(Incident.status).in_(("open", "paused")),
                col(Incident.next_deadline_at) >= now,
                col(Incident.next_deadline_at) < end_today,
            )
        ).all()
        base = settings["app"]["base_url"].rstrip("/")
        lines = [f"Délais dépassés hier ({len(breached)}) :"]
        lines += [
            f"  n° {i.id} {i.title} — échéance {local(i.breach_at, settings['app']['timezone'])}"
            for i in breached
        ] or ["  aucun"]
        lines += ["", f"À échéance aujourd'hui ({len(at_risk)}) :"]
        lines += [
            f"  n° {i.id} {i.title} — {i.next_target} à "
            f"{local(i.next_deadline_at, settings['app']['timezone'])}"
            for i in at_risk
        ] or ["  aucun"]
        alert = Alert(
            "digest",
            f"[Garantie] Synthèse du {today:%d/%m/%Y}",
            tuple(lines),
            f"{base}/",
            {"date": today.isoformat()},
        )
        recipients = [Recipient("email", a) for a in settings["alerts"]["digest_recipients"]]
        recipients += [
            Recipient("email", u.email)
            for u in session.exec(
                select(User).where(col(User.notify_digest).is_(True), col(User.active).is_(True))
            )
            if u.email
        ]
        for recipient in recipients:
            record(
                session,
                key=f"digest:{today.isoformat()}",
                alert=alert,
                recipient=recipient,
                now=now,
                webhook_format=settings["alerts"]["webhook_format"],
            )
        recorded = flush_outbox(session)
        session.commit()
    return recorded


def shifted_clock(start: datetime, clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """A clock that reads `start` now and then advances with `clock`."""
    offset = start - clock()
    return lambda: clock() + offset


def monthly_report(engine: Engine, settings: Settings, *, now: datetime) -> int | None:
    """Archive last month's report when due (idempotent) and record its mails. Returns the
    archived report's id, or None when nothing was due."""
    from sla.reports.archive import monthly

    with Session(engine) as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres and not session.exec(select(func_try_lock())).one():
            return None
        archived = monthly(
            session,
            now=now,
            settings=settings["reports"],
            zone=settings["app"]["timezone"],
            base_url=settings["app"]["base_url"],
        )
        session.commit()
        return archived.id if archived else None


def build_scheduler(
    engine: Engine, settings: Settings, *, blocking: bool, clock: Callable[[], datetime]
) -> Any:
    """An APScheduler 3 scheduler with the tick (every `sweep_seconds`) and the digest (daily
    at `digest_time`, local time). Missed runs are coalesced: the next tick catches up."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    # APScheduler logs every run at INFO; our tick logs what it did when it did something.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    zone = ZoneInfo(settings["app"]["timezone"])
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=zone)
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}

    def run_tick() -> None:
        try:
            tick(engine, settings, now=clock())
        except Exception:
            log.exception("alerts tick failed")

    def run_monthly_report() -> None:
        try:
            if monthly_report(engine, settings, now=clock()) is not None:
                tick(engine, settings, now=clock())
        except Exception:
            log.exception("monthly report failed")

    def run_digest() -> None:
        try:
            digest(engine, settings, now=clock())
            tick(engine, settings, now=clock())
        except Exception:
            log.exception("digest failed")

    hour, minute = (int(part) for part in settings["alerts"]["digest_time"].split(":"))
    scheduler.add_job(
        run_tick,
        IntervalTrigger(seconds=settings["alerts"]["sweep_seconds"]),
        id="tick",
        next_run_time=datetime.now(zone),
        **defaults,
    )
    scheduler.add_job(
        run_digest, CronTrigger(hour=hour, minute=minute, timezone=zone), id="digest", **defaults
    )
    # Daily at the configured time, and once at start (catch-up); the run itself decides
    # whether the first working day has come and whether the month is archived already.
    report_hour, report_minute = (int(p) for p in settings["reports"]["monthly_time"].split(":"))
    scheduler.add_job(
        run_monthly_report,
        CronTrigger(hour=report_hour, minute=report_minute, timezone=zone),
        id="monthly_report",
        next_run_time=datetime.now(zone) + timedelta(seconds=5),
        **defaults,
    )
    return scheduler
