"""Files served for download carry their name as RFC 6266 / 5987 want it, whatever it holds."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.contracts.document import read_contract_text
from sla.contracts.models import Contract
from sla.contracts.service import import_documents
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.conftest import EXAMPLES


def test_a_contract_reference_outside_latin_1_downloads_under_its_name(
    engine: Engine, client_as: Callable[[Role], FlaskClient]
) -> None:
    text = (EXAMPLES / "operis-oxalis.toml").read_text(encoding="utf-8")
    reference = "MAIRIE—ŒUVRE-2025"
    renamed = text.replace('reference = "2025CM0417"', f'reference = "{reference}"', 1)
    assert renamed != text
    with session_scope(engine) as session:
        import_documents(session, [("x.toml", read_contract_text(renamed, "x.toml"))], now=utcnow())
    client = client_as(Role.viewer)
    page = client.get("/vendors/")
    assert page.status_code == 200
    with session_scope(engine) as session:
        contract_id = session.exec(select(Contract.id).where(Contract.reference == reference)).one()
    response = client.get(f"/contracts/{contract_id}/export.toml")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''MAIRIE%E2%80%94%C5%92UVRE-2025.toml" in disposition
    assert "\n" not in disposition and "\r" not in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert reference in response.get_data(as_text=True)
