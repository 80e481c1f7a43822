"""The report in the reader's language: the page, its PDF, CSV and XLSX read in English for a
reader of the English interface and in French for a French one; the scheduler archives and
mails it in the application's default language.

The French here is the catalogue's (`translations/fr`): the documents' French must read as it
always did, in the glossary's words (`sla.web.labels`)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.alerts.models import Notification
from sla.db import session_scope
from sla.reports.archive import monthly, produce
from sla.reports.figures import Period
from sla.reports.models import ArchivedReport
from sla.reports.queries import Scope
from sla.reports.text import words
from sla.web.roles import Role
from tests.support import csrf_from, require
from tests.wording.conftest import english_client, visible_text  # noqa: F401 (a fixture)

Client = Callable[[Role], FlaskClient]
OCTOBER = "month=2025-10"

# French words of the application (never of the contracts' own texts, which stay as written:
# severity labels, targets, clauses, incident titles) that an English reader must not meet.
FRENCH = (
    "Rapport",
    "engagements de service",
    "Période",
    "Périmètre",
    "Produit le",
    "Prestataire",
    "Tous les prestataires",
    "Tous les fournisseurs",
    "Synthèse",
    "Gravité",
    "Échéance",
    "Taux de respect",
    "Respectés",
    "Dépassés",
    "Disponibilité",
    "Dernier jour de préavis",
    "Reconduction",
    "octobre",
    "novembre",
    "Aucun",
    "médiane",
    "ouvrée",
    "Forfait",
    "plancher",
    "plafond",
    "par an",
    "€ HT",
    "«",
    "n°",
    "Tendances",
    "engagement non respecté",
)
# Their English counterparts, on the page and in the PDF.
ENGLISH = (
    "SLA report",
    "All vendors",
    "Summary",
    "Vendor",
    "Compliance",
    "Breaches",
    "Last day of notice",
    "Renewal",
    "November 30, 2025",
    "Yearly amount (pro rata)",
    "€5,700.00 excl. tax a year",
    "62.5%",
    "Take-charge",
    "Target compliance (%)",
)


def _french_in(text: str) -> list[str]:
    return [word for word in FRENCH if word in text]


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, every run of spaces one space."""
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [str(pdftotext), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return " ".join(done.stdout.split())


def _csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_report_page_speaks_english_to_an_english_reader(
    english_client: Client,  # noqa: F811
    october: dict[str, Any],
) -> None:
    page = visible_text(
        english_client(Role.agent).get(f"/reports/?{OCTOBER}").get_data(as_text=True)
    )
    assert _french_in(page) == []
    assert [word for word in ENGLISH if word not in page] == []
    assert "SLA report — October 2025" in page
    assert "All vendors. A target counts in the period" in page
    assert "exclusion “Le problème est très complexe" in page  # the clause's own words
    assert "(target “GTR”)" in page


def test_the_report_page_stays_french_for_a_french_reader(
    client_as: Client, october: dict[str, Any]
) -> None:
    page = visible_text(client_as(Role.viewer).get(f"/reports/?{OCTOBER}").get_data(as_text=True))
    assert "Rapport des engagements de service — octobre 2025" in page
    assert "Prestataire" in page and "Taux de respect" in page and "62,5 %" in page
    assert "30 novembre 2025" in page
    assert "Reconduction" in page
    for english in ("SLA report", "October", "Renewal", "excl. tax", "business"):
        assert english not in page, english


def test_the_pdf_downloaded_in_english_is_english(
    english_client: Client,  # noqa: F811
    october: dict[str, Any],
    tmp_path: Path,
) -> None:
    response = english_client(Role.viewer).get(f"/reports/report.pdf?{OCTOBER}")
    assert response.status_code == 200
    assert "sla-report-2025-10.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    assert _french_in(text) == []
    for english in (
        "SLA report Period: October 2025 Scope: All vendors",
        "Targets met",
        "Last day of notice",
        "Compliance over the period: 62.5%.",
        "— commitment not met.",
        "3 incidents reported: Niveau 0 – Bloquant 2",
        "€150.00 excl. tax",
        "Incidents unresolved at the end of the period (1)",
        "Twelve-month trends",
        "Garantie — All vendors — October 2025",
    ):
        assert english in text, english


def test_the_same_pdf_in_french_is_french(
    client_as: Client, october: dict[str, Any], tmp_path: Path
) -> None:
    response = client_as(Role.viewer).get(f"/reports/report.pdf?{OCTOBER}")
    assert "rapport-sla-2025-10.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    for french in (
        "Rapport des engagements de service Période : octobre 2025",
        "Périmètre : Tous les prestataires",
        "Délais respectés",
        "Dernier jour de préavis",
        "Taux de respect des délais sur la période : 62,5 %.",
        "— engagement non respecté.",
        "3 incidents signalés : Niveau 0 – Bloquant 2",
        "150,00 € HT",
        "Incidents non résolus en fin de période (1)",
        "Tendances sur douze mois",
    ):
        assert french in text, french
    for english in ("SLA report", "Period:", "All vendors", "October", "Breaches", "excl. tax"):
        assert english not in text, english
    assert " business" not in text


