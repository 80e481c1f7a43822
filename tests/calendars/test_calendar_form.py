"""The calendar form: an administrator types a calendar (split shifts, a short Friday, Alsace's
holidays, a closure, a holiday worked anyway); what is stored is what the TOML reader reads
for the same calendar; the preview names the holidays; rows come and go without JavaScript;
a wrong range comes back beside its day, nothing written."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import holidays
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.engine import Engine
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from calendars import form_data
from calendars.holiday_sets import holiday_sets
from calendars.models import VendorCalendar
from calendars.spec import load_calendar_file, parse_calendar
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.db import session_scope, utcnow
from sla.errors import reader_words
from sla.web.i18n import local_day
from sla.web.roles import Role
from tests.conftest import EXAMPLES
from tests.support import csrf_from

YEAR = utcnow().year
ALSACE = holidays.country_holidays("FR", subdiv="6AE", years=YEAR, language="fr")
WHIT_MONDAY = next(day for day, name in ALSACE.items() if name == "Lundi de Pentecôte")
GOOD_FRIDAY = next(day for day, name in ALSACE.items() if name == "Vendredi saint")
SPLIT = [("09:00", "12:00"), ("14:00", "18:00")]
SHORT_FRIDAY = [("09:00", "12:00"), ("14:00", "17:00")]

# The same calendar as a contract document writes it.
TOML = f"""
name = "Support Alsace"
timezone = "Europe/Paris"
holidays = "FR-6AE"
closed_dates = ["{YEAR}-08-10..{YEAR}-08-14"]
worked_holidays = ["{WHIT_MONDAY.isoformat()}"]
[hours]
mon = ["09:00-12:00", "14:00-18:00"]
tue = ["09:00-12:00", "14:00-18:00"]
wed = ["09:00-12:00", "14:00-18:00"]
thu = ["09:00-12:00", "14:00-18:00"]
fri = ["09:00-12:00", "14:00-17:00"]
"""


def _form(vendor: int, **changes: Any) -> list[tuple[str, str]]:
    """The fields a browser posts for the calendar above (rows as repeated names)."""
    hours: dict[str, list[tuple[str, str]]] = {
        **{day: SPLIT for day in ("mon", "tue", "wed", "thu")},
        "fri": SHORT_FRIDAY,
        **changes.pop("hours", {}),
    }
    fields = [
        ("owner", str(vendor)),
        ("key", "support-alsace"),
        ("name", "Support Alsace"),
        ("timezone", "Europe/Paris"),
        ("holidays", "FR-6AE"),
        ("description", ""),
        ("closure-first", f"{YEAR}-08-10"),
        ("closure-last", f"{YEAR}-08-14"),
        ("worked", WHIT_MONDAY.isoformat()),
    ]
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        fields.append((f"{day}-mode", "hours" if hours.get(day) else "closed"))
        for start, end in hours.get(day, []):
            fields += [(f"{day}-start", start), (f"{day}-end", end)]
    return [(name, changes.get(name, value)) for name, value in fields]


def _post(client: FlaskClient, url: str, fields: list[tuple[str, str]], action: str) -> Any:
    token = csrf_from(client, "/calendars/new")
    body = [*fields, ("csrf_token", token), ("action", action)]
    return client.post(url, data=_multi(body))


def _multi(pairs: list[tuple[str, str]]) -> MultiDict[str, str]:
    return MultiDict(pairs)


@pytest.fixture
def vendor_id(engine: Engine) -> int:
    with session_scope(engine) as session:
        vendor = Vendor(name="Libriciel SCOP", created_at=utcnow())
        session.add(vendor)
        session.flush()
        assert vendor.id is not None
        return vendor.id


@pytest.fixture
def admin(client_as: Callable[[Role], FlaskClient]) -> FlaskClient:
    return client_as(Role.admin)


def _calendars(engine: Engine) -> list[VendorCalendar]:
    with session_scope(engine) as session:
        return list(session.exec(select(VendorCalendar)))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_a_calendar_typed_is_stored_as_the_toml_reader_reads_it(
    admin: FlaskClient, engine: Engine, vendor_id: int, tmp_path: Path
) -> None:
    page = admin.get("/calendars/new").get_data(as_text=True)
    assert f'<option value="{vendor_id}">Libriciel SCOP</option>' in page
    assert '<option value="FR-6AE">France — Alsace (FR-6AE)</option>' in page
    assert "<option selected>Europe/Paris</option>" in page

    saved = _post(admin, "/calendars/new", _form(vendor_id), "save")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    [record] = _calendars(engine)
    assert saved.headers["Location"].endswith(f"/calendars/{record.id}")
    assert (record.vendor_id, record.key, record.name) == (
        vendor_id,
        "support-alsace",
        "Support Alsace",
    )
    assert record.definition == tomllib.loads(TOML)
    file = tmp_path / "support-alsace.toml"
    file.write_text(TOML)
    spec = parse_calendar(record.definition)
    assert spec == load_calendar_file(file)
    assert spec.hours[4] == ((9 * 3600, 12 * 3600), (14 * 3600, 17 * 3600))
    assert date(YEAR, 8, 12) in spec.closed_dates and WHIT_MONDAY in spec.worked_holidays


def test_the_preview_names_the_closed_days(
    app: Flask, admin: FlaskClient, engine: Engine, vendor_id: int
) -> None:
    shown = _post(admin, "/calendars/new", _form(vendor_id), "preview")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    closed = _text(page[page.index('class="preview-closed"') :])
    with app.test_request_context(), force_locale("fr"):
        boxing_day = f"{local_day(date(YEAR, 12, 26))} — Saint-Étienne"
        good_friday = f"{local_day(GOOD_FRIDAY)} — Vendredi saint"
        closure = f"{local_day(date(YEAR, 8, 12))} — fermeture"
        whit_monday = local_day(WHIT_MONDAY)
    assert boxing_day in closed and good_friday in closed and closure in closed
    assert whit_monday not in closed  # worked anyway
    assert len(re.findall(r"<tr class=\"", page[page.index('class="preview-days"') :])) == 28
    assert _calendars(engine) == []

    # The script's fragment: the same preview alone, or the problem instead of a 500.
    token = csrf_from(admin, "/calendars/new")
    fragment = admin.post(
        "/calendars/preview", data=_multi([*_form(vendor_id), ("csrf_token", token)])
    )
    assert fragment.status_code == 200 and "Saint-Étienne" in fragment.get_data(as_text=True)
    bad = _form(vendor_id, hours={"mon": [("18:00", "09:00")]})
    refused = admin.post("/calendars/preview", data=_multi([*bad, ("csrf_token", token)]))
    assert refused.status_code == 200  # the preview says what is wrong: no console error
    assert "Lundi" in _text(refused.get_data(as_text=True))
    assert "'18:00-09:00'" in _text(refused.get_data(as_text=True))


def test_rows_are_added_and_removed_without_javascript(
    admin: FlaskClient, engine: Engine, vendor_id: int
) -> None:
    typed = _form(vendor_id, name="Support typé", hours={"mon": [("08:30", "12:15")]})
    added = _post(admin, "/calendars/new", typed, "add-range:mon")
    assert added.status_code == 200
    page = added.get_data(as_text=True)
    monday = page[page.index('id="day-mon"') : page.index('id="day-tue"')]
    monday_rows = monday[: monday.index("<template")]
    assert monday_rows.count('name="mon-start"') == 2  # the one typed and a new empty one
    assert 'value="08:30"' in monday_rows and 'value="12:15"' in monday_rows
    assert 'value="Support typé"' in page
    assert f'value="{WHIT_MONDAY.isoformat()}"' in page
    assert _calendars(engine) == []

    # Closing Saturday, adding a range to it opens it; removing the first closure keeps the rest.
    two_closures = [*typed, ("closure-first", f"{YEAR}-11-02"), ("closure-last", "")]
    removed = _post(admin, "/calendars/new", two_closures, "remove-closure:0")
    page = removed.get_data(as_text=True)
    closures = page[page.index('data-rows="closure"') : page.index('data-template="closure"')]
    assert closures.count('name="closure-first"') == 1 and f"{YEAR}-11-02" in closures
    opened = _post(admin, "/calendars/new", typed, "add-range:sat").get_data(as_text=True)
    assert re.search(r'name="sat-mode" value="hours" checked', opened)


def test_a_reversed_range_comes_back_beside_monday(
    app: Flask, admin: FlaskClient, engine: Engine, vendor_id: int
) -> None:
    bad = _form(vendor_id, hours={"mon": [("18:00", "09:00")]})
    refused = _post(admin, "/calendars/new", bad, "save")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    monday = page[page.index('id="day-mon"') : page.index('id="day-tue"')]
    match = re.search(r'<p class="error" id="hours-mon-error">(.*?)</p>', monday)
    assert match
    with app.test_request_context(), force_locale("fr"):
        expected = reader_words("calendar.interval_reversed", {"value": "'18:00-09:00'"})
    assert html.unescape(match.group(1)) == expected
    assert "se termine avant" in expected or "ends before" in expected
    assert 'value="18:00"' in monday and 'value="09:00"' in monday
    assert 'value="support-alsace"' in page
    assert _calendars(engine) == []


def test_a_key_taken_and_a_missing_vendor_are_refused(
    admin: FlaskClient, engine: Engine, vendor_id: int
) -> None:
    assert _post(admin, "/calendars/new", _form(vendor_id), "save").status_code == 302
    again = _post(admin, "/calendars/new", _form(vendor_id), "save")
    assert again.status_code == 422
    assert 'id="key-error"' in again.get_data(as_text=True)
    no_owner = _post(admin, "/calendars/new", _form(vendor_id, owner="", key="Bad key"), "save")
    page = no_owner.get_data(as_text=True)
    assert no_owner.status_code == 422
    assert 'id="owner-error"' in page and 'id="key-error"' in page
    assert len(_calendars(engine)) == 1


def test_editing_a_calendar_leaves_the_contracts_copies_alone(
    admin: FlaskClient, engine: Engine, contracts: dict[str, int]
) -> None:
    with session_scope(engine) as session:
        contract = session.get(Contract, contracts["D_2024_0110"])
        assert contract is not None
        record = session.exec(
            select(VendorCalendar).where(
                VendorCalendar.vendor_id == contract.vendor_id, VendorCalendar.key == "support"
            )
        ).one()
        before = [v.document for v in session.exec(select(ContractVersion))]
    url = f"/calendars/{record.id}/edit"
    page = admin.get(url).get_data(as_text=True)
    assert 'value="14:00"' in page and 'value="FR" selected' in page
    assert "amend the contract" in page or "avenant" in page
    fields = _form(contract.vendor_id, key="support", name="Support Libriciel (été)")
    saved = _post(admin, url, fields, "save")
    assert saved.status_code == 302
    with session_scope(engine) as session:
        edited = session.get(VendorCalendar, record.id)
        assert edited is not None and edited.definition == {
            **tomllib.loads(TOML),
            "name": "Support Libriciel (été)",
        }
        assert [v.document for v in session.exec(select(ContractVersion))] == before


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_calendar_comes_back_from_the_form_unchanged(path: Path) -> None:
    for key, table in tomllib.loads(path.read_text()).get("calendars", {}).items():
        data = form_data.form_of(1, key, str(table.get("name", key)), table)
        built = form_data.build_calendar(data).definition
        assert parse_calendar(built) == parse_calendar(table, name=key), key


def test_the_holiday_sets_name_france_and_its_subdivisions() -> None:
    names = {entry.code: entry.name for entry in holiday_sets()}
    assert names["FR"] == "France"
    assert names["FR-6AE"] == "Alsace" and names["FR-57"] == "Moselle"
    assert names["FR-974"] == "La Réunion" and names["FR-BL"] == "Saint-Barthélemy"
    assert not any("Zone" in code for code in names)  # school zones are no public holidays


@pytest.mark.parametrize("role", [Role.viewer, Role.agent])
def test_only_admins_reach_the_calendar_form(
    client_as: Callable[[Role], FlaskClient], engine: Engine, vendor_id: int, role: Role
) -> None:
    with session_scope(engine) as session:
        record = VendorCalendar(vendor_id=vendor_id, key="x", definition=tomllib.loads(TOML))
        session.add(record)
        session.flush()
        calendar_id = record.id
    client = client_as(role)
    assert client.get("/calendars/new").status_code == 403
    assert client.get(f"/calendars/{calendar_id}/edit").status_code == 403
    token = csrf_from(client, f"/calendars/{calendar_id}")
    for url in ("/calendars/new", "/calendars/preview", f"/calendars/{calendar_id}/edit"):
        body = _multi([*_form(vendor_id), ("csrf_token", token)])
        assert client.post(url, data=body).status_code == 403
    assert 'href="/calendars/new"' not in client.get("/calendars/").get_data(as_text=True)
    shown = client.get(f"/calendars/{calendar_id}").get_data(as_text=True)
    assert f'href="/calendars/{calendar_id}/edit"' not in shown


def test_every_problem_is_found_each_beside_its_field() -> None:
    data = form_data.blank_form()
    data.ranges["mon"][0] = form_data.TimeRow("18:00", "09:00")
    data.modes["sat"] = form_data.HOURS
    data.ranges["sat"] = [form_data.TimeRow("09:00", "")]
    data.closures = [form_data.DateRow(), form_data.DateRow(f"{YEAR}-12-31", f"{YEAR}-12-01")]
    data.worked = ["", "lundi"]
    spec, problems = form_data.check_calendar(form_data.build_calendar(data))
    assert spec is None
    assert [(where, error.code) for where, error in problems] == [
        ("hours-mon", "calendar.interval_reversed"),
        ("hours-sat", "calendar.interval_format"),
        ("closure-1", "calendar.range_reversed"),  # the blank row 0 is left out
        ("worked-1", "calendar.bad_date"),
    ]
    data.modes = dict.fromkeys(data.modes, form_data.CLOSED)
    spec, problems = form_data.check_calendar(form_data.build_calendar(data))
    assert [(where, error.code) for where, error in problems] == [
        ("hours", "calendar.never_opens"),
        ("closure-1", "calendar.range_reversed"),
        ("worked-1", "calendar.bad_date"),
    ]


def test_a_day_round_the_clock_and_an_evening_until_midnight() -> None:
    data = form_data.blank_form()
    data.modes["sat"] = form_data.ALWAYS
    data.ranges["sun"] = [form_data.TimeRow("18:00", "00:00")]  # a time input has no 24:00
    data.modes["sun"] = form_data.HOURS
    built = form_data.build_calendar(data).definition
    assert built["hours"]["sat"] == ["00:00-24:00"] and built["hours"]["sun"] == ["18:00-24:00"]
    back = form_data.form_of(1, "k", "K", built)
    assert back.modes["sat"] == form_data.ALWAYS and back.ranges["sat"] == []
    assert back.ranges["sun"] == [form_data.TimeRow("18:00", "00:00")]
    assert back.holidays == "FR" and back.closures == [] and back.worked == []


def test_a_day_with_hours_chosen_but_none_typed_is_refused_not_saved_closed(
    admin: FlaskClient, engine: Engine, vendor_id: int
) -> None:
    fields = _form(vendor_id, hours={"mon": [("", "")]})
    assert ("mon-mode", "hours") in fields
    refused = _post(admin, "/calendars/new", fields, "save")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    monday = page[page.index('id="day-mon"') : page.index('id="day-tue"')]
    assert 'id="hours-mon-error"' in monday
    assert "Fermé" in _text(monday)
    assert _calendars(engine) == []
