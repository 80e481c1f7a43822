"""A contract document's problems and a calendar's refusals read in the reader's language: on
the import page each problem is its line, its key and a sentence (`ligne 57 ·
contract.max_renewals : nombre entier attendu, et non 'quatre'`), never the English msgid on a
French page; the calendar tool says why it cannot compute, never with Python's own words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from calendars.models import VendorCalendar
from sla.contracts.models import Contract
from sla.db import session_scope
from sla.error_codes import MESSAGES
from sla.web.roles import Role
from tests.conftest import EXAMPLES
from tests.support import csrf_from
from tests.wording.conftest import french, read, visible_text

Client = Callable[[Role], FlaskClient]
IMPORT = "/contracts/import"
# The English msgids of the problems the broken document has: none may show on a French page.
ENGLISH = (
    "expected a whole number",
    "expected a string",
    "unknown key",
    "intervals overlap",
    "unknown calendar",
    "line ",
)


def _broken() -> tuple[str, dict[str, int]]:
    """The Libriciel contract with four mistakes, and the line of each."""
    text = (EXAMPLES / "libriciel-comelus.toml").read_text(encoding="utf-8")
    for before, after in (
        ("max_renewals = 3", 'max_renewals = "quatre"'),
        ('key = "bloquant"', "key = 3"),
        ('support_phone = "04 67 65 96 44"', 'telephone = "04 67 65 96 44"'),
        ('mon = ["09:00-12:00", "14:00-18:00"]', 'mon = ["09:00-12:00", "11:00-18:00"]'),
    ):
        assert before in text
        text = text.replace(before, after, 1)
    rows = text.splitlines()

    def line(start: str) -> int:
        return next(n for n, row in enumerate(rows, 1) if row.startswith(start))

    lines = {
        "max_renewals": line("max_renewals"),
        "key": line("key = 3"),
        "telephone": line("telephone"),
        "mon": line('mon = ["09:00-12:00", "11:00-18:00"]'),
    }
    return text, lines


def _post(client: FlaskClient, text: str) -> Any:
    token = csrf_from(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "document": text})


def _problems(html: str) -> list[str]:
    listed = re.search(r'<ul class="problems">(.*?)</ul>', html, re.S)
    assert listed, "no list of problems"
    return [visible_text(item) for item in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)]


def _french_line(app: Flask, line: int, where: str, code: str, **params: str) -> str:
    message = french(app, MESSAGES[code], **params)
    return read(
        french(
            app, "line %(line)d · %(where)s: %(message)s", line=line, where=where, message=message
        )
    )


def test_a_french_reader_reads_each_problem_in_french_with_its_line(
    app: Flask, client_as: Client, engine: Engine
) -> None:
    text, lines = _broken()
    response = _post(client_as(Role.admin), text)
    assert response.status_code == 400
    problems = _problems(response.get_data(as_text=True))
    assert (
        _french_line(
            app,
            lines["max_renewals"],
            "contract.max_renewals",
            "document.expected_integer",
            value="'quatre'",
        )
        in problems
    )
    assert (
        _french_line(
            app, lines["key"], "sla.severities[0].key", "document.expected_string", value="3"
        )
        in problems
    )
    assert (
        _french_line(
            app,
            lines["mon"],
            "calendars.support.hours.mon",
            "calendar.overlap",
            first="09:00-12:00",
            second="11:00-18:00",
        )
        in problems
    )
    # The words themselves are French (not the msgids the catalogue would fall back to).
    page = " ".join(problems)
    assert f"ligne {lines['max_renewals']} · contract.max_renewals : nombre entier attendu" in page
    assert f"ligne {lines['key']} · sla.severities[0].key : chaîne de caractères attendue" in page
    assert f"ligne {lines['telephone']} · vendor.telephone : clé inconnue telephone" in page
    assert "des plages se chevauchent : 09:00-12:00 et 11:00-18:00" in page
    assert "calendrier inconnu 'support'" in page  # the calendar refused, the contract names it
    assert not any(english in page for english in ENGLISH), page
    with session_scope(engine) as session:  # nothing written
        assert session.exec(select(Contract)).all() == []


def test_an_english_reader_reads_the_same_problems_in_english(english_client: Client) -> None:
    text, lines = _broken()
    response = _post(english_client(Role.admin), text)
    assert response.status_code == 400
    problems = _problems(response.get_data(as_text=True))
    assert (
        f"line {lines['max_renewals']} · contract.max_renewals: expected a whole number, "
        "got 'quatre'" in problems
    )
    assert f"line {lines['key']} · sla.severities[0].key: expected a string, got 3" in problems
    assert (
        f"line {lines['mon']} · calendars.support.hours.mon: intervals overlap: "
        "09:00-12:00 and 11:00-18:00" in problems
    )
    page = " ".join(problems)
    assert f"line {lines['telephone']} · vendor.telephone: unknown key telephone (known:" in page
    assert "ligne" not in page and "attendu" not in page


def test_a_document_that_is_not_toml_names_its_line_in_french(
    app: Flask, client_as: Client
) -> None:
    response = _post(client_as(Role.admin), 'format = 1\n[vendor\nname = "V"\n')
    assert response.status_code == 400
    (problem,) = _problems(response.get_data(as_text=True))
    assert problem.startswith("ligne 2 · TOML non valide : ")


def test_an_amendment_refused_by_its_date_reads_in_french(
    app: Flask, client_as: Client, contracts: dict[str, int]
) -> None:
    """The import service's problems (`import.*`) read in French too."""
    admin = client_as(Role.admin)
    url = f"/contracts/{contracts['2025CM0417']}/amend"
    text = (EXAMPLES / "operis-oxalis.toml").read_text(encoding="utf-8")
    changed = text.replace("business_days = 8 ", "business_days = 5 ", 1)
    assert changed != text
    response = admin.post(url, data={"csrf_token": csrf_from(admin, url), "document": changed})
    assert response.status_code == 400
    (problem,) = _problems(response.get_data(as_text=True))
    assert problem.startswith("ligne 1 · sla.effective_from : 2025-01-01 doit être postérieure")
    assert "must be after" not in problem


