"""The management PDF as its readers get it, read back by poppler (`pdfinfo`, `pdftotext`,
`pdffonts`): who it is from (cover, footer, properties), the vendor named on every page of
its section, lateness so far for a breach still open, references whole, a chart without values
saying so, one font family, an outline, a logo that is there or skipped."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from sla.config import SCHEMA
from sla.db import session_scope
from sla.reports.figures import Period, Report
from sla.reports.pdf import Organisation, render_pdf
from sla.reports.queries import Scope, make_report
from sla.reports.text import words
from sla.web.roles import Role
from tests.reports.conftest import _incident, at
from tests.support import require

OCTOBER = Period.month(2025, 10, "Europe/Paris")
MIRAMAS = Organisation("Ville de Miramas — DSI")
FR = words("fr")


def _tool(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} (poppler-utils) is not installed")
    return str(path)


def _run(*args: str) -> str:
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=60)
    return done.stdout


def _pages(pdf: Path) -> list[str]:
    """Each page's text as pdftotext reads it, in reading order."""
    count = len(PdfReader(str(pdf)).pages)
    tool = _tool("pdftotext")
    return [
        _run(tool, "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-")
        for n in range(1, count + 1)
    ]


def _info(pdf: Path) -> dict[str, str]:
    lines = _run(_tool("pdfinfo"), "-isodates", str(pdf)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (x.partition(":") for x in lines)}


@pytest.fixture
def still_open(engine: Engine, october: dict[str, Any]) -> int:
    """A Libriciel bloquant reported Wed 29 Oct 2025 09:00 that nobody took charge of: its
    take-charge (4 business hours) was due that day at 15:00 and is still not reached."""
    with session_scope(engine) as session:
        incident = _incident(session, october["libriciel"], "bloquant", "Portail muet", at(29, 9))
        return incident.id or 0


@pytest.fixture
def october_pdf(engine: Engine, still_open: int, tmp_path: Path) -> tuple[Report, Path]:
    """October's report for all vendors, made now by the Ville de Miramas, in French."""
    with session_scope(engine) as session:
        report = make_report(session, Scope(), OCTOBER, as_of=datetime.now(UTC))
    path = tmp_path / "october.pdf"
    path.write_bytes(render_pdf(report, "fr", MIRAMAS))
    return report, path


def test_the_properties_name_the_organisation_and_the_instant(
    october_pdf: tuple[Report, Path],
) -> None:
    _report, pdf = october_pdf
    info = _info(pdf)
    assert info["Author"] == "Ville de Miramas — DSI"
    assert "octobre 2025" in info["Title"] and "Tous les prestataires" in info["Title"]
    assert info["Subject"]
    assert info["Creator"].startswith("Garantie")
    # The instant it was made, not ReportLab's invariant 1 January 2000.
    assert info["CreationDate"].startswith(str(datetime.now(UTC).year))
    root = PdfReader(str(pdf)).trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_the_organisation_on_the_cover_and_every_footer(october_pdf: tuple[Report, Path]) -> None:
    _report, pdf = october_pdf
    pages = _pages(pdf)
    assert pages[0].lstrip().startswith("Ville de Miramas — DSI")
    for number, text in enumerate(pages, start=1):
        assert "Ville de Miramas — DSI · Garantie — Tous les prestataires" in text, number
        assert f"Page {number} / {len(pages)}" in text


def test_each_page_of_a_section_names_its_vendor(october_pdf: tuple[Report, Path]) -> None:
    report, pdf = october_pdf
    pages = _pages(pdf)
    vendors = [v.vendor for v in report.vendors]
    # Every page after the cover opens with the name of the vendor whose section it belongs
    # to: the sections follow one another in the report's order, none is left out.
    headers = [text.lstrip().splitlines()[0] for text in pages[1:]]
    assert list(dict.fromkeys(headers)) == vendors
    trends = FR.gettext("Twelve-month trends")
    for vendor in vendors:
        own = [text for header, text in zip(headers, pages[1:], strict=True) if header == vendor]
        assert any(trends in text for text in own), vendor  # the charts' page is named too


