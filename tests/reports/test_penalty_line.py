"""The monthly report's penalties line per contract that sets penalties (October 2026 under
the illustrative contract, `tests/penalties/period.py`: 3 844.00 € of lines, capped at
2 000.00 € a month): computed live while no statement covers the month, then the statement's
state and amount (a draft: live; notified: the total notified, whatever changes later; final:
the decided total); nothing for the seed contracts, which set no penalty. On the page, in the
PDF and in the workbook."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sla.contracts.models import Contract
from sla.db import session_scope
from sla.error_codes import STATEMENT_STATES
from sla.outages.models import Outage
from sla.outages.service import cancel_outage
from sla.penalties import procedure
from sla.penalties.compute import compute
from sla.penalties.models import PenaltyLine
from sla.printing.organisation import Organisation
from sla.reports.exports import figures_csv, to_xlsx
from sla.reports.figures import ContractReport, Period, Report
from sla.reports.pdf import render_pdf
from sla.reports.queries import Scope, make_report
from sla.reports.text import words
from sla.web.roles import Role
from tests.penalties.period import NOW, OCTOBER, REFERENCE, TODAY, build_october
from tests.reports.test_languages import pdf_text
from tests.wording.conftest import visible_text

MONTH = Period.month(2026, 10, "Europe/Paris")
FR = words("fr")
MAILING = procedure.Mailing(Organisation("Ville d'Exemple"), "fr")
CAPPED = Decimal("2000.00")  # the month's 3 844.00 € of lines under the monthly cap
Client = Callable[[Role], FlaskClient]


def _report(engine: Engine, as_of: datetime = NOW) -> Report:
    with Session(engine) as session:
        return make_report(session, Scope(), MONTH, as_of=as_of)


def _section(report: Report, reference: str = REFERENCE) -> ContractReport:
    return next(c for c in report.contracts if c.contract.reference == reference)


def _draft(engine: Engine, contract_id: int) -> int:
    with session_scope(engine) as session:
        statement = procedure.create_statement(
            session,
            contract_id=contract_id,
            period_kind="month",
            first=OCTOBER[0],
            last=None,
            by=None,
            now=NOW,
            today=TODAY,
        )
        return statement.id or 0


def _notify(engine: Engine, statement_id: int) -> None:
    with session_scope(engine) as session:
        procedure.notify(session, statement_id, revision=None, by=None, now=NOW, mailing=MAILING)


def _cancel_the_outage(engine: Engine) -> None:
    """The month's outage entered by mistake: the availability line (3 600 €) goes, the live
    lines come to 244.00 € (150 + 24 + 30 + 40 + 0)."""
    with session_scope(engine) as session:
        outage = session.exec(select(Outage)).one()
        cancel_outage(session, outage.id or 0, reason="saisie en double", user_id=None, now=NOW)


def _live_total(engine: Engine, contract_id: int) -> Decimal:
    with Session(engine) as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        return compute(session, contract, *OCTOBER, as_of=NOW).totals.total


def test_a_month_without_statement_shows_the_amount_computed_live_and_no_statement(
    engine: Engine,
) -> None:
    built = build_october(engine)
    penalties = _section(_report(engine)).penalties
    assert penalties is not None
    assert (penalties.statement_id, penalties.state) == (None, None)
    assert (penalties.amount, penalties.lines) == (CAPPED, 6)
    assert penalties.amount == _live_total(engine, built.contract_id)
    line = FR.penalty_line(penalties, MONTH)
    heading, none = FR.gettext("Penalties for the month:"), FR.gettext("no statement yet")
    assert (
        line
        == f"{heading} 2 000,00 € HT ({FR.ngettext('%(num)d line', '%(num)d lines', 6)}) — {none}"
    )


def test_a_draft_counts_live_and_a_notified_statement_keeps_its_notified_total(
    engine: Engine,
) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    draft = _section(_report(engine)).penalties
    assert draft is not None
    assert (draft.statement_id, draft.state, draft.amount) == (statement_id, "draft", CAPPED)
    assert FR.penalty_status(draft) == ", ".join(
        (FR.gettext("statement no. %(id)d", id=statement_id), FR.gettext(STATEMENT_STATES["draft"]))
    )

    _notify(engine, statement_id)
    _cancel_the_outage(engine)
    assert _live_total(engine, built.contract_id) == Decimal("244.00")
    notified = _section(_report(engine)).penalties
    assert notified is not None
    assert (notified.statement_id, notified.state) == (statement_id, "notified")
    assert (notified.amount, notified.lines) == (CAPPED, 6)  # as notified, not 244.00
    state = FR.gettext(STATEMENT_STATES["notified"])
    assert FR.penalty_line(notified, MONTH).endswith(
        f"— {FR.gettext('statement no. %(id)d', id=statement_id)}, {state}"
    )


def test_a_final_statement_gives_its_decided_total(engine: Engine) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    later = NOW + timedelta(days=3)
    with session_scope(engine) as session:
        procedure.record_observations(
            session,
            statement_id,
            revision=None,
            text="Le serveur était arrêté pour une maintenance annoncée.",
            received_at=later,
            files=[],
            by=None,
            now=later,
        )
        lines = session.exec(select(PenaltyLine).where(PenaltyLine.statement_id == statement_id))
        for line in list(lines):
            waived = line.kind == "availability"
            procedure.decide(
                session,
                statement_id,
                revision=None,
                line_id=line.id or 0,
                decision="waived" if waived else "applied",
                amount=None,
                reason="Maintenance annoncée" if waived else "Retard constaté",
                by=None,
                now=later,
            )
        procedure.finalise(
            session,
            statement_id,
            revision=None,
            by=None,
            now=later,
            organisation=MAILING.organisation,
            locale="fr",
        )
    final = _section(_report(engine, later)).penalties
    assert final is not None
    assert (final.state, final.amount, final.lines) == ("final", Decimal("244.00"), 6)


def test_an_abandoned_draft_leaves_the_month_without_statement(engine: Engine) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    with session_scope(engine) as session:
        procedure.abandon(
            session, statement_id, revision=None, reason="Mauvais mois", by=None, now=NOW
        )
    penalties = _section(_report(engine)).penalties
    assert penalties is not None
    assert (penalties.statement_id, penalties.amount) == (None, CAPPED)


def test_a_statement_of_a_longer_period_gives_its_own_amount_and_says_so(engine: Engine) -> None:
    built = build_october(engine)
    with session_scope(engine) as session:
        quarter = procedure.create_statement(
            session,
            contract_id=built.contract_id,
            period_kind="quarter",
            first=OCTOBER[0],
            last=None,
            by=None,
            now=NOW,
            today=date(2027, 1, 5),
        )
    penalties = _section(_report(engine)).penalties
    assert penalties is not None
    assert (penalties.statement_id, penalties.state) == (quarter.id, "draft")
    assert (penalties.first, penalties.last) == (date(2026, 10, 1), date(2026, 12, 31))
    heading = FR.gettext(
        "Penalties over the statement's period (%(period)s):",
        period=FR.period_title(date(2026, 10, 1), date(2026, 12, 31)),
    )
    # 3 844 € of lines over a quarter: the monthly cap (3 × 2 000 €) leaves them, the yearly
    # cap (10 % of 24 000 €) limits them to 2 400 €.
    assert FR.penalty_line(penalties, MONTH).startswith(f"{heading} 2 400,00 € HT")


def test_the_seed_contracts_show_no_penalties_line(
    engine: Engine, contracts: dict[str, int]
) -> None:
    build_october(engine)
    report = _report(engine)
    assert len(report.contracts) == len(contracts) + 1
    for section in report.contracts:
        assert (section.penalties is None) == (section.contract.reference != REFERENCE)
    book = load_workbook(io.BytesIO(to_xlsx(report, "fr")))
    rows = list(book[FR.gettext("Summary")].iter_rows(values_only=True))
    amount = rows[0].index(FR.gettext("Penalties (€ HT)"))
    by_reference = {row[1]: row for row in rows[1:]}
    assert by_reference[REFERENCE][amount] == 2000  # a number, not text
    assert by_reference[REFERENCE][amount + 1] == FR.gettext("no statement yet")
    assert all(by_reference[ref][amount] is None for ref in contracts)
    csv = figures_csv(report, "fr")
    assert ";2000,00;" in csv


def test_the_pdf_holds_the_penalties_line(engine: Engine, tmp_path: Path) -> None:
    built = build_october(engine)
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    report = _report(engine)
    text = pdf_text(render_pdf(report, "fr", MAILING.organisation), tmp_path)
    penalties = _section(report).penalties
    assert penalties is not None
    assert FR.penalty_line(penalties, MONTH) in text
    assert text.count(FR.gettext("Penalties for the month:")) == 1  # the seeds' sections: none


@pytest.fixture
def at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report pages made as of NOW (20 Nov 2026)."""
    monkeypatch.setattr("sla.reports.views.utcnow", lambda: NOW)


def test_the_page_shows_the_line_and_links_the_statement(
    engine: Engine, client_as: Client, at_now: None
) -> None:
    built = build_october(engine)
    client = client_as(Role.viewer)
    page = visible_text(client.get("/reports/?month=2026-10").get_data(as_text=True))
    assert FR.gettext("Penalties for the month:") in page
    assert FR.gettext("no statement yet") in page
    statement_id = _draft(engine, built.contract_id)
    _notify(engine, statement_id)
    html = client.get("/reports/?month=2026-10").get_data(as_text=True)
    statement = FR.gettext("statement no. %(id)d", id=statement_id)
    assert f'<a href="/penalties/{statement_id}">{statement}</a>' in html
    assert FR.gettext(STATEMENT_STATES["notified"]) in visible_text(html)
