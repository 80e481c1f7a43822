"""The scheduled jobs: the alert tick, the daily digest, the monthly report and the directory's
accounts synchronisation, on one APScheduler 3 scheduler. The only module that knows both
alerts and the layers above them: a monthly report is archived by reports and mailed through
the alerts' outbox, with its PDF attached; a penalty statement's letter is mailed with its
PDF, and the penalty procedure's alerts are swept at each tick.

Run once per deployment: `sla scheduler` as its own process, or inside `sla serve`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sla.alerts import scheduler as alerts
from sla.alerts.delivery import Attachment, Transport, release
from sla.alerts.models import Notification
from sla.auth import directory_sync
from sla.auth.ldap_connection import DirectoryUnavailable
from sla.config import Settings
from sla.penalties.alerts import sweep_statements
from sla.penalties.attachments import statement_attachments
from sla.reports.archive import monthly, report_attachments
from sla.reports.pdf import Organisation

log = logging.getLogger("sla.jobs")
# Set when the process is asked to stop: a tick in progress sends no further mail.
stopping = threading.Event()


def attachments(session: Session, notification: Notification) -> list[Attachment]:
    """The files a mail carries: an archived report's PDF, or a penalty letter's (a mail
    refers to one or the other)."""
    return report_attachments(session, notification) + statement_attachments(session, notification)


def tick(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    worker: str | None = None,
    transports: Mapping[str, Transport] | None = None,
    send: bool = True,
) -> alerts.TickResult:
    """One alert round, with the penalty procedure's alerts, whose mails carry the archived
    reports and penalty letters they refer to."""

    def penalties(session: Session, at: datetime) -> int:
        return sweep_statements(session, now=at, settings=settings)

    return alerts.tick(
        engine,
        settings,
        now=now,
        worker=worker,
        transports=transports,
        send=send,
        attachments=attachments,
        should_stop=stopping.is_set,
        extra_sweeps=(penalties,),
    )


def monthly_report(engine: Engine, settings: Settings, *, now: datetime) -> int | None:
    """Archive last month's report when due (idempotent) and record its mails. Returns the
    archived report's id, or None when nothing was due."""
    with Session(engine) as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres and not session.exec(select(alerts.func_try_lock())).one():
            return None
        try:
            archived = monthly(
                session,
                now=now,
                settings=settings["reports"],
                zone=settings["app"]["timezone"],
                base_url=settings["app"]["base_url"],
                locale=settings["app"]["default_locale"],
                organisation=Organisation.from_settings(settings["organisation"]),
            )
            session.commit()
        except IntegrityError:
            # Another scheduler (SQLite has no advisory lock) archived the month first: the
            # unique period kept it once; nothing to do here.
            session.rollback()
            log.info("monthly report archived by another instance")
            return None
        return archived.id if archived else None


def shifted_clock(start: datetime, clock: Callable[[], datetime]) -> Callable[[], datetime]:
    """A clock that reads `start` now and then advances with `clock`."""
    offset = start - clock()
    return lambda: clock() + offset


def stop(engine: Engine) -> int:
    """A clean stop: no further mail from a tick in progress, and what this process claimed
    and did not send given back. Returns how many were given back."""
    stopping.set()
    return release(engine, worker=alerts.worker_name())


def build_scheduler(
    engine: Engine, settings: Settings, *, blocking: bool, clock: Callable[[], datetime]
) -> Any:
    """An APScheduler 3 scheduler with the tick (every `sweep_seconds`), the digest (daily at
    `digest_time`, local time) and the monthly report (daily at `monthly_time` and once at
    start). Missed runs are coalesced: the next tick catches up."""
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
            alerts.digest(engine, settings, now=clock())
            tick(engine, settings, now=clock())
        except Exception:
            log.exception("digest failed")

    def run_directory_sync() -> None:
        try:
            with Session(engine) as session, session.begin():
                outcome = directory_sync.sync(session, settings["ldap"], now=clock())
            if outcome.withdrawn or outcome.refreshed:
                log.info(
                    "directory accounts synchronised",
                    extra={"withdrawn": outcome.withdrawn, "refreshed": outcome.refreshed},
                )
        except DirectoryUnavailable as error:
            log.warning("directory unavailable, accounts not synchronised: %s", error)
        except Exception:
            log.exception("directory synchronisation failed")

    ldap = settings["ldap"]
    if ldap["enabled"] and ldap["sync_minutes"]:
        scheduler.add_job(
            run_directory_sync,
            IntervalTrigger(minutes=ldap["sync_minutes"]),
            id="directory_sync",
            **defaults,
        )

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
