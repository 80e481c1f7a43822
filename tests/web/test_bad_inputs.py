"""Bad input on the web pages: a clear message beside the field it names, in the reader's
language (French by default), nothing written, never a 500 nor a traceback.

Each case once crashed (year 1 or 9999 overflowing a date with its zone, `int()` of `abc`,
`²` or `١`, a number past the database's integers) or did the wrong thing silently (a line
break in a title, an amendment creating another contract)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from sqlmodel import select as sqlmodel_select

from calendars.models import VendorCalendar
from incidents.models import Incident
from incidents.service import report_incident
from sla.db import id_of, session_scope, utcnow
from sla.outages.models import Outage
from sla.web.roles import Role
from tests.support import ALERTS, csrf_from

Client = Callable[[Role], FlaskClient]
LIBRICIEL = "D_2024_0110"
HUGE = "99999999999999999999"  # past the database's integers (and SQLite's)
LEAKS = ("Traceback", "could not convert", "invalid literal", "out of range", "Erreur interne")


def french(app: Flask, msgid: str, **values: Any) -> str:
    """`msgid` as a French reader sees it (its msgid until the catalogue translates it)."""
    with app.test_request_context("/"), force_locale("fr"):
        return str(gettext(msgid, **values))


def counts(engine: Engine) -> dict[str, int]:
    """Rows of every table: what "nothing written" means."""
    with Session(engine) as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def assert_refused(response: Any, *, field: str, message: str, status: int = 400) -> str:
    """The page answers `status`, with `message` in the error paragraph of `field`."""
    assert response.status_code == status, response.status_code
    body = text_of(response)
    match = re.search(rf'<p class="error" id="{re.escape(field)}-error"[^>]*>([^<]*)</p>', body)
    assert match, f"no error beside {field}"
    assert match.group(1) == message
    assert not any(leak in body for leak in LEAKS)
    return body


def date_range(app: Flask) -> str:
    return french(app, "Expected a date between %(first)d and %(last)d.", first=1970, last=2200)


def whole_number(app: Flask) -> str:
    return french(
        app, "Expected a whole number between %(least)d and %(most)d.", least=1, most=2**31 - 1
    )


@pytest.fixture
def incident_id(engine: Engine, contracts: dict[str, int]) -> int:
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=contracts[LIBRICIEL],
            severity="bloquant",
            title="Convocations bloquées",
            reported_at=datetime(2025, 10, 7, 7, tzinfo=UTC),
            now=utcnow(),
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        return id_of(incident)


# -- 1. incidents: the event form, the list, the form to log one -----------------------------


@pytest.mark.parametrize(
    ("fields", "error_field", "message"),
    [
        ({"revision": "abc"}, "revision", "The page is out of date: reload it and try again."),
        ({"revision": "²"}, "revision", "The page is out of date: reload it and try again."),
        ({"revision": HUGE}, "revision", "The page is out of date: reload it and try again."),
        ({"revision": "-1"}, "revision", "The page is out of date: reload it and try again."),
        ({"kind": "cancellation", "cancels": "abc"}, "cancels", "Unknown event to cancel."),
        ({"kind": "cancellation", "cancels": "²"}, "cancels", "Unknown event to cancel."),
        ({"kind": "cancellation", "cancels": "١"}, "cancels", "Unknown event to cancel."),
        ({"kind": "cancellation", "cancels": HUGE}, "cancels", "Unknown event to cancel."),
        ({"occurred_at": "0001-01-01T00:00"}, "occurred_at", None),
        ({"occurred_at": "9999-12-31T23:59"}, "occurred_at", None),
        ({"text": "nul \x00 ici"}, "text", "No control characters (line breaks and tabs only)."),
        ({"text": "bip \x07"}, "text", "No control characters (line breaks and tabs only)."),
    ],
)
def test_the_event_form_names_what_it_cannot_read_and_records_nothing(
    app: Flask,
    client_as: Client,
    engine: Engine,
    incident_id: int,
    fields: dict[str, str],
    error_field: str,
    message: str | None,
) -> None:
    agent = client_as(Role.agent)
    url = f"/incidents/{incident_id}"
    data = {
        "csrf_token": csrf_from(agent, url),
        "kind": "comment",
        "revision": "1",
        "occurred_at": "",
        "text": "Relancé par téléphone",
        **fields,
    }
    before = counts(engine)
    response = agent.post(f"{url}/events", data=data)
    expected = date_range(app) if message is None else french(app, message)
    assert_refused(response, field=error_field, message=expected)
    assert counts(engine) == before
    with Session(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.revision == 1


def test_the_event_form_still_takes_a_comment_over_several_lines(
    client_as: Client, engine: Engine, incident_id: int
) -> None:
    agent = client_as(Role.agent)
    url = f"/incidents/{incident_id}"
    data = {
        "csrf_token": csrf_from(agent, url),
        "kind": "comment",
        "revision": "1",
        "text": "Relancé\r\n\tpar téléphone",
    }
    assert agent.post(f"{url}/events", data=data).status_code == 302
    with Session(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.revision == 2


@pytest.mark.parametrize("page", ["400000000000000000", "-1", "²", "١", "0", "abc", HUGE])
def test_the_incident_list_reads_a_page_it_cannot_use_as_the_nearest_one(
    client_as: Client, incident_id: int, page: str
) -> None:
    response = client_as(Role.viewer).get(f"/incidents/?page={page}")
    assert response.status_code == 200
    body = text_of(response)
    assert "Convocations bloquées" in body and "Page 1 sur 1" in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("vendor_id=" + HUGE, "f-vendor", "Prestataire inconnu."),
        ("vendor_id=²", "f-vendor", "Prestataire inconnu."),
        ("vendor_id=١", "f-vendor", "Prestataire inconnu."),
        ("contract_id=" + HUGE, "f-contract", "Contrat inconnu."),
        ("contract_id=٣", "f-contract", "Contrat inconnu."),
        ("from=0001-01-01", "f-from", None),
        ("from=9999-12-31", "f-from", None),
        ("to=9999-12-31", "f-to", None),
        ("to=0001-01-01", "f-to", None),
        ("to=31/12/2025", "f-to", "Date attendue, par exemple 2026-10-01."),
        ("q=a%00b", "f-q", "One line, without control characters (no line break, tab or NUL)."),
    ],
)
def test_the_incident_list_names_a_filter_it_cannot_use(
    app: Flask,
    client_as: Client,
    incident_id: int,
    query: str,
    field: str,
    message: str | None,
) -> None:
    response = client_as(Role.viewer).get(f"/incidents/?{query}")
    expected = date_range(app) if message is None else french(app, message)
    body = assert_refused(response, field=field, message=expected)
    assert "Convocations bloquées" in body  # the filter ignored, the others kept


@pytest.mark.parametrize("query", ["from=0001-01-01", "vendor_id=²", "to=9999-12-31"])
def test_the_incident_csv_with_a_filter_it_cannot_use_answers_the_page(
    app: Flask, client_as: Client, incident_id: int, query: str
) -> None:
    response = client_as(Role.viewer).get(f"/incidents/?{query}&format=csv")
    # The page with the message, not a file filtered otherwise than asked.
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert 'class="error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("contract_id", ["²", "١", HUGE, "abc", "999999"])
def test_logging_an_incident_for_a_contract_that_cannot_be_read_asks_to_choose(
    client_as: Client, engine: Engine, contracts: dict[str, int], contract_id: str
) -> None:
    agent = client_as(Role.agent)
    assert_refused(
        agent.get(f"/incidents/new?contract_id={contract_id}"),
        field="contract_id",
        message="Contrat inconnu.",
    )
    token = csrf_from(agent, "/incidents/new")
    before = counts(engine)
    response = agent.post(
        "/incidents/new",
        data={"csrf_token": token, "contract_id": contract_id, "title": "t", "severity": "x"},
    )
    assert_refused(response, field="contract_id", message="Contrat inconnu.")
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("fields", "error_field", "message"),
    [
        ({"reported_at": "0001-01-01T00:00"}, "reported_at", None),
        ({"reported_at": "9999-12-31T23:59"}, "reported_at", None),
        ({"title": "Convocations\nbloquées"}, "title", "one-line"),
        ({"title": "Convocations\rbloquées"}, "title", "one-line"),
        ({"title": "Convocations\x00bloquées"}, "title", "one-line"),
        ({"title": "Convocations\tbloquées"}, "title", "one-line"),
        ({"title": "Convocations\x1fbloquées"}, "title", "one-line"),
        ({"title": "Convocations\u0085bloquées"}, "title", "one-line"),
        ({"vendor_ticket_ref": "T-1\r\nBcc: x@example.org"}, "vendor_ticket_ref", "one-line"),
        ({"vendor_ticket_ref": "\x1c"}, "vendor_ticket_ref", "one-line"),
        ({"description": "Plus rien\x00"}, "description", "multiline"),
        ({"description": "\x0b"}, "description", "multiline"),
    ],
)
def test_the_incident_form_refuses_dates_out_of_reach_and_control_characters(
    app: Flask,
    client_as: Client,
    engine: Engine,
    contracts: dict[str, int],
    fields: dict[str, str],
    error_field: str,
    message: str | None,
) -> None:
    agent = client_as(Role.agent)
    contract_id = contracts[LIBRICIEL]
    url = f"/incidents/new?contract_id={contract_id}"
    data = {
        "csrf_token": csrf_from(agent, url),
        "contract_id": str(contract_id),
        "severity": "bloquant",
        "title": "Convocations bloquées",
        "reported_at": "2025-10-07T09:00",
        "channel": "phone",
        "description": "",
        **fields,
    }
    before = counts(engine)
    response = agent.post("/incidents/new", data=data)
    expected = {
        None: date_range(app),
        "one-line": french(
            app, "One line, without control characters (no line break, tab or NUL)."
        ),
        "multiline": french(app, "No control characters (line breaks and tabs only)."),
    }[message]
    assert_refused(response, field=error_field, message=expected)
    assert counts(engine) == before


def test_the_incident_form_takes_a_description_over_several_lines(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    contract_id = contracts[LIBRICIEL]
    url = f"/incidents/new?contract_id={contract_id}"
    response = agent.post(
        "/incidents/new",
        data={
            "csrf_token": csrf_from(agent, url),
            "contract_id": str(contract_id),
            "severity": "bloquant",
            "title": "Convocations bloquées",
            "reported_at": "2025-10-07T09:00",
            "channel": "phone",
            "description": "Depuis 9 h :\r\n\t- plus d'envoi",
        },
    )
    assert response.status_code == 302
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Incident)).scalar_one() == 1


# -- 2. reports: filters of the page and of the downloads ------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("month=0001-01", "month", None),
        ("month=9999-12", "month", None),
        ("month=٢٠٢٥-١٠", "month", "Mois attendu, par exemple 2026-10."),
        ("from=0001-01-01&to=0001-01-31", "from", None),
        ("from=0001-01-01&to=0001-01-31", "to", None),
        ("from=9999-12-01&to=9999-12-31", "to", None),
        ("from=2025-10-31&to=2025-10-01", "to", "La fin précède le début."),
        ("from=2024-01-01&to=2025-10-01", "to", "366"),
        ("vendor=" + HUGE, "vendor", "Prestataire inconnu."),
        ("vendor=²", "vendor", "Prestataire inconnu."),
        ("vendor=١", "vendor", "Prestataire inconnu."),
        ("contract=" + HUGE, "contract", "Contrat inconnu."),
        ("contract=١", "contract", "Contrat inconnu."),
    ],
)
def test_the_report_page_names_a_filter_it_cannot_use(
    app: Flask,
    client_as: Client,
    contracts: dict[str, int],
    query: str,
    field: str,
    message: str | None,
) -> None:
    response = client_as(Role.viewer).get(f"/reports/?{query}")
    if message == "366":
        expected = french(app, "A report covers at most %(days)d days.", days=366)
    else:
        expected = date_range(app) if message is None else french(app, message)
    assert_refused(response, field=field, message=expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=9999-12-01&to=9999-12-31", "to"),
        ("from=0001-01-01&to=0001-01-31", "from"),
        ("from=2025-10-31&to=2025-10-01", "to"),
        ("vendor=²", "vendor"),
        ("contract=" + HUGE, "contract"),
    ],
)
@pytest.mark.parametrize("path", ["report.pdf", "report.xlsx", "figures.csv", "breaches.csv"])
def test_a_download_with_a_filter_it_cannot_use_answers_the_page_with_the_message(
    client_as: Client, contracts: dict[str, int], query: str, field: str, path: str
) -> None:
    response = client_as(Role.viewer).get(f"/reports/{path}?{query}")
    # Never a file about another period or scope than the one asked for.
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert f'id="{field}-error"' in response.get_data(as_text=True)


# -- 3. calendars: the month, the year, the deadline tool ------------------------------------


@pytest.fixture
def calendar_url(engine: Engine, contracts: dict[str, int]) -> str:
    with Session(engine) as session:
        found = session.exec(sqlmodel_select(VendorCalendar)).first()
        assert found is not None
        return f"/calendars/{found.id}"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("month=0001-01", "month", None),
        ("month=9999-12", "month", None),
        ("month=2025-13", "month", "Mois attendu, par exemple 2026-10."),
        ("year=0", "year", None),
        ("year=99999999999", "year", None),
        ("year=١٩٩٥", "year", None),
        ("start=0001-01-01T00:00&hours=4", "start", None),
        ("start=9999-12-31T23:00&hours=4", "start", None),
        ("start=demain&hours=4", "start", "Expected a date and time such as 2026-10-01T09:00."),
        ("start=2025-10-07T10:00&hours=abc", "hours", "hours"),
        ("start=2025-10-07T10:00&hours=1e308", "hours", "hours"),
        ("start=2025-10-07T10:00&hours=nan", "hours", "hours"),
        ("start=2025-10-07T10:00&hours=-4", "hours", "hours"),
        ("start=2025-10-07T10:00&hours=٤", "hours", "hours"),
        ("start=2025-10-07T10:00&days=-5", "days", "days"),
        ("start=2025-10-07T10:00&days=10000000", "days", "days"),
        ("start=2025-10-07T10:00&days=²", "days", "days"),
    ],
)
def test_the_calendar_page_names_what_it_cannot_use_in_french(
    app: Flask,
    client_as: Client,
    calendar_url: str,
    query: str,
    field: str,
    message: str | None,
) -> None:
    response = client_as(Role.viewer).get(f"{calendar_url}?{query}")
    expected = {
        None: date_range(app),
        "hours": french(
            app,
            "Expected a number of hours from 0 to %(most)d, such as 4 or 2.5.",
            most=87_600,
        ),
        "days": french(app, "Expected a whole number of days from 0 to %(most)d.", most=3_660),
    }.get(message, french(app, message or ""))
    assert_refused(response, field=field, message=expected)


@pytest.mark.parametrize(
    "query",
    [
        "month=2200-12",
        "month=1970-01",
        "year=2200",
        "start=2025-10-07T10:00&hours=2,5",
        "start=2025-10-07T10:00&hours=.5",
        "start=2200-12-31T23:00&days=3660",
    ],
)
def test_the_calendar_page_reads_the_edges_of_its_range(
    client_as: Client, calendar_url: str, query: str
) -> None:
    response = client_as(Role.viewer).get(f"{calendar_url}?{query}")
    assert response.status_code == 200
    assert 'class="error"' not in response.get_data(as_text=True)


def test_the_month_pager_stops_at_the_edges(client_as: Client, calendar_url: str) -> None:
    viewer = client_as(Role.viewer)
    last = viewer.get(f"{calendar_url}?month=2200-12").get_data(as_text=True)
    assert "?month=2200-11" in last and "?month=2201-01" not in last
    first = viewer.get(f"{calendar_url}?month=1970-01").get_data(as_text=True)
    assert "?month=1970-02" in first and "?month=1969-12" not in first


# -- 4. outages: the form to record one, ending and cancelling -------------------------------


@pytest.mark.parametrize(
    ("fields", "error_field", "message"),
    [
        ({"started_at": "0001-01-01T00:00"}, "started_at", None),
        ({"started_at": "9999-12-31T23:59"}, "started_at", None),
        ({"ended_at": "0001-01-01T00:00"}, "ended_at", None),
        ({"ended_at": "9999-12-31T23:59"}, "ended_at", None),
        ({"incident_id": HUGE}, "incident_id", "number"),
        ({"incident_id": "²"}, "incident_id", "number"),
        ({"incident_id": "١٢"}, "incident_id", "number"),
        ({"incident_id": "-3"}, "incident_id", "number"),
        ({"contract_id": "²"}, "contract_id", "Contrat inconnu."),
        ({"contract_id": "١"}, "contract_id", "Contrat inconnu."),
        ({"contract_id": HUGE}, "contract_id", "Contrat inconnu."),
        ({"service": "Web\nBcc: x"}, "service", "one-line"),
        ({"cause": "Disque plein\x00"}, "cause", "multiline"),
    ],
)
def test_the_outage_form_names_the_field_and_records_nothing(
    app: Flask,
    client_as: Client,
    engine: Engine,
    contracts: dict[str, int],
    fields: dict[str, str],
    error_field: str,
    message: str | None,
) -> None:
    agent = client_as(Role.agent)
    data = {
        "csrf_token": csrf_from(agent, "/outages/"),
        "contract_id": str(contracts[LIBRICIEL]),
        "service": "",
        "started_at": "2025-10-07T10:00",
        "ended_at": "",
        "cause": "Hébergement indisponible",
        "incident_id": "",
        **fields,
    }
    before = counts(engine)
    response = agent.post("/outages/", data=data)
    expected = {
        None: date_range(app),
        "number": whole_number(app),
        "one-line": french(
            app, "One line, without control characters (no line break, tab or NUL)."
        ),
        "multiline": french(app, "No control characters (line breaks and tabs only)."),
    }.get(message, message or "")
    assert_refused(response, field=error_field, message=expected, status=422)
    assert counts(engine) == before


@pytest.mark.parametrize("contract", [HUGE, "١", "²", "999999"])
def test_the_outage_list_names_a_contract_filter_it_cannot_use(
    client_as: Client, contracts: dict[str, int], contract: str
) -> None:
    response = client_as(Role.viewer).get(f"/outages/?contract={contract}")
    assert_refused(response, field="contract-filter", message="Contrat inconnu.")


def test_ending_or_cancelling_an_outage_with_bad_input_changes_nothing(
    app: Flask, client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    created = agent.post(
        "/outages/",
        data={
            "csrf_token": token,
            "contract_id": str(contracts[LIBRICIEL]),
            "started_at": "2025-10-07T10:00",
            "cause": "Hébergement indisponible",
        },
    )
    assert created.status_code == 302
    before = counts(engine)
    with Session(engine) as session:
        outage_id = id_of(session.exec(sqlmodel_select(Outage)).one())
    for ended_at in ("0001-01-01T00:00", "9999-12-31T23:59"):
        response = agent.post(
            f"/outages/{outage_id}/end", data={"csrf_token": token, "ended_at": ended_at}
        )
        assert response.status_code == 302
        assert date_range(app) in text_of(agent.get(response.headers["Location"]))
    response = agent.post(
        f"/outages/{outage_id}/cancel", data={"csrf_token": token, "reason": "erreur\r\nde saisie"}
    )
    assert response.status_code == 302
    message = french(app, "One line, without control characters (no line break, tab or NUL).")
    assert message in text_of(agent.get(response.headers["Location"]))
    assert counts(engine) == before
    with Session(engine) as session:
        outage = session.get(Outage, outage_id)
        assert outage is not None and outage.ended_at is None and outage.cancelled_at is None


# -- 5. contracts: a missing id, an amendment naming another contract -------------------------


@pytest.mark.parametrize("suffix", ["", "/amend", "/export.toml"])
def test_a_contract_that_does_not_exist_is_not_found(
    client_as: Client, contracts: dict[str, int], suffix: str
) -> None:
    missing = max(contracts.values()) + 1000
    response = client_as(Role.admin).get(f"/contracts/{missing}{suffix}")
    assert response.status_code == 404


def test_an_amendment_with_another_reference_creates_no_contract(
    app: Flask, client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    admin = client_as(Role.admin)
    url = f"/contracts/{contracts[LIBRICIEL]}/amend"
    page = text_of(admin.get(url))
    document = re.search(r'<textarea id="document"[^>]*>(.*?)</textarea>', page, re.S)
    assert document is not None
    text = document.group(1).replace(f'reference = "{LIBRICIEL}"', 'reference = "D_2099_0001"')
    assert "D_2099_0001" in text
    before = counts(engine)
    response = admin.post(url, data={"csrf_token": csrf_from(admin, url), "document": text})
    assert response.status_code == 400
    message = french(
        app,
        "The document names the contract %(found)s, not %(ref)s: an amendment keeps the "
        "contract's reference. To create another contract, use the import page.",
        found="D_2099_0001",
        ref=LIBRICIEL,
    )
    assert message in text_of(response)
    assert counts(engine) == before
