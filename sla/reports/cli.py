"""`sla reports make`: a report for a period and scope, as a file."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from sla.db import session_scope, utcnow
from sla.reports import exports
from sla.reports.archive import produce
from sla.reports.filters import read_filters
from sla.reports.pdf import Organisation, render_pdf
from sla.reports.queries import make_report
from sla.web.commands import engine, migrate


@click.group("reports")
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
@click.option(
    "--locale",
    type=click.Choice(["fr", "en"]),
    help="The report's language (default: [app] default_locale).",
)
@with_appcontext
def reports_make(
    month: str | None,
    first: str | None,
    last: str | None,
    vendor: int | None,
    contract: int | None,
    output: Path,
    archive: bool,
    locale: str | None,
) -> None:
    """Write a report for a period and scope."""
    settings = current_app.config["SLA_SETTINGS"]
    zone = settings["app"]["timezone"]
    locale = locale or settings["app"]["default_locale"]
    args = {k: v for k, v in {"month": month, "from": first, "to": last}.items() if v}
    args.update({k: str(v) for k, v in {"vendor": vendor, "contract": contract}.items() if v})
    now = utcnow()
    filters = read_filters(args, today=now.astimezone(ZoneInfo(zone)).date(), zone=zone)
    if filters.errors:
        field, message = next(iter(filters.errors.items()))
        raise click.BadParameter(str(message), param_hint=f"--{field}")
    if output.suffix not in (".pdf", ".xlsx", ".csv"):
        raise click.BadParameter("expected a .pdf, .xlsx or .csv file", param_hint="--output")
    organisation = Organisation.from_settings(settings["organisation"])
    migrate()
    with session_scope(engine()) as session:
        report = make_report(session, filters.scope, filters.period, as_of=now)
        if output.suffix == ".pdf":
            output.write_bytes(render_pdf(report, locale, organisation))
        elif output.suffix == ".xlsx":
            output.write_bytes(exports.to_xlsx(report, locale))
        else:
            output.write_text(exports.figures_csv(report, locale), encoding="utf-8")
        if archive:
            kept = produce(
                session,
                scope=filters.scope,
                period=filters.period,
                now=now,
                made_by_id=None,
                locale=locale,
                organisation=organisation,
            )
            click.echo(f"archived as #{kept.id}")
    click.echo(f"{output} ({filters.period.first} to {filters.period.last})")