def test_a_breach_still_open_shows_its_lateness_so_far(
    october_pdf: tuple[Report, Path], still_open: int
) -> None:
    report, pdf = october_pdf
    breaches = [b for c in report.contracts for b in c.breaches if b.incident_id == still_open]
    assert breaches and all(b.milestone_at is None for b in breaches)
    text = " ".join(" ".join(_pages(pdf)).split())
    # Due Wed 29 Oct 15:00, late by 2 days 9 hours when October ended (Sat 1 Nov 00:00).
    so_far = FR.gettext("%(duration)s so far", duration="2 j 9 h")
    assert f"{FR.gettext('not reached')} {so_far}" in text
    assert f"{FR.gettext('not reached')} —" not in text
    assert "1 nov. 2025 00:00" in text  # the note says until when the time was counted


def test_references_stay_whole(october_pdf: tuple[Report, Path]) -> None:
    _report, pdf = october_pdf
    for text in _pages(pdf):
        for line in text.splitlines():
            if "MIRAMAS-AUKFOOD" in line:
                assert "MIRAMAS-AUKFOOD-2023" in line, line
    assert any("MIRAMAS-AUKFOOD-2023" in line for line in _pages(pdf)[0].splitlines())


def test_a_chart_without_values_says_so(october_pdf: tuple[Report, Path]) -> None:
    report, pdf = october_pdf
    pages = _pages(pdf)
    # SMICA had no incident in the twelve months: its three charts have nothing to draw.
    smica = next(v for v in report.vendors if v.vendor == "SMICA")
    assert all(p.compliance is None and p.median_restoration is None for p in smica.trend)
    charts_page = next(
        text
        for text in pages
        if text.lstrip().startswith("SMICA") and FR.gettext("Twelve-month trends") in text
    )
    assert charts_page.count(FR.gettext("No data")) == 3


def test_one_font_family_and_an_outline(october_pdf: tuple[Report, Path]) -> None:
    report, pdf = october_pdf
    fonts = _run(_tool("pdffonts"), str(pdf))
    families = {line.split()[0].split("-")[0] for line in fonts.splitlines()[2:]}
    # Helvetica throughout; Symbol for the arrow (→) of a requalification alone.
    assert families <= {"Helvetica", "Symbol"}, fonts
    outline = PdfReader(str(pdf)).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert [v.vendor for v in report.vendors] == [
        t for t in titles if t in {v.vendor for v in report.vendors}
    ]


def _report(engine: Engine) -> Report:
    with session_scope(engine) as session:
        return make_report(session, Scope(), OCTOBER, as_of=datetime.now(UTC))


def test_a_logo_on_the_cover(engine: Engine, october: dict[str, Any], tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), (0, 51, 153)).save(logo)
    data = render_pdf(_report(engine), "fr", Organisation("Ville de Miramas", str(logo)))
    cover = PdfReader(io.BytesIO(data)).pages[0]
    assert len(cover.images) == 1


@pytest.mark.parametrize("content", [None, b"not an image at all", b"\x89PNG\r\n\x1a\nbroken"])
def test_a_missing_or_bad_logo_is_left_out_with_a_warning(
    engine: Engine,
    october: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    content: bytes | None,
) -> None:
    logo = tmp_path / "logo.png"
    if content is not None:
        logo.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="sla.printing.organisation"):
        data = render_pdf(_report(engine), "fr", Organisation("Ville de Miramas", str(logo)))
    assert data.startswith(b"%PDF")
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert str(logo) in caplog.records[0].getMessage()


def test_the_downloaded_pdf_is_from_the_configured_organisation(
    client_as: Callable[[Role], FlaskClient], october: dict[str, Any], tmp_path: Path
) -> None:
    response = client_as(Role.viewer).get("/reports/report.pdf?month=2025-10")
    pdf = tmp_path / "downloaded.pdf"
    pdf.write_bytes(response.data)
    configured = str(SCHEMA["organisation"]["name"].default)  # the tests' configuration
    assert _info(pdf)["Author"] == configured
    assert _pages(pdf)[0].lstrip().startswith(configured)
