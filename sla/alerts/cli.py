"""`sla alerts`: the daily digest by hand (`sla alerts tick` is the jobs module's)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from sla.alerts.scheduler import digest
from sla.web.commands import engine, instant_option, migrate


@click.group("alerts")
def alerts_group() -> None:
    """Alerts: one tick by hand, the digest."""


@alerts_group.command("digest")
@click.option("--now", "now_text", help="Pretend it is this instant (ISO 8601 with offset).")
@with_appcontext
def alerts_digest(now_text: str | None) -> None:
    """Record today's digest (it is sent at the next tick)."""
    migrate()
    click.echo(
        f"recorded {digest(engine(), current_app.config['SLA_SETTINGS'], now=instant_option(now_text))}"  # noqa: E501
    )
