"""Downloads speak French and say their charset once: the incident CSV writes the severity's
label, the state and the channel in words; the report's CSV headers use the glossary."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient

from sla.reports import text
from sla.reports.figures import ChangeFact, ContractFact
from sla.web.roles import Role

Client = Callable[[Role], FlaskClient]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_incident_csv_writes_french_labels_states_and_channels(
    demo: datetime, client_as: Client
) -> None:
    response = client_as(Role.viewer).get("/incidents/?format=csv")
    assert response.status_code == 200
    rows = _rows(response.get_data(as_text=True))
    assert rows and list(rows[0])[:4] == ["id", "prestataire", "contrat", "gravité"]
    assert "ticket prestataire" in rows[0]
    states = {r["état"] for r in rows}
    channels = {r["canal"] for r in rows}
    severities = {r["gravité"] for r in rows}
    assert states <= {"ouvert", "en attente de notre part", "résolu", "clos"}
    assert channels <= {"téléphone", "courriel", "portail du prestataire", "autre"}
    assert not states & {"open", "paused", "resolved", "closed"}
    assert not channels & {"phone", "email", "portal"}
    assert "Niveau 0 – Bloquant" in severities or "Niveau 1 – Majeur" in severities
    assert not severities & {"bloquant", "majeur", "serieux", "correctif-securite"}


def test_the_same_csv_in_french_for_a_reader_of_the_english_interface(
    demo: datetime, english_client: Client
) -> None:
    rows = _rows(english_client(Role.viewer).get("/incidents/?format=csv").get_data(as_text=True))
    assert {r["état"] for r in rows} <= {"ouvert", "en attente de notre part", "résolu", "clos"}


def test_csv_downloads_say_their_charset_once(demo: datetime, client_as: Client) -> None:
    client = client_as(Role.viewer)
    month = demo.strftime("%Y-%m")
    for url in (
        "/incidents/?format=csv",
        f"/reports/figures.csv?month={month}",
        f"/reports/breaches.csv?month={month}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url


def test_report_csv_headers_use_the_glossary(demo: datetime, client_as: Client) -> None:
    client = client_as(Role.viewer)
    month = demo.strftime("%Y-%m")
    figures = client.get(f"/reports/figures.csv?month={month}").get_data(as_text=True)
    breaches = client.get(f"/reports/breaches.csv?month={month}").get_data(as_text=True)
    for document in (figures, breaches):
        header = document.removeprefix("\ufeff").splitlines()[0].split(";")
        assert header[0] == "Prestataire"
        assert not {"Fournisseur", "Tenus", "sévérité", "Sévérité"} & set(header)
    assert "Respectés" in figures.splitlines()[0]
    assert "Gravité" in breaches.splitlines()[0]


def test_the_pdf_names_a_requalification_by_the_severities_labels() -> None:
    contract = ContractFact(
        id=1,
        reference="D_2024_0110",
        title="ComElus",
        vendor_id=1,
        vendor="Libriciel SCOP",
        severities=(("bloquant", "Niveau 0 – Bloquant"), ("majeur", "Niveau 1 – Majeur")),
        availability_target=None,
        availability_calendar=None,
        availability_article="",
        yearly_amount_ht=None,
        prices=(),
        periods=None,
        target_labels=(("gtr", "GTR : correctif ou contournement"),),
        clause_texts=(("infrastructure", "Panne de l'infrastructure du client"),),
    )
    at = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
    french, english = text.words("fr"), text.words("en")
    requalified = ChangeFact(1, "requalified", at, before="bloquant", after="majeur")
    assert french.change(contract, requalified) == "Niveau 0 – Bloquant → Niveau 1 – Majeur"
    everything = ChangeFact(1, "exclusion_invoked", at, clause="infrastructure")
    assert french.change(contract, everything) == (
        "exclusion « Panne de l'infrastructure du client » (tous les délais)"
    )
    assert english.change(contract, everything) == (
        "exclusion “Panne de l'infrastructure du client” (all targets)"
    )
    one = ChangeFact(1, "exclusion_invoked", at, clause="infrastructure", target="gtr")
    assert french.change(contract, one).endswith("(délai « GTR : correctif ou contournement »)")
    assert english.change(contract, one).endswith("(target “GTR : correctif ou contournement”)")
