"""The report's figures for a month built by hand (see `october` in conftest for the sums)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from incidents.models import Incident
from incidents.service import record_event
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.reports.archive import produce
from sla.reports.exports import to_xlsx
from sla.reports.figures import ContractReport, Period, Report, percentile
from sla.reports.models import ArchivedReport
from sla.reports.pdf import render_pdf
from sla.reports.queries import Scope, make_report
from sla.reports.text import words
from tests.reports.conftest import NOW
from tests.support import ALERTS

OCTOBER = Period.month(2025, 10, "Europe/Paris")
HOUR = 3600.0


ALL = Scope()


def report_of(engine: Engine, scope: Scope = ALL, period: Period = OCTOBER) -> Report:
    with session_scope(engine) as session:
        return make_report(session, scope, period, as_of=NOW)


def section(report: Report, reference: str) -> ContractReport:
    return next(c for c in report.contracts if c.contract.reference == reference)


def test_month_figures_match_the_hand_count(engine: Engine, october: dict[str, Any]) -> None:
    ids = october["ids"]
    report = report_of(engine)
    libriciel = section(report, "D_2024_0110")
    assert libriciel.reported == 3
    assert dict(libriciel.by_severity)["Niveau 0 – Bloquant"] == 2  # D requalified
    assert dict(libriciel.by_severity)["Niveau 1 – Majeur"] == 1
    kinds = {k.kind: (k.met, k.breached, k.excluded) for k in libriciel.kinds}
    assert kinds == {
        "take_charge": (2, 1, 0),
        "restoration": (1, 2, 0),
        "resolution": (2, 0, 0),  # B met thanks to its pause; D's counts in November
    }
    assert libriciel.compliance == pytest.approx(62.5)
    assert libriciel.take_charge.count == 3
    assert libriciel.take_charge.median == pytest.approx(2 * HOUR)
    assert libriciel.take_charge.p90 == pytest.approx(4.5 * HOUR)
    assert libriciel.restoration.median == pytest.approx(12 * HOUR)
    assert libriciel.restoration.p90 == pytest.approx(25 * HOUR)
    breaches = [(b.incident_id, b.target, b.lateness_seconds) for b in libriciel.breaches]
    assert breaches == [
        (ids["B"], "GTR : correctif ou contournement", pytest.approx(1 * HOUR)),
        (ids["D"], "Prise en compte", pytest.approx(0.5 * HOUR)),
        (ids["D"], "GTR : correctif ou contournement", pytest.approx(4 * HOUR)),
    ]
    assert [o.incident_id for o in libriciel.open_at_end] == [ids["D"]]
    assert [(c.incident_id, c.before, c.after, c.reason) for c in libriciel.requalifications] == [
        (ids["D"], "majeur", "bloquant", "Tous les élus")
    ]
    availability = libriciel.availability
    assert availability is not None
    assert availability.open_seconds == pytest.approx(161 * HOUR)
    assert availability.down_seconds == pytest.approx(3.5 * HOUR)
    assert availability.measured_percent == pytest.approx(100 * (161 - 3.5) / 161)
    assert availability.met is False
    assert len(libriciel.outages) == 2  # the cancelled one is not there

    aukfood = section(report, "MIRAMAS-AUKFOOD-2023")
    kinds = {k.kind: (k.met, k.breached, k.excluded) for k in aukfood.kinds}
    # The GTI is a first response ("Une première réponse sera apportée au client"): met by
    # the intervention that answered E and F.
    assert kinds == {"first_response": (2, 0, 0), "restoration": (1, 0, 1)}
    assert [(c.incident_id, c.clause, c.target) for c in aukfood.exclusions] == [
        (ids["E"], "tres-complexe", "gtr")
    ]
    money = {(m.kind, m.label): (m.count, m.amount_ht) for m in aukfood.money}
    assert money["yearly", ""] == (31, Decimal("484.11"))  # 5,700 × 31 / 365
    assert money["floor", "Ticket d'intervention (mission 2)"] == (1, Decimal("25.00"))
    assert money["ceiling", "Ticket d'intervention (mission 2)"] == (6, Decimal("150.00"))
    french = [words("fr").money_line(m)[0] for m in aukfood.money]
    assert french == [
        "Forfait annuel (prorata)",
        "Ticket d'intervention (mission 2) — plancher",
        "Ticket d'intervention (mission 2) — plafond",
    ]


def test_an_incident_spanning_two_months_counts_each_target_once(
    engine: Engine, october: dict[str, Any]
) -> None:
    november = report_of(
        engine, Scope(contract_id=october["libriciel"]), Period.month(2025, 11, "Europe/Paris")
    )
    libriciel = section(november, "D_2024_0110")
    assert libriciel.reported == 0
    assert {k.kind: (k.met, k.breached) for k in libriciel.kinds} == {"resolution": (1, 0)}
    assert libriciel.open_at_end == ()
    trend = november.vendors[0].trend
    assert [p.month.month for p in trend][-2:] == [10, 11]
    # The twelve months are counted by the database: the same figures as the month's own.
    assert trend[-2].compliance == pytest.approx(62.5)
    assert trend[-2].median_restoration == pytest.approx(12 * HOUR)  # 5 h, 12 h, 25 h
    assert dict(trend[-2].by_severity)["Niveau 0 – Bloquant"] == 2
    assert trend[-1].compliance == pytest.approx(100.0)
    assert trend[-1].median_restoration is None


def test_scope_and_dates_ahead(engine: Engine, october: dict[str, Any]) -> None:
    only = report_of(engine, Scope(contract_id=october["aukfood"]))
    assert [c.contract.reference for c in only.contracts] == ["MIRAMAS-AUKFOOD-2023"]
    # Aukfood: from 2023-10-01 for a year, renewed tacitly, notice 2 months — the period ends
    # 30 September 2026, so nothing falls in November 2025 - January 2026; SMICA's does.
    everything = report_of(engine)
    assert all(
        OCTOBER.last < line.day <= OCTOBER.last + timedelta(days=92)
        for line in everything.dates_ahead
    )


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.9) is None


def test_pdf_and_xlsx_hold_the_same_figures(engine: Engine, october: dict[str, Any]) -> None:
    report = report_of(engine)
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(" ".join(pages).split())  # lines wrapped by the layout read as one
    assert "Rapport des engagements de service" in pages[0]
    assert "octobre 2025" in pages[0]
    assert "62,5 %" in pages[0] and "97,8 %" in pages[0]  # summary: compliance, availability
    assert f"Page 1 / {len(pages)}" in pages[0]
    assert "Libriciel SCOP" in text and "Aukfood" in text
    # An exclusion reads as its clause and the delay's label, not as their keys.
    assert "« tres-complexe »" not in text and "Le problème est très complexe" in text
    assert "Séance inaccessible" in text  # D: a breach and still open
    assert "engagement non respecté" in text
    assert "150,00 € HT" in text and "estimation" in text.lower()
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    rows = list(book["Synthèse"].iter_rows(values_only=True))
    header, data = rows[0], {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "Taux de respect (%)" in header
    libriciel = data["D_2024_0110"]
    assert (libriciel["Incidents signalés"], libriciel["Respectés"], libriciel["Dépassés"]) == (
        3,
        5,
        3,
    )
    assert libriciel["Taux de respect (%)"] == 62.5
    assert libriciel["Disponibilité (%)"] == 97.8
    assert libriciel["Rétablissement médian (h ouvrées)"] == 12
    breaches = list(book["Dépassements"].iter_rows(values_only=True))[1:]
    assert len(breaches) == 3 and {b[2] for b in breaches} == {
        october["ids"]["B"],
        october["ids"]["D"],
    }


def test_an_archived_report_is_frozen(engine: Engine, october: dict[str, Any]) -> None:
    with session_scope(engine) as session:
        archived = produce(session, scope=Scope(), period=OCTOBER, now=NOW, made_by_id=None)
        archived_id = archived.id
    # A correction afterwards: A's acknowledgement was a mistake; its take-charge is now
    # proven only by the workaround at 16:00 (5 h > 4 h): breached.
    with session_scope(engine) as session:
        incident = session.get(Incident, october["ids"]["A"])
        assert incident is not None
        record_event(
            session,
            incident,
            kind=EventKind.cancellation,
            occurred_at=NOW,
            now=NOW,
            user_id=None,
            expected_revision=incident.revision,
            cancels=october["ids"]["A_ack"],
            text="prise en compte saisie par erreur",
            alert_settings=ALERTS,
        )
    live = section(report_of(engine), "D_2024_0110")
    assert {k.kind: (k.met, k.breached) for k in live.kinds}["take_charge"] == (1, 2)
    with session_scope(engine) as session:
        kept = session.get(ArchivedReport, archived_id)
        assert kept is not None
        row = next(r for r in kept.figures["summary"] if r["Contrat"] == "D_2024_0110")
        assert (row["Respectés"], row["Dépassés"]) == (5, 3)
        first_page = PdfReader(io.BytesIO(kept.pdf)).pages[0].extract_text()
        assert "62,5 %" in first_page


def test_the_pdf_renders_to_images(engine: Engine, october: dict[str, Any], tmp_path: Any) -> None:
    """What docs/screenshots shows (`make report-pages`): pdftoppm draws every page."""
    import shutil
    import subprocess

    from tests.support import require

    pdftoppm = shutil.which("pdftoppm")
    require(pdftoppm is not None, "pdftoppm (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(report_of(engine)))
    subprocess.run(
        [str(pdftoppm), "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(str(pdf)).pages) >= 3
    assert all(page.stat().st_size > 2_000 for page in pages)  # drawn, not blank


def test_text_that_looks_like_a_formula_stays_text() -> None:
    from openpyxl import Workbook

    from sla.printing.sheets import text_cell as _text_cell
    from sla.web.downloads import csv_cell as _csv_cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append([_text_cell(sheet, '=HYPERLINK("http://evil.example")'), _text_cell(sheet, 3)])
    buffer = io.BytesIO()
    book.save(buffer)
    row = load_workbook(buffer)["x"][1]
    assert (row[0].data_type, row[0].value) == ("s", '=HYPERLINK("http://evil.example")')
    assert row[1].value == 3
    assert _csv_cell("=1+1") == "'=1+1"
