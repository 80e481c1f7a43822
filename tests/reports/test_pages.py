"""The report pages, their downloads, the archive and the outage forms."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sla.outages.models import Outage
from sla.reports.models import ArchivedReport
from sla.web.roles import Role
from tests.support import csrf_from

Client = Callable[[Role], FlaskClient]


def test_report_page_shows_figures_charts_and_downloads(
    client_as: Client, october: dict[str, Any]
) -> None:
    client = client_as(Role.viewer)
    page = client.get("/reports/?month=2025-10")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "octobre 2025" in html
    assert "62,5" in html and "97,8" in html
    assert html.count('<svg class="chart"') == 3 * 5  # three charts for each of the 5 vendors
    assert "Séance inaccessible" in html
    pdf = client.get("/reports/report.pdf?month=2025-10")
    assert pdf.mimetype == "application/pdf"
    assert "octobre 2025" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    xlsx = client.get(f"/reports/report.xlsx?month=2025-10&contract={october['libriciel']}")
    rows = list(load_workbook(io.BytesIO(xlsx.data))["Synthèse"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["D_2024_0110"]
    breaches = client.get("/reports/breaches.csv?month=2025-10").get_data(as_text=True)
    assert breaches.startswith("\ufeffPrestataire;Contrat;Incident")
    assert len(breaches.strip().splitlines()) == 1 + 3
    figures = client.get("/reports/figures.csv?month=2025-10").get_data(as_text=True)
    assert "D_2024_0110;3;5;3;0;62,5;2;4,5;12;25;97,8;98;1" in figures


def test_bad_filters_name_the_field(client_as: Client, october: dict[str, Any]) -> None:
    client = client_as(Role.viewer)
    page = client.get("/reports/?month=2025-13")
    assert page.status_code == 400
    assert 'id="month-error"' in page.get_data(as_text=True)
    page = client.get("/reports/?from=2025-10-31&to=2025-10-01")
    assert page.status_code == 400 and 'id="to-error"' in page.get_data(as_text=True)
    assert client.get("/reports/?vendor=9999").status_code == 400


def test_archive_by_hand_then_download(
    client_as: Client, engine: Engine, october: dict[str, Any]
) -> None:
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/reports/?month=2025-10")
    response = agent.post("/reports/archive?month=2025-10", data={"csrf_token": token})
    assert response.status_code == 302
    with Session(engine) as session:
        archived = session.exec(select(ArchivedReport)).one()
        assert archived.period_start.isoformat() == "2025-10-01" and not archived.scheduled
    listing = agent.get("/reports/archive").get_data(as_text=True)
    assert "octobre 2025" in listing
    assert agent.get(f"/reports/archive/{archived.id}.pdf").data == archived.pdf
    assert agent.get(f"/reports/archive/{archived.id}.xlsx").data == archived.xlsx


def test_outage_form_records_ends_and_cancels(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    contract = contracts["D_2024_0110"]
    token = csrf_from(agent, "/outages/")
    bad = agent.post(
        "/outages/",
        data={
            "csrf_token": token,
            "contract_id": contract,
            "started_at": "2025-10-07T10:00",
            "ended_at": "2025-10-07T09:00",
            "cause": "Hébergement indisponible",
        },
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "ended_at-error" in html and "Hébergement indisponible" in html  # input kept
    with Session(engine) as session:
        assert session.exec(select(Outage)).all() == []
    good = agent.post(
        "/outages/",
        data={
            "csrf_token": token,
            "contract_id": contract,
            "started_at": "2025-10-07T10:00",
            "cause": "Hébergement indisponible",
        },
    )
    assert good.status_code == 302
    with Session(engine) as session:
        outage = session.exec(select(Outage)).one()
        assert outage.ended_at is None
    agent.post(
        f"/outages/{outage.id}/end", data={"csrf_token": token, "ended_at": "2025-10-07T15:30"}
    )
    again = agent.post(
        f"/outages/{outage.id}/end", data={"csrf_token": token, "ended_at": "2025-10-07T18:00"}
    )
    assert again.status_code == 302
    agent.post(f"/outages/{outage.id}/cancel", data={"csrf_token": token, "reason": "doublon"})
    with Session(engine) as session:
        kept = session.get(Outage, outage.id)
        assert kept is not None
        # The end given first stays (never overwritten); the record is cancelled, not deleted.
        assert kept.ended_at is not None and kept.ended_at.hour == 13  # 15:30 Paris = 13:30 UTC
        assert kept.cancelled_at is not None and kept.cancel_reason == "doublon"
    viewer = client_as(Role.viewer)
    assert "doublon" in viewer.get("/outages/").get_data(as_text=True)
