"""The vendor form: an administrator creates and edits a vendor; a wrong SIRET comes back with
its message beside the field, what was typed kept and nothing written; others get 403."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.contracts.models import Vendor
from sla.contracts.siret import BAD_CHECKSUM, BAD_LENGTH, siret_problem
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.support import csrf_from

LIBRICIEL = {
    "name": "Libriciel SCOP",
    "siret": "491 011 698 00033",
    "support_email": "contact@libriciel.coop",
    "support_phone": "04 67 65 96 44",
    "portal_url": "https://www.libriciel.fr/espace-client/",
    "notes": "SCOP SA, Castelnau-le-Lez.\nSupport du lundi au vendredi.",
}


def _error_of(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert match, f"no message beside {field}"
    return html.unescape(match.group(1))


def _french(app: Flask, message: str, **params: object) -> str:
    """The message as the French reader reads it (the catalogue's words)."""
    with app.test_request_context(), force_locale("fr"):
        return str(gettext(message, **params))


def _vendors(engine: Engine) -> list[Vendor]:
    with session_scope(engine) as session:
        return list(session.exec(select(Vendor)))


def test_the_siret_check() -> None:
    assert siret_problem("491 011 698 00033") is None
    assert siret_problem("4910116980003") == BAD_LENGTH
    assert siret_problem("49101169800034") == BAD_CHECKSUM
    assert siret_problem("453874687") == BAD_LENGTH
    assert siret_problem("453874687", siren_allowed=True) is None
    # La Poste: digits summing to a multiple of 5 although the Luhn key is wrong.
    assert siret_problem("35600000000001") is None
    assert siret_problem("35600000000002") == BAD_CHECKSUM
    assert siret_problem("４９１０１１６９８０００３３") is not None  # full-width digits


def test_an_admin_creates_then_edits_a_vendor(
    client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    client = client_as(Role.admin)
    assert 'href="/vendors/new"' in client.get("/vendors/").get_data(as_text=True)
    token = csrf_from(client, "/vendors/new")
    created = client.post("/vendors/new", data={**LIBRICIEL, "csrf_token": token})
    assert created.status_code == 302
    [vendor] = _vendors(engine)
    assert created.headers["Location"].endswith(f"/vendors/{vendor.id}")
    assert vendor.siret == "49101169800033"  # stored without its spaces
    assert vendor.notes == LIBRICIEL["notes"]
    assert vendor.portal_url == LIBRICIEL["portal_url"]
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Libriciel SCOP" in page and f'href="/vendors/{vendor.id}/edit"' in page

    edit_url = f"/vendors/{vendor.id}/edit"
    form = client.get(edit_url).get_data(as_text=True)
    assert 'value="49101169800033"' in form and 'value="contact@libriciel.coop"' in form
    changed = {**LIBRICIEL, "support_phone": "04 67 65 05 88", "siret": ""}
    edited = client.post(edit_url, data={**changed, "csrf_token": csrf_from(client, edit_url)})
    assert edited.status_code == 302
    [vendor] = _vendors(engine)
    assert (vendor.support_phone, vendor.siret) == ("04 67 65 05 88", "")


@pytest.mark.parametrize(
    ("siret", "message", "params"),
    [
        (
            "491 011 698 0003",
            "SIRET: 14 digits are expected (or the 9 of a SIREN); %(count)d given.",
            {"count": 13},
        ),
        ("49101169800034", "SIRET: the check digit is wrong (Luhn key): check the number.", {}),
    ],
)
def test_a_wrong_siret_is_refused_beside_its_field(
    app: Flask,
    client_as: Callable[[Role], FlaskClient],
    engine: Engine,
    siret: str,
    message: str,
    params: dict[str, object],
) -> None:
    client = client_as(Role.admin)
    typed = {**LIBRICIEL, "siret": siret}
    refused = client.post(
        "/vendors/new", data={**typed, "csrf_token": csrf_from(client, "/vendors/new")}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    error = _error_of(page, "siret")
    assert error == _french(app, message, **params)
    assert error.startswith("SIRET")  # it names the field
    assert _vendors(engine) == []
    for name, value in typed.items():  # what was typed comes back
        assert html.escape(value, quote=True) in page or html.escape(value) in page, name


def test_a_name_already_taken_and_a_bad_portal_are_refused(
    app: Flask, client_as: Callable[[Role], FlaskClient], engine: Engine
) -> None:
    with session_scope(engine) as session:
        session.add(Vendor(name="Libriciel SCOP", created_at=utcnow()))
    client = client_as(Role.admin)
    typed = {**LIBRICIEL, "portal_url": "javascript:alert(1)"}
    refused = client.post(
        "/vendors/new", data={**typed, "csrf_token": csrf_from(client, "/vendors/new")}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert _error_of(page, "portal_url") == _french(app, "Portal: an http:// or https:// address.")
    fixed = {**LIBRICIEL, "csrf_token": csrf_from(client, "/vendors/new")}
    taken = client.post("/vendors/new", data=fixed)
    assert taken.status_code == 422
    assert _error_of(taken.get_data(as_text=True), "name") == _french(
        app, "A vendor named %(name)s already exists.", name="Libriciel SCOP"
    )
    assert len(_vendors(engine)) == 1


@pytest.mark.parametrize("role", [Role.viewer, Role.agent])
def test_only_admins_reach_the_vendor_form(
    client_as: Callable[[Role], FlaskClient], engine: Engine, role: Role
) -> None:
    with session_scope(engine) as session:
        vendor = Vendor(name="Gallimedia", created_at=utcnow())
        session.add(vendor)
        session.flush()
        vendor_id = vendor.id
    client = client_as(role)
    assert client.get("/vendors/new").status_code == 403
    assert client.get(f"/vendors/{vendor_id}/edit").status_code == 403
    token = csrf_from(client, "/vendors/")
    assert client.post("/vendors/new", data={**LIBRICIEL, "csrf_token": token}).status_code == 403
    assert 'href="/vendors/new"' not in client.get("/vendors/").get_data(as_text=True)
    page = client.get(f"/vendors/{vendor_id}").get_data(as_text=True)
    assert f'href="/vendors/{vendor_id}/edit"' not in page
    assert [v.name for v in _vendors(engine)] == ["Gallimedia"]
