"""`sla contracts`: contracts as TOML documents from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from sla.audit.record import command_line
from sla.contracts.document import DocumentError
from sla.contracts.service import (
    contract_files,
    export_contract,
    import_documents,
    list_contracts,
    read_documents,
)
from sla.db import session_scope, utcnow
from sla.web.commands import engine, migrate


@click.group("contracts")
def contracts_group() -> None:
    """Vendor contracts as TOML documents."""


@contracts_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def contracts_import(path: Path) -> None:
    """Import a contract file or every .toml of a folder. Everything is validated first:
    one problem anywhere and nothing is written (each printed as file:line: key: message, in
    English like the rest of the command's output)."""
    migrate()
    try:
        documents = read_documents(contract_files(path))
        with session_scope(engine()) as session:
            outcomes = import_documents(session, documents, now=utcnow(), actor=command_line())
    except DocumentError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
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
    with session_scope(engine()) as session:
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