def test_the_csv_and_xlsx_downloaded_in_english_have_english_headers(
    english_client: Client,  # noqa: F811
    october: dict[str, Any],
) -> None:
    client = english_client(Role.viewer)
    figures = client.get(f"/reports/figures.csv?{OCTOBER}")
    assert "sla-figures-2025-10.csv" in figures.headers["Content-Disposition"]
    assert _csv_header(figures.get_data(as_text=True))[:7] == [
        "Vendor",
        "Contract",
        "Incidents reported",
        "Met",
        "Breaches",
        "Excluded",
        "Compliance (%)",
    ]
    breaches = client.get(f"/reports/breaches.csv?{OCTOBER}").get_data(as_text=True)
    assert _csv_header(breaches) == [
        "Vendor",
        "Contract",
        "Incident",
        "Title",
        "Severity",
        "Target",
        "Article",
        "Deadline (local time)",
        "Milestone at (local time)",
        "Late by (h)",
    ]
    book = load_workbook(io.BytesIO(client.get(f"/reports/report.xlsx?{OCTOBER}").data))
    assert book.sheetnames == ["Summary", "Targets", "Breached targets", "Period"]
    kinds = {row[2] for row in book["Targets"].iter_rows(min_row=2, values_only=True)}
    assert {"Take-charge", "Restoration (GTR)", "First response"} <= kinds
    period = {row[0]: row[1] for row in book["Period"].iter_rows(values_only=True)}
    assert (period["Period"], period["Scope"]) == ("October 2025", "All vendors")
    assert not _french_in(" ".join(str(v) for v in period.values()))


def test_the_csv_in_french_keeps_the_glossary(client_as: Client, october: dict[str, Any]) -> None:
    client = client_as(Role.viewer)
    figures = client.get(f"/reports/figures.csv?{OCTOBER}").get_data(as_text=True)
    assert _csv_header(figures)[:7] == [
        "Prestataire",
        "Contrat",
        "Incidents signalés",
        "Respectés",
        "Dépassés",
        "Exclus",
        "Taux de respect (%)",
    ]
    breaches = client.get(f"/reports/breaches.csv?{OCTOBER}").get_data(as_text=True)
    assert _csv_header(breaches)[4:] == [
        "Gravité",
        "Délai",
        "Article",
        "Échéance (heure locale)",
        "Étape (heure locale)",
        "Retard (h)",
    ]


def test_an_english_reader_archives_in_english(
    english_client: Client,  # noqa: F811
    october: dict[str, Any],
) -> None:
    agent = english_client(Role.agent)
    token = csrf_from(agent, f"/reports/?{OCTOBER}")
    assert agent.post(f"/reports/archive?{OCTOBER}", data={"csrf_token": token}).status_code == 302
    listing = visible_text(agent.get("/reports/archive").get_data(as_text=True))
    assert "October 2025 All vendors" in listing


def _monthly_report(engine: Engine, locale: str) -> ArchivedReport:
    """October's report, archived and mailed by the scheduler on 3 November in `locale`."""
    with session_scope(engine) as session:
        archived = monthly(
            session,
            now=datetime(2025, 11, 3, 7, 0, tzinfo=ZoneInfo("Europe/Paris")),
            settings={"monthly_time": "07:00", "recipients": ["dsi@ville.example"]},
            zone="Europe/Paris",
            base_url="https://garantie.example",
            locale=locale,
        )
        assert archived is not None
        session.expunge(archived)
        return archived


@pytest.mark.parametrize(
    ("locale", "subject", "scope", "counts", "words_read"),
    [
        (
            "en",
            "[Garantie] SLA report — October 2025",
            "All vendors",
            "Breaches",
            ("The SLA report of October 2025 is attached (PDF).", "See:", "Period: October 2025"),
        ),
        (
            "fr",
            "[Garantie] Rapport des engagements de service — octobre 2025",
            "Tous les prestataires",
            "Dépassés",
            (
                "Le rapport des engagements de service pour octobre 2025 est joint (PDF).",
                "Voir",
                "Période : octobre 2025",
            ),
        ),
    ],
)
def test_the_scheduler_archives_and_mails_in_the_language_it_is_given(
    engine: Engine,
    october: dict[str, Any],
    tmp_path: Path,
    locale: str,
    subject: str,
    scope: str,
    counts: str,
    words_read: tuple[str, str, str],
) -> None:
    line, see, period = words_read
    archived = _monthly_report(engine, locale)
    assert archived.scope_label == scope
    assert counts in archived.figures["summary"][0]
    assert period in pdf_text(archived.pdf, tmp_path)
    with session_scope(engine) as session:
        mail = session.exec(select(Notification)).one()
        assert (mail.subject, mail.report_id) == (subject, archived.id)
        assert line in mail.body_text and see in mail.body_text


def test_a_period_that_is_not_a_whole_month_reads_in_each_language() -> None:
    first, last = date(2025, 10, 1), date(2025, 10, 15)
    assert words("en").period_title(first, last) == "from October 1, 2025 to October 15, 2025"
    assert words("fr").period_title(first, last) == "du 1 octobre 2025 au 15 octobre 2025"
    assert words("en").period_title(first, date(2025, 10, 31)) == "October 2025"
    assert words("fr").period_title(first, date(2025, 10, 31)) == "octobre 2025"


def test_produce_defaults_to_french(engine: Engine, october: dict[str, Any]) -> None:
    """The application's default language when none is given (`[app] default_locale`)."""
    october_period = Period.month(2025, 10, "Europe/Paris")
    with session_scope(engine) as session:
        kept = produce(
            session,
            scope=Scope(contract_id=october["libriciel"]),
            period=october_period,
            now=datetime(2025, 11, 20, 12, tzinfo=ZoneInfo("Europe/Paris")),
            made_by_id=None,
        )
        assert kept.scope_label == "Contrat D_2024_0110"
        assert "Prestataire" in kept.figures["breaches"][0]
