"""The statement's documents made from a `StatementView` built by hand: the letter and the final
PDF read back by poppler (`pdftotext`), the XLSX read back by openpyxl; in French and English.

October 2026, Europe/Paris. Four lines: a GTR 2 h 10 late under a clause per business hour
(3 started hours × 50 € = 150.00 €), a late take-charge under a flat rate (30.00 €), a
corrective maintenance still open under the formula (4 calendar days: 48.00 €), availability
98.85 % against 99 % (2 started tenths × 100 € = 200.00 €). Subtotal 428.00 €, above the
threshold of 100 €; the monthly cap (2 000 €) takes nothing, the yearly cap's 400 € left take
28 €: total 400.00 €. Decided: 150 applied, 30 waived, 48 reduced to 24, 200 applied: 374.00 €,
under every cap."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import time
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sla.engine.penalties import CapApplied, Lateness, Totals
from sla.engine.penalty_terms import CapScope, PenaltyCap
from sla.penalties.pdf import statement_pdf
from sla.penalties.statement import (
    Decision,
    DecisionView,
    LineView,
    State,
    StatementView,
    StepKind,
    StepView,
)
from sla.penalties.text import words
from sla.penalties.xlsx import statement_xlsx
from sla.printing.organisation import Organisation
from tests.support import require

PARIS = ZoneInfo("Europe/Paris")
ZONE = "Europe/Paris"
MIRAMAS = Organisation("Ville de Miramas — DSI")
FR = words("fr")
EN = words("en")
FORMULA_TITLE = '=HYPERLINK("http://exemple.invalid","clic")'
ARTICLES = (
    "CCAP fictif art. 9.1",
    "CCAP fictif art. 9.3",
    "CCAP fictif art. 9.4 ; CCAG-TIC 2021 art. 14.1",
    "CCAP fictif art. 9.7",
)


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


COMPUTED = at(2, 10, month=11)
DUE = datetime(2026, 11, 17, 23, 59, 59, tzinfo=PARIS)
SETTLED = at(20, 15, month=11)


def _lines() -> tuple[LineView, ...]:
    gtr = LineView(
        position=1,
        kind="breach",
        clause_key="gtr-bloquant",
        clause_kind="per_unit",
        clause_label="50 € HT par heure ouvrée de retard commencée sur la GTR",
        clause_article=ARTICLES[0],
        units=3,
        unit="business_hour",
        amount=Decimal("150.00"),
        incident_id=101,
        incident_title="Messagerie indisponible",
        target_key="gtr",
        target_label="GTR",
        target_article="CCAP fictif art. 7.2",
        deadline=at(5, 15),
        milestone_at=at(5, 17, 10),
        lateness=Lateness(7800.0, 7800.0, 1, 1),
        id=None,
        zone=ZONE,
        severity="Bloquant",
    )
    take_charge = LineView(
        position=2,
        kind="breach",
        clause_key="prise-en-charge",
        clause_kind="per_breach",
        clause_label="30 € HT forfaitaires par prise en charge hors délai",
        clause_article=ARTICLES[1],
        units=1,
        unit="breach",
        amount=Decimal("30.00"),
        incident_id=102,
        incident_title=FORMULA_TITLE,
        target_key="prise-en-charge",
        target_label="Prise en charge",
        deadline=at(6, 15),
        milestone_at=at(6, 16),
        lateness=Lateness(3600.0, 3600.0, 1, 1),
        id=None,
        zone=ZONE,
        severity="Bloquant",
    )
    still_open = LineView(
        position=3,
        kind="breach",
        clause_key="correctif",
        clause_kind="formula",
        clause_label="P = V × R / 1000 sur la valeur de la maintenance corrective",
        clause_article=ARTICLES[2],
        units=4,
        unit="calendar_day",
        amount=Decimal("48.00"),
        incident_id=103,
        incident_title="Export comptable en échec",
        target_key="correctif",
        target_label="Correctif",
        deadline=at(29, 9),
        milestone_at=None,
        lateness=Lateness(20 * 3600.0, 4 * 86400.0 - 3600.0, 3, 4),
        id=None,
        zone=ZONE,
        severity="Bloquant",
        value_ht=Decimal("12000.00"),
        divisor=1000,
    )
    availability = LineView(
        id=None,
        position=4,
        kind="availability",
        clause_key="disponibilite",
        clause_kind="availability",
        clause_label="100 € HT par dixième de point commencé sous 99 %",
        clause_article=ARTICLES[3],
        units=2,
        unit="tenth",
        amount=Decimal("200.00"),
        zone=ZONE,
        target_article="CCAP fictif art. 8",
        stretch_start=at(1, 0),
        stretch_end=at(1, 0, month=11),
        target_percent=99.0,
        measured_percent=98.85,
    )
    return (gtr, take_charge, still_open, availability)


def _totals(subtotal: str, yearly_left: str, reduction: str, total: str) -> Totals:
    return Totals(
        Decimal(subtotal),
        Decimal("100.00"),
        False,
        (
            CapApplied(
                PenaltyCap(CapScope.month, amount_ht=Decimal("2000.00")),
                Decimal("2000.00"),
                Decimal("0.00"),
            ),
            CapApplied(
                PenaltyCap(CapScope.year, percent=Decimal(10)),
                Decimal(yearly_left),
                Decimal(reduction),
            ),
        ),
        Decimal(total),
    )


def letter_view() -> StatementView:
    """The statement as notified on 2 November 2026."""
    return StatementView(
        id=12,
        state=State.notified,
        revision=2,
        contract_id=1,
        contract_reference="EXEMPLE-PENALITES-2026",
        contract_title="Infogérance du parc (exemple)",
        vendor_name="Exemple Infogérance (fictif)",
        vendor_siret="73282932000074",
        period_kind="month",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        zone=ZONE,
        lines=_lines(),
        totals=_totals("428.00", "400.00", "28.00", "400.00"),
        decided=None,
        computed_at=COMPUTED,
        procedure_article="CCAP fictif art. 9 ; CCAG-TIC 2021 art. 14.1.1",
        threshold_article="CCAP fictif art. 9.5",
        cap_article="CCAP fictif art. 9.6",
        answer_days=15,
        created_at=at(1, 9, month=11),
        created_by="Camille Martin",
        notified_at=COMPUTED,
        notified_to="support@exemple-infogerance.invalid",
        answer_due_at=DUE,
    )


def final_view() -> StatementView:
    """The same statement decided line by line and settled on 20 November 2026."""
    decisions = (
        DecisionView(Decision.applied, Decimal("150.00"), "", at(19, 11, month=11), "C. Martin"),
        DecisionView(
            Decision.waived,
            Decimal("0.00"),
            "Prise en charge faite par téléphone, non tracée",
            at(19, 11, month=11),
            "C. Martin",
        ),
        DecisionView(
            Decision.reduced,
            Decimal("24.00"),
            "Retard en partie dû à la collectivité",
            at(19, 11, month=11),
            "C. Martin",
        ),
        DecisionView(Decision.applied, Decimal("200.00"), "", at(19, 11, month=11), "C. Martin"),
    )
    letter = letter_view()
    lines = tuple(
        dataclasses.replace(line, id=line.position, decision=decision)
        for line, decision in zip(letter.lines, decisions, strict=True)
    )
    return dataclasses.replace(
        letter,
        state=State.final,
        revision=7,
        lines=lines,
        decided=_totals("374.00", "400.00", "0.00", "374.00"),
        finalised_at=SETTLED,
        steps=(
            StepView(StepKind.notified, COMPUTED, "C. Martin"),
            StepView(
                StepKind.observations,
                at(16, 9, month=11),
                "C. Martin",
                "Observations du prestataire",
                received_at=at(14, 16, month=11),
            ),
        ),
    )


def many_lines(view: StatementView, count: int) -> StatementView:
    """`view` with `count` lines: its own over and over, positions and incidents renumbered,
    units and amounts varied (a few hundred different amounts, as a busy month has)."""
    lines = []
    for index in range(count):
        line = view.lines[index % len(view.lines)]
        units = line.units + index % 97
        lines.append(
            dataclasses.replace(
                line,
                position=index + 1,
                incident_id=None if line.incident_id is None else 1000 + index,
                units=units,
                amount=line.amount / line.units * units,
            )
        )
    return dataclasses.replace(view, lines=tuple(lines))


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as poppler reads it, every run of white space one space."""
    tool = shutil.which("pdftotext")
    require(tool is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [str(tool), "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return " ".join(done.stdout.split())


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text as poppler reads it."""
    tool = shutil.which("pdftotext")
    require(tool is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    return [
        _read(
            subprocess.run(
                [str(tool), "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"],
                check=True,
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )
        for n in range(1, len(PdfReader(io.BytesIO(pdf)).pages) + 1)
    ]


def _read(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def letter_text(tmp_path: Path) -> str:
    return _pdftotext(statement_pdf(letter_view(), MIRAMAS, "fr", letter=True), tmp_path)


@pytest.fixture
def final_text(tmp_path: Path) -> str:
    return _pdftotext(statement_pdf(final_view(), MIRAMAS, "fr", letter=False), tmp_path)


def test_the_letter_states_each_line_amount_the_total_and_every_clause_article(
    letter_text: str,
) -> None:
    for amount in ("150.00", "30.00", "48.00", "200.00"):
        assert _read(FR.money(Decimal(amount))) in letter_text, amount
    assert "150,00 € HT" in letter_text  # French amounts: comma, space, € HT
    assert _read(FR.money(Decimal("428.00"))) in letter_text  # the subtotal
    total = FR.gettext("Total of the penalties")
    assert f"{_read(total)} {_read(FR.money(Decimal('400.00')))}" in letter_text
    for article in ARTICLES:
        assert article in letter_text, article
    # The threshold's and the caps' articles, with the yearly cap's reduction.
    assert "CCAP fictif art. 9.5" in letter_text and "CCAP fictif art. 9.6" in letter_text
    assert _read(FR.money(Decimal("-28.00"))) in letter_text
    assert _read(FR.gettext("Amounts outside VAT: penalties are not subject to VAT.")) in (
        letter_text
    )


def test_the_letter_gives_the_answer_date_in_the_calendars_zone(letter_text: str) -> None:
    # 17 November 2026 at 23:59 in Paris (22:59 UTC): the last day to answer.
    due = FR.gettext("%(day)s at %(time)s", day=FR.day(date(2026, 11, 17)), time="23:59")
    assert _read(due) in letter_text
    assert "CCAG-TIC 2021 art. 14.1.1" in letter_text
    assert "Ville de Miramas — DSI" in letter_text
    assert "73282932000074" in letter_text  # the vendor's SIRET
    assert _read(FR.gettext("Notice of penalties envisaged — contradictory procedure")) in (
        letter_text
    )
    # Not a final statement: no place to sign, no decision.
    assert _read(FR.gettext("The representative of the contracting authority")) not in (letter_text)


def test_the_letter_says_an_open_breach_counts_until_the_lines_were_computed(
    letter_text: str,
) -> None:
    ongoing = FR.gettext("ongoing at %(when)s", when=FR.when(COMPUTED, ZONE))
    assert _read(ongoing) in letter_text
    assert _read(FR.units(3, "business_hour")) in letter_text
    assert _read(FR.hours(7800.0)) in letter_text  # 2 h 10 ouvrées


def test_the_final_statement_holds_the_decisions_and_a_place_to_sign(final_text: str) -> None:
    assert _read(FR.gettext("Penalty statement")) in final_text
    for reason in (
        "Prise en charge faite par téléphone, non tracée",
        "Retard en partie dû à la collectivité",
    ):
        assert reason in final_text
    assert _read(FR.decision("waived")) in final_text
    assert _read(FR.decision("reduced")) in final_text
    settled = FR.gettext(
        "This statement is settled at the sum of %(amount)s.",
        amount=FR.money(Decimal("374.00")),
    )
    assert _read(settled) in final_text
    assert _read(FR.gettext("Done at ……, on ……")) in final_text
    assert _read(FR.gettext("The representative of the contracting authority")) in final_text
    for article in ARTICLES:
        assert article in final_text, article


def test_the_signature_block_stays_on_one_page(tmp_path: Path) -> None:
    """Whatever the length of the lines before it, the place to sign is not split."""
    sign = _read(FR.gettext("Name, position and signature"))
    done = _read(FR.gettext("Done at ……, on ……"))
    for count in range(4, 30, 3):
        pdf = statement_pdf(many_lines(final_view(), count), MIRAMAS, "fr", letter=False)
        pages = _pages(pdf, tmp_path)
        holding = [n for n, text in enumerate(pages) if done in text]
        assert len(holding) == 1 and sign in pages[holding[0]], count


def test_the_same_view_makes_the_same_bytes() -> None:
    for view, letter in ((letter_view(), True), (final_view(), False)):
        first = statement_pdf(view, MIRAMAS, "fr", letter=letter)
        assert statement_pdf(view, MIRAMAS, "fr", letter=letter) == first
    other = statement_pdf(letter_view(), MIRAMAS, "fr", letter=False)
    assert other != statement_pdf(letter_view(), MIRAMAS, "fr", letter=True)


def test_the_properties_name_the_organisation_and_the_instant_notified() -> None:
    reader = PdfReader(io.BytesIO(statement_pdf(letter_view(), MIRAMAS, "fr", letter=True)))
    info = reader.metadata
    assert info is not None
    assert info.author == "Ville de Miramas — DSI"
    assert info.title is not None and "EXEMPLE-PENALITES-2026" in info.title
    assert "octobre 2026" in info.title
    assert info.creation_date is not None
    assert info.creation_date.astimezone(PARIS) == COMPUTED
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_a_statement_in_english(tmp_path: Path) -> None:
    text = _pdftotext(statement_pdf(final_view(), MIRAMAS, "en", letter=False), tmp_path)
    assert "Penalty statement" in text
    assert "October 2026" in text
    assert "€374.00 excl. tax" in text
    assert "The representative of the contracting authority" in text
    assert "3 started business hours" in text
    letter = _pdftotext(statement_pdf(letter_view(), MIRAMAS, "en", letter=True), tmp_path)
    assert "November 17, 2026 at 23:59" in letter
    book = load_workbook(io.BytesIO(statement_xlsx(final_view(), "en")))
    assert book.sheetnames == ["Statement", "Lines"]


def test_the_words_of_a_line() -> None:
    gtr, take_charge, still_open, availability = _lines()
    assert EN.basis(gtr) == "3 × €50.00 excl. tax"
    assert EN.basis(take_charge) == "flat rate of €30.00 excl. tax"
    assert EN.basis(still_open) == "€12,000.00 excl. tax × 4 / 1000"
    assert EN.basis(replace(still_open, value_ht=None, divisor=None)) == "V × 4 / D"
    assert EN.basis(replace(gtr, units=0, amount=Decimal(0), grace=2)) == (
        "0 (within the grace of 2)"
    )
    assert EN.basis(availability) == "2 tenths of a point below 99% × €100.00 excl. tax"
    assert EN.lateness(gtr) == "2 h 10 business"
    assert EN.lateness(still_open) == "3 d 23 h"  # calendar days: real time
    assert EN.units(1, "breach") == "1 breach"
    assert EN.units(0, "business_hour") == "0 started business hours"
    assert EN.shortfall(availability) == "98.85% measured, 0.15 pt short"
    assert EN.statement_period("quarter", date(2026, 7, 1), date(2026, 9, 30)) == (
        "3rd quarter 2026"
    )
    assert EN.statement_period("month", date(2026, 10, 1), date(2026, 10, 31)) == "October 2026"
    assert EN.statement_period("range", date(2026, 10, 1), date(2026, 10, 15)) == (
        "from October 1, 2026 to October 15, 2026"
    )
    # French plurals: singular up to 1.
    assert FR.units(1, "business_day") == "1 jour ouvré"
    assert FR.units(3, "business_day") == "3 jours ouvrés"


def test_the_totals_lines() -> None:
    rows = EN.totals_rows(
        _totals("428.00", "400.00", "28.00", "400.00"),
        threshold_article="art. 9.5",
        cap_article="art. 9.6",
    )
    assert [(row.label, row.article, row.amount) for row in rows] == [
        ("Subtotal of the lines", "", Decimal("428.00")),
        ("Exemption threshold of €100.00 excl. tax exceeded: penalties due", "art. 9.5", None),
        ("Monthly cap: €2,000.00 excl. tax", "art. 9.6", None),
        ("Yearly cap (10% of the yearly amount): €400.00 excl. tax left", "art. 9.6", -28),
        ("Total of the penalties", "", Decimal("400.00")),
    ]
    exempted = Totals(Decimal("80.00"), Decimal("100.00"), True, (), Decimal("0.00"))
    rows = EN.totals_rows(exempted, threshold_article="", cap_article="", decided=True)
    assert rows[1].label == "Exemption: total at most the threshold of €100.00 excl. tax"
    assert rows[1].amount == Decimal("-80.00")
    assert rows[-1].label == "Total of the penalties applied" and rows[-1].total


def test_the_workbook_keeps_numbers_as_numbers_and_formulas_as_text() -> None:
    book = load_workbook(io.BytesIO(statement_xlsx(final_view(), "fr")))
    statement, lines = book.worksheets
    assert statement.title == FR.gettext("Statement")
    assert lines.title == FR.gettext("Lines")
    header = [cell.value for cell in lines[1]]
    rows = {row[0].value: row for row in lines.iter_rows(min_row=2)}
    assert sorted(rows) == [1, 2, 3, 4]

    def cell(position: int, column: str) -> object:
        return rows[position][header.index(FR.gettext(column))].value

    for position, amount in ((1, 150), (2, 30), (3, 48), (4, 200)):
        value = cell(position, "Amount (€ HT)")
        assert isinstance(value, (int, float)) and value == amount
    assert rows[1][header.index(FR.gettext("Amount (€ HT)"))].number_format == '#,##0.00 "€"'
    assert cell(3, "Amount decided (€ HT)") == 24
    assert cell(1, "Units") == 3 and isinstance(cell(1, "Units"), int)
    assert cell(4, "Measured (%)") == pytest.approx(98.85)
    # Instants as local wall time (Paris, CEST) in date cells.
    assert cell(1, "Deadline (local time)") == at(5, 15).replace(tzinfo=None)
    assert cell(3, "Milestone at (local time)") is None  # still open
    assert cell(1, "Late by (business h)") == pytest.approx(2.17)
    # A title typed as a formula is stored as text.
    title = rows[2][header.index(FR.gettext("Title"))]
    assert title.value == FORMULA_TITLE and title.data_type == "s"

    fields = {row[0].value: row[1] for row in statement.iter_rows() if row and row[0].value}
    assert fields[FR.gettext("Contract")].value == "EXEMPLE-PENALITES-2026"
    assert fields["SIRET"].value == "73282932000074"  # an identifier: text, not a number
    assert fields[FR.gettext("Answer due by")].value == DUE.replace(tzinfo=None)
    assert fields[FR.gettext("Period start")].value == at(1, 0).replace(tzinfo=None)
    totals = [
        (row[0].value, row[1].value)
        for row in statement.iter_rows()
        if row and isinstance(row[1].value, (int, float))
    ]
    assert (FR.gettext("Total of the penalties"), 400) in totals
    assert (FR.gettext("Total of the penalties applied"), 374) in totals


def test_five_thousand_lines_render_fast_enough_to_print() -> None:
    """The issue's benchmark: a month with 5,000 breaches, its PDF and its workbook (the
    times are printed with `-s`, not asserted: they depend on the machine)."""
    view = many_lines(final_view(), 5000)
    timings = []
    made = []
    for make in (
        lambda: statement_pdf(view, MIRAMAS, "fr", letter=True),
        lambda: statement_pdf(view, MIRAMAS, "fr", letter=False),
        lambda: statement_xlsx(view, "fr"),
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        made.append(make())
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    letter, final, workbook = made
    print(
        "\n5,000 lines (wall / CPU seconds): "
        + ", ".join(
            f"{name} {wall:.2f} / {cpu:.2f}"
            for name, (wall, cpu) in zip(("letter PDF", "final PDF", "XLSX"), timings, strict=True)
        )
    )
    assert len(PdfReader(io.BytesIO(letter)).pages) > 50
    assert len(PdfReader(io.BytesIO(final)).pages) > 50
    lines = load_workbook(io.BytesIO(workbook), read_only=True).worksheets[1]
    assert sum(1 for _ in lines.iter_rows(values_only=True)) == 5001
