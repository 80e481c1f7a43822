"""The `sla` command (also `flask --app sla.app`): serve, db, users, demo and the domain tools."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import IntegrityError

from calendars.cli import calendar_group
from sla.app import create_app
from sla.auth import service as accounts
from sla.config import ConfigError
from sla.db import check_connection, current_revision, head_revision, session_scope, upgrade, utcnow
from sla.errors import DomainError
from sla.version import __version__
from sla.web.roles import Role

log = logging.getLogger("sla.cli")


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _engine() -> Any:
    return current_app.extensions["sla.engine"]


def _migrate() -> None:
    from incidents.summary import backfill_targets

    engine = _engine()
    check_connection(engine, current_app.config["SLA_SETTINGS"])
    upgrade(engine)
    # Incidents recorded before their targets were stored (revision 0005) get them once. Two
    # instances starting together may race on it: the loser's rows are already there.
    try:
        with session_scope(engine) as session:
            filled = backfill_targets(
                session, now=utcnow(), alert_settings=current_app.config["SLA_SETTINGS"]["alerts"]
            )
    except IntegrityError:
        filled = 0
    if filled:
        click.echo(f"stored the targets of {filled} earlier incidents", err=True)


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
    _migrate()
    listen_host = host or settings["server"]["host"]
    listen_port = port or settings["server"]["port"]
    click.echo(f"Garantie {__version__} on http://{listen_host}:{listen_port}/", err=True)
    if settings["server"]["scheduler"]:
        from sla.jobs import build_scheduler

        # One waitress process: the scheduler may run inside it ([server] scheduler = false
        # when `sla scheduler` runs on its own, e.g. beside several web workers).
        build_scheduler(_engine(), settings, blocking=False, clock=utcnow).start()
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
    _migrate()
    click.echo(f"database at revision {current_revision(_engine())}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database revision and the latest one."""
    check_connection(_engine(), current_app.config["SLA_SETTINGS"])
    click.echo(f"current: {current_revision(_engine())}  head: {head_revision()}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """(Developers) generate a migration from the models' changes."""
    from alembic import command

    from sla.db import alembic_config

    command.revision(alembic_config(_engine()), message=message, autogenerate=True)


@cli.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.viewer.value,
    show_default=True,
)
@click.option("--name", "display_name", default="", help="Full name.")
@click.option("--email", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(
    username: str, role: str, display_name: str, email: str, password_stdin: bool
) -> None:
    """Create a user. Without --password-stdin a one-time password is printed."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else accounts.generate_password()
    _migrate()
    try:
        with session_scope(_engine()) as session:
            user = accounts.create_user(
                session,
                username=username,
                password=password,
                role=Role(role),
                now=utcnow(),
                display_name=display_name,
                email=email,
                must_change_password=not password_stdin,
            )
            name = user.username
    except DomainError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from None
    click.echo(f"user {name} created with role {role}")
    if not password_stdin:
        click.echo(f"one-time password (to change at first login): {password}")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """List the accounts."""
    with session_scope(_engine()) as session:
        for user in accounts.list_users(session):
            state = "active" if user.active else "deactivated"
            click.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


@users_group.command("ensure-admin")
@with_appcontext
def users_ensure_admin() -> None:
    """Create the first administrator if there is none (password from SLA_ADMIN_PASSWORD,
    else a one-time password printed here)."""
    _migrate()
    username = os.environ.get("SLA_ADMIN_USERNAME", "admin")
    try:
        with session_scope(_engine()) as session:
            created = accounts.ensure_admin(
                session,
                username=username,
                password=os.environ.get("SLA_ADMIN_PASSWORD"),
                now=utcnow(),
            )
    except DomainError as error:
        raise ConfigError(f"SLA_ADMIN_PASSWORD / SLA_ADMIN_USERNAME: {error.message}") from None
    if created is None:
        click.echo("an administrator exists already")
        return
    _user, generated = created
    click.echo(f"administrator {username!r} created")
    if generated:
        click.echo(f"  one-time password: {generated}   (you will choose your own at first login)")


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
    import time

    from sla.demo import load_demo

    _migrate()
    started = time.perf_counter()
    with session_scope(_engine()) as session:
        for line in load_demo(
            session,
            now=utcnow(),
            alert_settings=current_app.config["SLA_SETTINGS"]["alerts"],
            incidents=incidents,
            seed=seed,
        ):
            click.echo(line)
    click.echo(f"done in {time.perf_counter() - started:.1f} s")


@cli.group("contracts")
def contracts_group() -> None:
    """Vendor contracts as TOML documents."""


@contracts_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def contracts_import(path: Path) -> None:
    """Import a contract file or every .toml of a folder. Everything is validated first:
    one problem anywhere and nothing is written (each printed as file:line: message)."""
    from sla.contracts.document import DocumentError
    from sla.contracts.service import contract_files, import_documents, read_documents

    _migrate()
    try:
        documents = read_documents(contract_files(path))
        with session_scope(_engine()) as session:
            outcomes = import_documents(session, documents, now=utcnow())
    except DocumentError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise SystemExit(2) from None
    for outcome in outcomes:
        click.echo(f"{outcome.reference}: {outcome.action} (version {outcome.version})")


@contracts_group.command("export")
@click.option("--reference", help="Only this contract.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one file per contract here.",
)
@with_appcontext
def contracts_export(reference: str | None, output: Path | None) -> None:
    """Print (or write) contracts as TOML documents that `sla contracts import` reads back."""
    from sla.contracts.service import export_contract, list_contracts

    with session_scope(_engine()) as session:
        contracts = [c for c in list_contracts(session) if reference in (None, c.reference)]
        if reference and not contracts:
            raise click.ClickException(f"no contract {reference!r}")
        for contract in contracts:
            text = export_contract(session, contract)
            if output is None:
                click.echo(text)
                continue
            output.mkdir(parents=True, exist_ok=True)
            target = output / f"{contract.reference.replace('/', '-')}.toml"
            target.write_text(text, encoding="utf-8")
            click.echo(f"{contract.reference}: {target}")


@cli.group("incidents")
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
    from incidents.listing import IncidentFilter, list_incidents
    from incidents.summary import refresh_summary

    _migrate()
    now = utcnow()
    alert_settings = current_app.config["SLA_SETTINGS"]["alerts"]
    with session_scope(_engine()) as session:
        rows = list_incidents(
            session, IncidentFilter(open_only=not everything), now=now, limit=None
        )
        for row in rows:
            refresh_summary(session, row.incident, now=now, alert_settings=alert_settings)
    click.echo(f"{len(rows)} {'' if everything else 'open '}incidents refreshed")


@cli.group("reports")
def reports_group() -> None:
    """SLA reports: make one, run the monthly archive."""


@reports_group.command("make")
@click.option("--month", help="YYYY-MM (default: last month).")
@click.option("--from", "first", help="First day, YYYY-MM-DD (with --to).")
@click.option("--to", "last", help="Last day, YYYY-MM-DD.")
@click.option("--vendor", type=int, help="Only this vendor (id).")
@click.option("--contract", type=int, help="Only this contract (id).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write: .pdf, .xlsx or .csv (figures).",
)
@click.option("--archive", is_flag=True, help="Also keep a frozen copy in the archive.")
@with_appcontext
def reports_make(
    month: str | None,
    first: str | None,
    last: str | None,
    vendor: int | None,
    contract: int | None,
    output: Path,
    archive: bool,
) -> None:
    """Write a report for a period and scope."""
    from sla.reports import exports
    from sla.reports.archive import produce
    from sla.reports.filters import read_filters
    from sla.reports.pdf import render_pdf
    from sla.reports.queries import make_report

    settings = current_app.config["SLA_SETTINGS"]
    zone = settings["app"]["timezone"]
    args = {k: v for k, v in {"month": month, "from": first, "to": last}.items() if v}
    args.update({k: str(v) for k, v in {"vendor": vendor, "contract": contract}.items() if v})
    now = utcnow()
    filters = read_filters(args, today=now.astimezone(ZoneInfo(zone)).date(), zone=zone)
    if filters.errors:
        field, message = next(iter(filters.errors.items()))
        raise click.BadParameter(str(message), param_hint=f"--{field}")
    if output.suffix not in (".pdf", ".xlsx", ".csv"):
        raise click.BadParameter("expected a .pdf, .xlsx or .csv file", param_hint="--output")
    _migrate()
    with session_scope(_engine()) as session:
        report = make_report(session, filters.scope, filters.period, as_of=now)
        if output.suffix == ".pdf":
            output.write_bytes(render_pdf(report))
        elif output.suffix == ".xlsx":
            output.write_bytes(exports.to_xlsx(report))
        else:
            output.write_text(
                exports.to_csv(exports.SUMMARY_COLUMNS, exports.summary_rows(report)),
                encoding="utf-8",
            )
        if archive:
            kept = produce(
                session, scope=filters.scope, period=filters.period, now=now, made_by_id=None
            )
            click.echo(f"archived as #{kept.id}")
    click.echo(f"{output} ({filters.period.first} to {filters.period.last})")


@reports_group.command("monthly")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@with_appcontext
def reports_monthly(now_text: str | None) -> None:
    """Archive and mail last month's report if it is due and not archived yet."""
    from sla.jobs import monthly_report, tick

    _migrate()
    settings = current_app.config["SLA_SETTINGS"]
    now = _instant_option(now_text)
    archived = monthly_report(_engine(), settings, now=now)
    if archived is None:
        click.echo("nothing due (not yet the first working day, or already archived)")
        return
    result = tick(_engine(), settings, now=now)
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
    from sla.jobs import build_scheduler, shifted_clock

    clock = shifted_clock(_instant_option(now_text), utcnow) if now_text else utcnow
    _migrate()
    click.echo("alert scheduler running (Ctrl-C to stop)", err=True)
    try:
        build_scheduler(
            _engine(), current_app.config["SLA_SETTINGS"], blocking=True, clock=clock
        ).start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("alert scheduler stopped", err=True)


@cli.group("alerts")
def alerts_group() -> None:
    """Alerts: one tick by hand, the digest."""


def _instant_option(value: str | None) -> Any:
    from datetime import datetime

    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 instant, e.g. 2025-05-05T09:00:00+02:00",
            param_hint="--now",
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            "give an offset, e.g. 2025-05-05T09:00:00+02:00", param_hint="--now"
        )
    return parsed


@alerts_group.command("tick")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@click.option("--no-send", is_flag=True, help="Record due alerts only.")
@with_appcontext
def alerts_tick(now_text: str | None, no_send: bool) -> None:
    """Record the alerts due now, then deliver those recorded."""
    from sla.jobs import tick

    _migrate()
    result = tick(
        _engine(),
        current_app.config["SLA_SETTINGS"],
        now=_instant_option(now_text),
        send=not no_send,
    )
    click.echo(
        f"recorded {result.recorded}, sent {result.sent}, failed {result.failed}"
        + (" (another instance is sweeping)" if result.skipped else "")
    )


@alerts_group.command("digest")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@with_appcontext
def alerts_digest(now_text: str | None) -> None:
    """Record today's digest (it is sent at the next tick)."""
    from sla.alerts.scheduler import digest

    _migrate()
    click.echo(
        f"recorded {digest(_engine(), current_app.config['SLA_SETTINGS'], now=_instant_option(now_text))}"  # noqa: E501
    )


cli.add_command(calendar_group)


def main() -> None:
    try:
        cli.main(prog_name="sla")
    except ConfigError as error:  # raised outside click's own handling
        error.show()
        sys.exit(error.exit_code)
