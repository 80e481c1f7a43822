"""`sla incidents`: maintenance of the stored summaries; the targets of incidents recorded
before they were stored are filled in once the database is migrated."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from incidents.maintenance import backfill_targets, refresh_incidents
from sla.db import utcnow
from sla.web.commands import engine, migrate, migrated


@migrated.connect
def _store_missing_targets(database: Engine) -> None:
    """Incidents recorded before their targets were stored (revision 0005) get them once. Two
    instances starting together may race on it: the loser's rows are already there."""
    try:
        filled = backfill_targets(
            database, now=utcnow(), alert_settings=current_app.config["SLA_SETTINGS"]["alerts"]
        )
    except IntegrityError:
        filled = 0
    if filled:
        click.echo(f"stored the targets of {filled} earlier incidents", err=True)


@click.group("incidents")
def incidents_group() -> None:
    """Incidents."""


@incidents_group.command("refresh")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Closed incidents too (stored targets are filled in automatically after upgrades).",
)
@with_appcontext
def incidents_refresh(everything: bool) -> None:
    """Recompute the stored summary (next deadline, breach) and targets of open incidents."""
    migrate()
    now = utcnow()
    alert_settings = current_app.config["SLA_SETTINGS"]["alerts"]
    # In batches of a hundred, each committed: the application keeps answering meanwhile.
    refreshed = refresh_incidents(
        engine(), open_only=not everything, now=now, alert_settings=alert_settings
    )
    click.echo(f"{refreshed} {'' if everything else 'open '}incidents refreshed")
