"""The contract form: create and amend a contract through forms, problems beside their
fields with nothing written, versions, the deadlines preview, export and import, roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from werkzeug.datastructures import MultiDict

from calendars.engine import compiled
from calendars.models import VendorCalendar
from calendars.spec import parse_calendar
from sla.contracts import service
from sla.contracts.document import read_contract_text
from sla.contracts.form_document import field_names
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.support import csrf_from

PARIS = ZoneInfo("Europe/Paris")


class FormReader(HTMLParser):
    """The fields of the page's contract form as a browser would post them (not those of
    its <template> rows): text inputs, checked boxes, selected options, text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.template = 0
        self.select: str | None = None
        self.selected: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and found.get("id") == "contract-form":
            self.in_form = True
        if tag == "template":
            self.template += 1
        if not self.in_form or self.template:
            return
        name = found.get("name")
        if tag == "input" and name and found.get("type") not in ("submit", "button"):
            if found.get("type") == "checkbox" and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "")))
        elif tag == "select" and name:
            self.select, self.selected, self.first_option = name, None, None
        elif tag == "option" and self.select is not None:
            if self.first_option is None:
                self.first_option = found.get("value", "")
            if "selected" in found:
                self.selected = found.get("value", "")
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.template -= 1
        elif tag == "form":
            self.in_form = False
        elif tag == "select" and self.select is not None:
            value = self.selected if self.selected is not None else self.first_option
            self.fields.append((self.select, value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data


def form_of(html: str) -> MultiDict[str, str]:
    reader = FormReader()
    reader.convert_charrefs = True
    reader.feed(html)
    return MultiDict(reader.fields)


def token_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token"
    return match.group(1)


def libriciel(engine: Engine) -> int:
    with session_scope(engine) as session:
        vendor = session.exec(select(Vendor).where(Vendor.name == "Libriciel SCOP")).one()
        assert vendor.id is not None
        return vendor.id


def new_contract(vendor_id: int, **changes: str) -> dict[str, Any]:
    """Two levels, three targets: the GTR of the first measured from its take-charge."""
    fields: dict[str, Any] = {
        "vendor": str(vendor_id),
        "calendars": ["support", "psg"],
        "contract.reference": "ANNEMASSE-PARAPHEUR-2026",
        "contract.title": "Parapheur électronique hébergé",
        "contract.services": "Parapheur\r\nSignature",
        "contract.start": "2026-01-01",
        "contract.initial_months": "12",
        "contract.renewal": "tacit",
        "contract.max_renewals": "3",
        "contract.notice_months": "2",
        "contract.yearly_amount_ht": "2 400,00",
        "contract.calendar": "support",
        "sla.effective_from": "2026-01-01",
        "sla.severities.0.key": "bloquant",
        "sla.severities.0.label": "Bloquant",
        "sla.severities.0.definition": "Plus personne ne signe.",
        "sla.severities.0.targets.0.key": "prise-en-charge",
        "sla.severities.0.targets.0.kind": "first_response",
        "sla.severities.0.targets.0.label": "Prise en compte",
        "sla.severities.0.targets.0.amount": "4",
        "sla.severities.0.targets.0.unit": "business_hours",
        "sla.severities.0.targets.0.from": "report",
        "sla.severities.0.targets.0.pauses": "customer",
        "sla.severities.0.targets.0.pauses_default": "1",
        "sla.severities.0.targets.0.article": "§2.7",
        "sla.severities.0.targets.1.key": "retablissement",
        "sla.severities.0.targets.1.kind": "restoration",
        "sla.severities.0.targets.1.label": "Rétablissement",
        "sla.severities.0.targets.1.amount": "4",
        "sla.severities.0.targets.1.unit": "business_hours",
        "sla.severities.0.targets.1.from": "prise-en-charge",
        "sla.severities.0.targets.1.calendar": "psg",
        "sla.severities.0.targets.1.pauses": ["customer", "third_party"],
        "sla.severities.1.key": "mineur",
        "sla.severities.1.label": "Mineur",
        "sla.severities.1.targets.0.key": "correctif",
        "sla.severities.1.targets.0.kind": "resolution",
        "sla.severities.1.targets.0.label": "Correctif",
        "sla.severities.1.targets.0.unit": "no_fixed_time",
        "sla.severities.1.targets.0.from": "report",
        "sla.severities.1.targets.0.pauses": "customer",
        "sla.severities.1.targets.0.pauses_default": "1",
        "sla.availability.period": "month",
        "action": "save",
    }
    fields.update(changes)
    return fields


def post(client: FlaskClient, url: str, fields: dict[str, Any]) -> Any:
    page = client.get(url)
    return client.post(url, data={**fields, "csrf_token": token_of(page.get_data(as_text=True))})


def versions_of(engine: Engine, reference: str) -> list[ContractVersion]:
    with session_scope(engine) as session:
        contract = session.exec(select(Contract).where(Contract.reference == reference)).first()
        if contract is None:
            return []
        return list(
            session.exec(
                select(ContractVersion)
                .where(ContractVersion.contract_id == contract.id)
                .order_by(col(ContractVersion.number))
            )
        )


def test_an_administrator_creates_a_contract_through_the_form(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    vendor_id = libriciel(engine)
    response = post(admin, "/contracts/new", new_contract(vendor_id))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [version] = versions_of(engine, "ANNEMASSE-PARAPHEUR-2026")
    assert response.headers["Location"].endswith(f"/contracts/{version.contract_id}")
    document = version.document
    assert document["format"] == 2
    assert document["vendor"]["name"] == "Libriciel SCOP"
    assert sorted(document["calendars"]) == ["psg", "support"]
    assert document["contract"]["services"] == ["Parapheur", "Signature"]
    assert document["contract"]["yearly_amount_ht"] == "2400.00"
    first, second = document["sla"]["severities"]
    assert [t["key"] for t in first["targets"]] == ["prise-en-charge", "retablissement"]
    assert first["targets"][1]["from"] == "prise-en-charge"
    assert first["targets"][1]["pauses"] == ["customer", "third_party"]
    assert "pauses" not in first["targets"][0]
    assert second["targets"] == [
        {"key": "correctif", "kind": "resolution", "label": "Correctif", "no_fixed_time": True}
    ]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Parapheur électronique hébergé" in page
    # The vendor and its calendars are as they were: the import's upsert changed nothing.
    with session_scope(engine) as session:
        rows = session.exec(
            select(VendorCalendar).where(VendorCalendar.vendor_id == vendor_id)
        ).all()
        assert {row.key: row.definition for row in rows} == document["calendars"]


def test_a_bad_field_is_named_beside_it_nothing_is_written_and_everything_comes_back(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(
        libriciel(engine),
        **{
            "sla.severities.0.targets.1.amount": "quatre",
            "sla.severities.1.targets.0.key": "correctif",
        },
    )
    fields["sla.severities.1.targets.1.key"] = "correctif"  # a duplicate key in its level
    fields["sla.severities.1.targets.1.kind"] = "resolution"
    fields["sla.severities.1.targets.1.label"] = "Encore"
    fields["sla.severities.1.targets.1.amount"] = "30"
    fields["sla.severities.1.targets.1.unit"] = "calendar_days"
    fields["sla.severities.1.targets.1.from"] = "report"
    fields["sla.severities.1.targets.1.end_of_day"] = "1"
    response = post(admin, "/contracts/new", fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    amount_error = re.search(r'id="f-sla-severities-0-targets-1-amount-error">([^<]*)<', html)
    assert amount_error and amount_error.group(1) == "nombre attendu, et non &#39;quatre&#39;"
    assert 'aria-describedby="f-sla-severities-0-targets-1-amount-error"' in html
    duplicate = re.search(r'id="f-sla-severities-1-targets-1-key-error">([^<]*)<', html)
    assert duplicate and "défini deux fois" in duplicate.group(1)
    assert versions_of(engine, "ANNEMASSE-PARAPHEUR-2026") == []
    # Every value typed comes back in its field.
    typed = MultiDict(
        [
            (name, value)
            for name, values in fields.items()
            if name != "action"
            for value in (values if isinstance(values, list) else [values])
        ]
    )
    shown = form_of(html)
    for name in typed:
        assert sorted(shown.getlist(name)) == sorted(typed.getlist(name)), name


def test_a_missing_vendor_and_an_empty_key_say_so_in_french(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(0, **{"vendor": "", "sla.severities.0.key": ""})
    response = post(admin, "/contracts/new", fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'id="f-vendor-error">[^<]+<', html)
    assert re.search(r'id="f-sla-severities-0-key-error">[^<]+<', html)


def test_an_existing_reference_is_refused_for_a_new_contract(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    response = post(
        admin,
        "/contracts/new",
        new_contract(libriciel(engine), **{"contract.reference": "D_2024_0110"}),
    )
    assert response.status_code == 400
    assert re.search(
        r'id="f-contract-reference-error">[^<]*D_2024_0110', response.get_data(as_text=True)
    )
    assert len(versions_of(engine, "D_2024_0110")) == 1


def test_amending_a_contract_in_force_schedules_version_2(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    contract_id = contracts["MIRAMAS-AUKFOOD-2023"]
    url = f"/contracts/{contract_id}/edit"
    page = admin.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    notice = re.search(r"data-version-notice>(.*?)</div>", html, re.DOTALL)
    assert notice and "version 2" in notice.group(1)
    fields = form_of(html)
    assert fields["sla.severities.1.targets.1.amount"] == "8"  # the GTR of mission 2
    today = utcnow().astimezone(PARIS).date()
    later = today + timedelta(days=30)
    fields["sla.severities.1.targets.1.amount"] = "6"
    # The same date as version 1 is refused, with the import's own words, beside the date.
    fields["csrf_token"] = token_of(html)
    refused = admin.post(url, data=fields)
    assert refused.status_code == 400
    assert re.search(
        r'id="f-sla-effective_from-error">[^<]*2023-10-01', refused.get_data(as_text=True)
    )
    assert len(versions_of(engine, "MIRAMAS-AUKFOOD-2023")) == 1
    fields["sla.effective_from"] = later.isoformat()
    fields["action"] = "save"
    response = admin.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    _first, second = versions_of(engine, "MIRAMAS-AUKFOOD-2023")
    assert second.number == 2 and second.effective_from == later
    assert second.document["sla"]["severities"][1]["targets"][1]["business_hours"] == 6
    with session_scope(engine) as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        assert service.version_in_force(session, contract, today).number == 1
        assert service.version_in_force(session, contract, later).number == 2
    shown = admin.get(f"/contracts/{contract_id}").get_data(as_text=True)
    assert 'data-version-state="scheduled"' in shown


def test_saving_an_unchanged_form_makes_no_version(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    created = post(admin, "/contracts/new", new_contract(libriciel(engine)))
    assert created.status_code == 302
    [version] = versions_of(engine, "ANNEMASSE-PARAPHEUR-2026")
    url = f"/contracts/{version.contract_id}/edit"
    html = admin.get(url).get_data(as_text=True)
    fields = form_of(html)
    fields["csrf_token"] = token_of(html)
    fields["action"] = "save"
    response = admin.post(url, data=fields)
    assert response.status_code == 302
    assert [v.number for v in versions_of(engine, "ANNEMASSE-PARAPHEUR-2026")] == [1]


def test_a_contract_made_by_the_form_exports_and_imports_back_identical(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine))
    fields.update(
        {
            "contract.unit_prices.0.label": "Ticket",
            "contract.unit_prices.0.unit": "ticket de 15 minutes",
            "contract.unit_prices.0.amount_ht": "25",
            "contract.unit_prices.0.minutes": "15",
            "contract.unit_prices.0.severities": "bloquant",
            "sla.exclusions.0.key": "tiers",
            "sla.exclusions.0.text": "Le problème vient d'un tiers.\r\nSur deux lignes.",
            "sla.exclusions.0.targets": "retablissement",
            "sla.availability.target_percent": "98",
            "sla.availability.calendar": "psg",
            "alerts.contacts": "dsi@ville.example\r\nchef@ville.example",
            "alerts.escalate_to_vendor": "1",
            "sla.severities.0.alerts.warn_used_ratio": "0,4",
        }
    )
    assert post(admin, "/contracts/new", fields).status_code == 302
    with session_scope(engine) as session:
        contract = session.exec(
            select(Contract).where(Contract.reference == "ANNEMASSE-PARAPHEUR-2026")
        ).one()
        version = service.latest_version(session, contract)
        assert version.document["alerts"]["severities"] == {"bloquant": {"warn_used_ratio": 0.4}}
        text = service.export_contract(session, contract)
        document = read_contract_text(text, "export.toml")
        assert document.data == version.document
        [outcome] = service.import_documents(session, [("export.toml", document)], now=utcnow())
        assert outcome.action == "unchanged"
    assert len(versions_of(engine, "ANNEMASSE-PARAPHEUR-2026")) == 1


def test_the_preview_shows_each_deadline_for_the_instant_chosen(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine))
    fields.pop("action")
    monday = "2025-03-03T10:00"  # a Monday, no holiday
    fields["preview_at"] = monday
    fields["csrf_token"] = token_of(admin.get("/contracts/new").get_data(as_text=True))
    response = admin.post("/contracts/form/preview", data=fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Independently: 4 business hours from Monday 10:00 in 9-12 / 14-18 are 10-12 and 14-16.
    with session_scope(engine) as session:
        row = session.exec(
            select(VendorCalendar).where(
                VendorCalendar.vendor_id == libriciel(engine), VendorCalendar.key == "support"
            )
        ).one()
        definition = row.definition
    assert definition["hours"]["mon"] == ["09:00-12:00", "14:00-18:00"]
    start = datetime(2025, 3, 3, 10, 0, tzinfo=PARIS)
    expected = compiled(parse_calendar(definition)).deadline(start, 4 * 3600)
    assert expected == datetime(2025, 3, 3, 16, 0, tzinfo=PARIS)
    item = re.search(r'data-target="prise-en-charge">(.*?)</li>', html, re.DOTALL)
    assert item and "3 mars 2025 16:00" in item.group(1), html
    pending = re.search(r'data-target="retablissement">(.*?)</li>', html, re.DOTALL)
    assert pending and "Prise en compte" in pending.group(1)  # waits for its origin
    assert "<strong>" not in pending.group(1)
    open_ended = re.search(r'data-target="correctif">(.*?)</li>', html, re.DOTALL)
    assert open_ended and "sans délai fixé" in open_ended.group(1)
    # The page without JavaScript shows the same preview.
    fields["action"] = "preview"
    page = admin.post("/contracts/new", data=fields)
    assert page.status_code == 200
    assert "3 mars 2025 16:00" in page.get_data(as_text=True)
    assert versions_of(engine, "ANNEMASSE-PARAPHEUR-2026") == []


def test_the_preview_lists_what_keeps_it_from_reading_the_levels(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine), **{"sla.severities.0.targets.0.amount": "quatre"})
    fields["csrf_token"] = token_of(admin.get("/contracts/new").get_data(as_text=True))
    html = admin.post("/contracts/form/preview", data=fields).get_data(as_text=True)
    assert "nombre attendu, et non &#39;quatre&#39;" in html
    assert "data-target=" not in html


def test_rows_without_javascript_keep_what_was_typed(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine), action="add-target:1")
    response = post(admin, "/contracts/new", fields)
    assert response.status_code == 200
    shown = form_of(response.get_data(as_text=True))
    assert shown["sla.severities.0.targets.1.label"] == "Rétablissement"
    assert shown["sla.severities.1.targets.1.unit"] == "business_hours"
    assert shown.getlist("sla.severities.1.targets.1.pauses") == ["customer"]
    shown["action"] = "up-severity:1"
    shown["csrf_token"] = token_of(response.get_data(as_text=True))
    moved = form_of(admin.post("/contracts/new", data=shown).get_data(as_text=True))
    assert moved["sla.severities.0.key"] == "mineur"
    assert moved["sla.severities.1.targets.1.from"] == "prise-en-charge"
    assert versions_of(engine, "ANNEMASSE-PARAPHEUR-2026") == []


def test_the_page_shows_every_field_a_problem_can_name(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int]
) -> None:
    admin = client_as(Role.admin)
    for reference, contract_id in contracts.items():
        html = admin.get(f"/contracts/{contract_id}/edit").get_data(as_text=True)
        fields = form_of(html)
        names = set(re.findall(r'name="([^"#]+)"', html))
        # The lists of levels and of penalty clauses show their problems above their rows.
        missing = field_names(fields) - names - {"sla.severities", "penalties.clauses", "vendor"}
        assert not missing, (reference, sorted(missing))


def test_new_contract_of_a_vendor_picks_its_calendars(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    html = admin.get(f"/contracts/new?vendor_id={libriciel(engine)}").get_data(as_text=True)
    fields = form_of(html)
    assert sorted(fields.getlist("calendars")) == ["psg", "support"]
    assert fields["contract.calendar"] in ("psg", "support")


def test_only_administrators_use_the_form(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int]
) -> None:
    contract_id = contracts["MIRAMAS-AUKFOOD-2023"]
    for role in (Role.viewer, Role.agent):
        client = client_as(role)
        assert client.get("/contracts/new").status_code == 403
        assert client.get(f"/contracts/{contract_id}/edit").status_code == 403
        token = csrf_from(client, "/")
        for url in ("/contracts/new", "/contracts/form/preview"):
            assert client.post(url, data={"csrf_token": token}).status_code == 403
    admin = client_as(Role.admin)
    assert admin.get("/contracts/9999/edit").status_code == 404


def test_dates_stay_as_typed_when_they_are_no_dates(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    response = post(
        admin, "/contracts/new", new_contract(libriciel(engine), **{"contract.start": "2026-02-30"})
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert form_of(html)["contract.start"] == "2026-02-30"
    assert re.search(r'id="f-contract-start-error">[^<]+<', html)


def test_editing_only_the_contract_keeps_the_sla_and_its_date(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    contract_id = contracts["D_2024_0110"]
    url = f"/contracts/{contract_id}/edit"
    html = admin.get(url).get_data(as_text=True)
    fields = form_of(html)
    fields["csrf_token"] = token_of(html)
    fields["action"] = "save"
    # Saved as it is: nothing changes, whatever the format the SLA was written in.
    unchanged = admin.post(url, data=fields)
    assert unchanged.status_code == 302
    assert [v.number for v in versions_of(engine, "D_2024_0110")] == [1]
    fields["contract.title"] = "Maintenance, hébergement et assistance ComElus"
    assert admin.post(url, data=fields).status_code == 302
    first, second = versions_of(engine, "D_2024_0110")
    assert second.document["contract"]["title"] == fields["contract.title"]
    assert second.document["sla"] == first.document["sla"]
    assert second.effective_from == first.effective_from


def test_choosing_a_vendor_without_javascript_picks_its_calendars(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine), action="vendor", calendars=[])
    fields["contract.calendar"] = ""
    response = post(admin, "/contracts/new", fields)
    assert response.status_code == 200
    shown = form_of(response.get_data(as_text=True))
    assert sorted(shown.getlist("calendars")) == ["psg", "support"]
    assert shown["contract.title"] == "Parapheur électronique hébergé"


@pytest.mark.parametrize(
    "change",
    [
        {"contract.initial_months": "1000000000"},
        {"contract.yearly_amount_ht": "1e400"},
        {"sla.severities.0.targets.0.unit": "months", "sla.severities.0.targets.0.amount": "9e8"},
        {"sla.severities.0.targets.0.amount": "1e300"},
        {"preview_at": "2025-02-30T10:00", "vendor": "abc"},
        {"action": "up-severity:99999"},
    ],
)
def test_odd_input_never_answers_500(
    client_as: Callable[[Role], FlaskClient],
    contracts: dict[str, int],
    engine: Engine,
    change: dict[str, str],
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine), **change)
    fields["csrf_token"] = token_of(admin.get("/contracts/new").get_data(as_text=True))
    for url in ("/contracts/new", "/contracts/form/preview"):
        response = admin.post(url, data=fields)
        assert response.status_code < 500, (url, change)
    assert versions_of(engine, "ANNEMASSE-PARAPHEUR-2026") == []


def test_an_expired_token_brings_the_form_back_as_typed_and_writes_nothing(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine))
    response = admin.post("/contracts/new", data={**fields, "csrf_token": "expired"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Le formulaire a expiré" in page
    assert form_of(page)["contract.reference"] == "ANNEMASSE-PARAPHEUR-2026"
    assert versions_of(engine, "ANNEMASSE-PARAPHEUR-2026") == []
