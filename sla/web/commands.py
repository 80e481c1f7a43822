"""Plumbing of the `sla` command's subcommands: the database engine, migrations before a
command, and instants given on the command line. Each domain's click group uses it."""

from __future__ import annotations

from datetime import datetime

import click
from blinker import Namespace
from flask import current_app
from sqlalchemy.engine import Engine

from sla.db import check_connection, upgrade, utcnow

_signals = Namespace()

migrated = _signals.signal("database-migrated")
"""Sent with the engine as sender once the schema is current, before a command runs: a domain
fills in what an upgrade left for it to derive (the incidents' stored targets)."""


def engine() -> Engine:
    """The application's database engine."""
    value: Engine = current_app.extensions["sla.engine"]
    return value


def migrate() -> None:
    """Check the database, apply pending migrations, then let the domains catch up."""
    database = engine()
    check_connection(database, current_app.config["SLA_SETTINGS"])
    upgrade(database)
    migrated.send(database)


def instant_option(value: str | None, param_hint: str = "--now") -> datetime:
    """An ISO 8601 instant with its offset from an option (now when not given)."""
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 instant, e.g. 2025-05-05T09:00:00+02:00",
            param_hint=param_hint,
        ) from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            "give an offset, e.g. 2025-05-05T09:00:00+02:00", param_hint=param_hint
        )
    return parsed
