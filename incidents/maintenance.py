"""Maintenance jobs over many incidents: recompute stored summaries, fill in missing stored
targets. They commit in small batches, so that on SQLite an interactive write never waits
behind them for more than a fraction of a second: the lock is held for one batch, then left
free long enough for a waiting writer's busy handler (which retries every 100 ms once it has
waited a little) to take it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from incidents.models import OPEN_STATUSES, Incident, IncidentTarget
from incidents.summary import AlertSettings, refresh_summary

BATCH = 50  # incidents per transaction: ~0.1-0.3 s of lock on a small machine
SQLITE_GAP = 0.12  # seconds between batches on SQLite (PostgreSQL locks rows, not the file)


def _refresh_batches(
    engine: Engine, ids: Sequence[int], *, now: datetime, alert_settings: AlertSettings
) -> int:
    done = 0
    for start in range(0, len(ids), BATCH):
        with Session(engine) as session:
            chunk = ids[start : start + BATCH]
            incidents = session.exec(select(Incident).where(col(Incident.id).in_(chunk))).all()
            for incident in incidents:
                refresh_summary(session, incident, now=now, alert_settings=alert_settings)
            session.commit()
            done += len(incidents)
        if engine.dialect.name == "sqlite":
            time.sleep(SQLITE_GAP)
    return done


def refresh_incidents(
    engine: Engine, *, open_only: bool, now: datetime, alert_settings: AlertSettings
) -> int:
    """Recompute the stored summary and targets of open (or all) incidents, batch by batch.
    Returns how many were refreshed."""
    query = select(Incident.id).order_by(col(Incident.id))
    if open_only:
        query = query.where(col(Incident.status).in_(OPEN_STATUSES))
    with Session(engine) as session:
        ids = [i for i in session.exec(query).all() if i is not None]
    return _refresh_batches(engine, ids, now=now, alert_settings=alert_settings)


def backfill_targets(engine: Engine, *, now: datetime, alert_settings: AlertSettings) -> int:
    """Store the targets of incidents that have none stored (recorded before revision 0005),
    batch by batch. One indexed anti-join when there is nothing to do."""
    missing = select(Incident.id).where(
        ~select(IncidentTarget.incident_id)
        .where(IncidentTarget.incident_id == Incident.id)
        .exists()
    )
    with Session(engine) as session:
        ids = [i for i in session.exec(missing).all() if i is not None]
    return _refresh_batches(engine, ids, now=now, alert_settings=alert_settings)
