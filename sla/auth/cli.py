"""`sla users`: accounts from the command line."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from sla.audit.record import command_line
from sla.auth import directory_sync
from sla.auth import service as accounts
from sla.auth.ldap_connection import DirectoryUnavailable
from sla.auth.models import User
from sla.config import ConfigError
from sla.db import DATABASE_INT_MAX, session_scope, utcnow
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
@click.option(
    "--local",
    "local_account",
    is_flag=True,
    help="Mark it a local account: its password works even when [security] password_login = "
    '"marked".',
)
@with_appcontext
def users_create(
    username: str,
    role: str,
    display_name: str,
    email: str,
    password_stdin: bool,
    local_account: bool,
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
                local_account=local_account,
                actor=command_line(),
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
                actor=command_line(),
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


@users_group.group("token")
def token_group() -> None:
    """Personal API tokens (each shown once, at creation)."""


def _user_named(session: Session, username: str) -> User:
    user = accounts.find_user(session, username)
    if user is None:
        raise click.ClickException(f"USER: no account named {username!r}")
    return user


@token_group.command("create")
@click.argument("username")
@click.option("--name", "token_name", required=True, help="What the token is for.")
@with_appcontext
def token_create(username: str, token_name: str) -> None:
    """Create a token for USER and print it, once (only its hash is kept)."""
    migrate()
    try:
        with session_scope(engine()) as session:
            user = _user_named(session, username)
            if not user.active:
                raise click.ClickException(f"USER: {user.username!r} is deactivated")
            token, created = accounts.create_api_token(
                session, user, name=token_name, now=utcnow(), actor=command_line()
            )
    except DomainError as error:
        raise click.ClickException(f"--{error.field}: {error.message}") from None
    click.echo(token)
    click.echo(
        "shown once: store it now (Authorization: Bearer <token>); revoke it with "
        f"`sla users token revoke {created.id}`",
        err=True,
    )


@token_group.command("list")
@click.argument("username", required=False)
@with_appcontext
def token_list(username: str | None) -> None:
    """List the tokens (of USER, or of everyone): id, owner, name, prefix, created, last
    used, revoked."""
    migrate()
    with session_scope(engine()) as session:
        users = [_user_named(session, username)] if username else accounts.list_users(session)
        for user in users:
            for token in accounts.tokens_of(session, user):
                used = token.last_used_at.isoformat() if token.last_used_at else "-"
                revoked = token.revoked_at.isoformat() if token.revoked_at else "-"
                click.echo(
                    f"{token.id}\t{user.username}\t{token.name}\t{token.prefix}…\t"
                    f"{token.created_at.isoformat()}\t{used}\t{revoked}"
                )


@token_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1, DATABASE_INT_MAX))
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke the token TOKEN_ID (from `sla users token list`): it opens nothing afterwards."""
    migrate()
    with session_scope(engine()) as session:
        token = accounts.get_token(session, token_id)
        if token is None:
            raise click.ClickException(f"TOKEN_ID: no token {token_id}")
        owner = accounts.get_user(session, token.user_id)
        revoked = (
            None
            if owner is None
            else accounts.revoke_token(session, owner, token_id, now=utcnow(), actor=command_line())
        )
    click.echo(f"token {token_id} revoked" if revoked else f"token {token_id} was revoked already")


@users_group.command("sync")
@with_appcontext
def users_sync() -> None:
    """Ask the directory about every account it made: deactivate those gone or out of every
    mapped group, refresh the others' role, name and address (the scheduler does it every
    [ldap] sync_minutes)."""
    section = current_app.config["SLA_SETTINGS"]["ldap"]
    if not section["enabled"]:
        raise click.ClickException("[ldap] enabled is false: there is no directory to ask")
    migrate()
    try:
        with session_scope(engine()) as session:
            outcome = directory_sync.sync(session, section, now=utcnow())
    except DirectoryUnavailable as error:
        raise click.ClickException(f"[ldap] {error.key}: {error}") from None
    click.echo(
        f"{outcome.checked} directory account(s) checked, {outcome.withdrawn} deactivated, "
        f"{outcome.refreshed} refreshed"
    )
