"""`sla users`: accounts from the command line."""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext

from sla.auth import service as accounts
from sla.config import ConfigError
from sla.db import session_scope, utcnow
from sla.errors import DomainError
from sla.web.commands import engine, migrate
from sla.web.roles import Role


@click.group("users")
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
    migrate()
    try:
        with session_scope(engine()) as session:
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
    with session_scope(engine()) as session:
        for user in accounts.list_users(session):
            state = "active" if user.active else "deactivated"
            click.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


@users_group.command("ensure-admin")
@with_appcontext
def users_ensure_admin() -> None:
    """Create the first administrator if there is none (password from SLA_ADMIN_PASSWORD,
    else a one-time password printed here)."""
    migrate()
    username = os.environ.get("SLA_ADMIN_USERNAME", "admin")
    try:
        with session_scope(engine()) as session:
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
