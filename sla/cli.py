"""The `sla` command (also `flask --app sla.app`): serve, db, users, demo and the domain tools."""

from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from calendars.cli import calendar_group
from incidents.cli import incidents_group
from sla.alerts.cli import alerts_group
from sla.app import create_app
from sla.auth.cli import users_group
from sla.auth.ldap_directory import verify_configuration
from sla.config import ConfigError
from sla.contracts.cli import contracts_group
from sla.db import (
    alembic_config,
    check_connection,
    current_revision,
    head_revision,
    session_scope,
    utcnow,
)
from sla.demo import load_demo
from sla.jobs import build_scheduler, monthly_report, shifted_clock, tick
from sla.jobs import stop as stop_jobs
from sla.printing.organisation import Organisation
from sla.reports.cli import reports_group
from sla.version import __version__
from sla.web.commands import engine, instant_option, migrate

log = logging.getLogger("sla.cli")


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
@click.version_option(__version__, "--version", prog_name="sla", message="%(prog)s %(version)s")
def cli() -> None:
    """Garantie: hold IT vendors to their contracts."""


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on (config [server] host).")
@click.option("--port", type=int, default=None, help="Port (config [server] port).")
@with_appcontext
def serve(host: str | None, port: int | None) -> None:
    """Apply pending migrations, then serve the application (waitress)."""
    from waitress import serve as waitress_serve

    settings = current_app.config["SLA_SETTINGS"]
    migrate()
    # The directory answers as configured, or one line naming the key (exit 2).
    verify_configuration(settings["ldap"])
    listen_host = host or settings["server"]["host"]
    listen_port = port or settings["server"]["port"]
    click.echo(f"Garantie {__version__} on http://{listen_host}:{listen_port}/", err=True)
    if settings["server"]["scheduler"]:
        # One waitress process: the scheduler may run inside it ([server] scheduler = false
        # when `sla scheduler` runs on its own, e.g. beside several web workers).
        build_scheduler(engine(), settings, blocking=False, clock=utcnow).start()
    waitress_serve(
        _app(),
        host=listen_host,
        port=listen_port,
        threads=settings["server"]["threads"],
        ident="Garantie",
    )


@cli.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every pending migration."""
    migrate()
    click.echo(f"database at revision {current_revision(engine())}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database revision and the latest one."""
    check_connection(engine(), current_app.config["SLA_SETTINGS"])
    click.echo(f"current: {current_revision(engine())}  head: {head_revision()}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """(Developers) generate a migration from the models' changes."""
    from alembic import command

    command.revision(alembic_config(engine()), message=message, autogenerate=True)


@cli.command("demo")
@click.option(
    "--incidents",
    type=click.IntRange(0, 1_000_000),
    default=None,
    help="Generate this many incidents (default: 300, only into an empty database).",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="Same seed, same day: same data."
)
@with_appcontext
def demo(incidents: int | None, seed: int) -> None:
    """Load the demo data: users, the five example contracts, incidents of the last six months.
    Without --incidents, loading twice changes nothing."""

    migrate()
    started = time.perf_counter()
    settings = current_app.config["SLA_SETTINGS"]
    with session_scope(engine()) as session:
        for line in load_demo(
            session,
            now=utcnow(),
            alert_settings=settings["alerts"],
            incidents=incidents,
            seed=seed,
            organisation=Organisation.from_settings(settings["organisation"]),
            locale=settings["app"]["default_locale"],
        ):
            click.echo(line)
    click.echo(f"done in {time.perf_counter() - started:.1f} s")


@reports_group.command("monthly")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@with_appcontext
def reports_monthly(now_text: str | None) -> None:
    """Archive and mail last month's report if it is due and not archived yet."""
    migrate()
    settings = current_app.config["SLA_SETTINGS"]
    now = instant_option(now_text)
    archived = monthly_report(engine(), settings, now=now)
    if archived is None:
        click.echo("nothing due (not yet the first working day, or already archived)")
        return
    result = tick(engine(), settings, now=now)
    click.echo(f"archived as #{archived}; sent {result.sent} mail(s)")


@cli.command("scheduler")
@click.option(
    "--now",
    "now_text",
    help="Start the scheduler's clock at this instant (ISO 8601 with offset); it then runs "
    "at real speed. For drills and tests.",
)
@with_appcontext
def scheduler_command(now_text: str | None) -> None:
    """Run the alert scheduler in the foreground (one per deployment)."""
    clock = shifted_clock(instant_option(now_text), utcnow) if now_text else utcnow
    migrate()
    click.echo("alert scheduler running (Ctrl-C to stop)", err=True)
    scheduler = build_scheduler(
        engine(), current_app.config["SLA_SETTINGS"], blocking=True, clock=clock
    )

    def terminate(_signal: int, _frame: Any) -> None:
        raise SystemExit(0)

    # SIGTERM (systemd, docker stop) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, terminate)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        released = stop_jobs(engine())
        if scheduler.running:
            scheduler.shutdown(wait=True)  # the mail being sent finishes; no other starts
        released += stop_jobs(engine())
        click.echo(f"alert scheduler stopped ({released} claimed alerts given back)", err=True)


@alerts_group.command("tick")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@click.option("--no-send", is_flag=True, help="Record due alerts only.")
@with_appcontext
def alerts_tick(now_text: str | None, no_send: bool) -> None:
    """Record the alerts due now, then deliver those recorded."""
    migrate()
    result = tick(
        engine(),
        current_app.config["SLA_SETTINGS"],
        now=instant_option(now_text),
        send=not no_send,
    )
    click.echo(
        f"recorded {result.recorded}, sent {result.sent}, failed {result.failed}"
        + (" (another instance is sweeping)" if result.skipped else "")
    )


# Each domain's commands, registered here (the shell knows every domain).
for group in (calendar_group, users_group, contracts_group, incidents_group, reports_group):
    cli.add_command(group)
cli.add_command(alerts_group)


def main() -> None:
    try:
        cli.main(prog_name="sla")
    except ConfigError as error:  # raised outside click's own handling
        error.show()
        sys.exit(error.exit_code)