# -- the calendar pages ---------------------------------------------------------------------

# Open one minute a week: ten years of business hours fall due after the engine's last year.
ONE_MINUTE_A_WEEK = {"timezone": "Europe/Paris", "holidays": "", "hours": {"mon": ["09:00-09:01"]}}


def _calendar(engine: Engine, key: str, definition: dict[str, object]) -> int:
    with session_scope(engine) as session:
        vendor_id = session.exec(select(Contract.vendor_id)).first()
        assert vendor_id is not None
        record = VendorCalendar(vendor_id=vendor_id, key=key, name=key, definition=definition)
        session.add(record)
        session.flush()
        assert record.id is not None
        return record.id


@pytest.mark.parametrize(
    "query", ["hours=87600", "hours=abc", "hours=1e308", "days=-5", "hours=nan"]
)
def test_the_calendar_tool_says_why_in_french_never_in_pythons_words(
    app: Flask, engine: Engine, contracts: dict[str, int], client_as: Client, query: str
) -> None:
    calendar_id = _calendar(engine, "une-minute", ONE_MINUTE_A_WEEK)
    response = client_as(Role.viewer).get(
        f"/calendars/{calendar_id}?start=2025-10-07T10:00&{query}"
    )
    assert response.status_code == 400
    page = visible_text(response.get_data(as_text=True))
    for leak in ("could not convert", "Traceback", "invalid literal", "falls after", "Expected"):
        assert leak not in page
    if query == "hours=87600":
        reason = french(app, MESSAGES["calendar.deadline_too_late"], year=2400)
        expected = french(
            app,
            "This deadline cannot be computed with this calendar: %(reason)s",
            reason=reason,
        )
        assert read(expected) in page
        assert (
            "Impossible de calculer cette échéance avec ce calendrier : l'échéance tombe "
            "après 2400" in page
        )


def test_a_stored_calendar_this_version_refuses_is_named_in_french(
    app: Flask, engine: Engine, contracts: dict[str, int], client_as: Client
) -> None:
    broken = {"timezone": "Europe/Paris", "hours": {"mon": ["09:00-12:00", "11:00-13:00"]}}
    calendar_id = _calendar(engine, "chevauchement", broken)
    response = client_as(Role.viewer).get(f"/calendars/{calendar_id}", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/calendars/"
    page = visible_text(response.get_data(as_text=True))
    assert (
        "Le calendrier chevauchement est illisible : hours.mon : des plages se chevauchent : "
        "09:00-12:00 et 11:00-13:00" in page
    )
    assert "intervals overlap" not in page
