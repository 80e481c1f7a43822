"""The acts of administration land in the audit trail, each with who, from where and what
changed: accounts (creation, role, deactivation, address, choices), API tokens, contract
imports and amendments, and a change of a contract's alert recipients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.audit.models import AuditEvent
from sla.auth.models import User
from sla.cli import cli
from sla.db import session_scope
from sla.web.roles import Role
from tests.conftest import EXAMPLES
from tests.support import csrf_from


def _trail(engine: Engine) -> list[AuditEvent]:
    """The trail, without the accounts the fixtures made (their actor is the system)."""
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [event for event in events if event.channel != "system"]


def _acts(engine: Engine, *skip: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.action, e.target_label, e.detail) for e in _trail(engine) if e.action not in skip]


def test_an_administrator_s_acts_on_accounts(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    token = csrf_from(admin, "/admin/users/")
    created = admin.post(
        "/admin/users/",
        data={"username": "marc", "display_name": "Marc", "role": "viewer", "csrf_token": token},
    )
    assert created.status_code == 302
    with session_scope(engine) as session:
        marc = session.exec(select(User).where(User.username == "marc")).one()
    form = {
        "display_name": "Marc Durand",
        "email": "marc@ville.example",
        "role": "agent",
        "csrf_token": csrf_from(admin, f"/admin/users/{marc.id}"),
    }  # "active" left out: unchecked
    assert admin.post(f"/admin/users/{marc.id}", data=form).status_code == 302
    acts = _acts(engine, "signin.success")
    assert acts == [
        ("user.created", "marc", {"role": "viewer", "source": "local"}),
        ("user.details_changed", "marc", {"before": "Marc", "after": "Marc Durand"}),
        ("recipients.user_email", "marc", {"before": "", "after": "marc@ville.example"}),
        ("user.role_changed", "marc", {"before": "viewer", "after": "agent"}),
        ("user.deactivated", "marc", {}),
    ]
    trail = [e for e in _trail(engine) if e.action != "signin.success"]
    assert {(e.actor_name, e.channel, e.remote_addr) for e in trail} == {
        ("user-admin", "web", "127.0.0.1")
    }
    assert {e.target_id for e in trail} == {marc.id}


def test_a_person_s_tokens_address_and_choices(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    viewer = client_as(Role.viewer)
    page = viewer.post(
        "/account/tokens", data={"name": "tableur", "csrf_token": csrf_from(viewer, "/account")}
    )
    assert page.status_code == 201
    token_id = int(re.findall(r"/account/tokens/(\d+)/revoke", page.get_data(as_text=True))[0])
    csrf = csrf_from(viewer, "/account")
    assert (
        viewer.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}).status_code
        == 302
    )
    viewer.post("/account/email", data={"email": "v@ville.example", "csrf_token": csrf})
    viewer.post("/account/notifications", data={"notify_digest": "y", "csrf_token": csrf})
    # The same choices again change nothing and leave no trace.
    viewer.post("/account/notifications", data={"notify_digest": "y", "csrf_token": csrf})
    acts = _acts(engine, "signin.success")
    assert [a[0] for a in acts] == [
        "token.created",
        "token.revoked",
        "recipients.user_email",
        "recipients.user_choices",
    ]
    assert acts[0][1] == "tableur" and str(acts[0][2]["prefix"]).startswith("gar_")
    assert acts[3][2] == {"before": "warnings, breaches", "after": "digest"}


def test_contract_imports_amendments_and_their_recipients(
    app: Flask, engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    source = folder / "aukfood-miramas.toml"
    shutil.copy(EXAMPLES / "aukfood-miramas.toml", source)
    runner = app.test_cli_runner()
    assert runner.invoke(cli, args=["contracts", "import", str(source)]).exit_code == 0
    text = source.read_text()
    text = text.replace(
        "effective_from = 2023-10-01",
        "effective_from = 2024-01-01",
    )
    text += '\n[alerts]\ncontacts = ["dsi@miramas.example"]\n'
    source.write_text(text)
    result = runner.invoke(cli, args=["contracts", "import", str(source)])
    assert result.exit_code == 0, result.output
    # Imported again unchanged: no new version, nothing in the trail.
    assert runner.invoke(cli, args=["contracts", "import", str(source)]).exit_code == 0
    trail = _trail(engine)
    assert [(e.action, e.channel, e.target_kind) for e in trail] == [
        ("contract.imported", "cli", "contract"),
        ("contract.amended", "cli", "contract"),
        ("recipients.contract_contacts", "cli", "contract"),
    ]
    assert trail[0].detail["version"] == 1 and trail[1].detail["version"] == 2
    assert trail[1].detail["effective_from"] == "2024-01-01"
    assert trail[2].detail["before"] == "-; escalate_to_vendor=no"
    assert trail[2].detail["after"] == "dsi@miramas.example; escalate_to_vendor=no"


def test_a_vendor_s_support_address_is_a_recipient(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    vendor = {"name": "Libriciel SCOP", "siret": "", "support_email": "contact@libriciel.coop"}
    created = admin.post(
        "/vendors/new", data={**vendor, "csrf_token": csrf_from(admin, "/vendors/new")}
    )
    assert created.status_code == 302
    edit_url = created.headers["Location"] + "/edit"
    same = {**vendor, "support_phone": "04 67 65 05 88", "csrf_token": csrf_from(admin, edit_url)}
    assert admin.post(edit_url, data=same).status_code == 302  # the address is unchanged
    moved = {**vendor, "support_email": "support@libriciel.coop"}
    assert admin.post(edit_url, data={**moved, "csrf_token": same["csrf_token"]}).status_code == 302
    acts = _acts(engine, "signin.success")
    assert acts == [
        (
            "recipients.vendor_address",
            "Libriciel SCOP",
            {"before": "", "after": "contact@libriciel.coop"},
        ),
        (
            "recipients.vendor_address",
            "Libriciel SCOP",
            {"before": "contact@libriciel.coop", "after": "support@libriciel.coop"},
        ),
    ]
