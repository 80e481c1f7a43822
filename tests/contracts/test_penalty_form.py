"""The contract form's "Penalties" part: the illustrative contract through the form and back,
only the keys a clause's kind reads written, no [penalties] table for a part left empty,
problems beside their fields in French, rows added and moved, and the page itself."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from werkzeug.datastructures import MultiDict

from sla.contracts import service
from sla.contracts.document import parse_document, read_contract_text
from sla.contracts.form_document import (
    apply_action,
    blank_form,
    document_to_form,
    field_for,
    field_names,
    form_to_document,
    keeping_unchanged,
    place_problems,
)
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.contracts.test_contract_form import (
    form_of,
    libriciel,
    new_contract,
    post,
    token_of,
    versions_of,
)

ILLUSTRATIVE = (
    Path(__file__).resolve().parents[2] / "examples" / "illustrative" / "exemple-penalites.toml"
)
REFERENCE = "ANNEMASSE-PARAPHEUR-2026"  # the contract `new_contract` fills in


def illustrative() -> dict[str, Any]:
    return tomllib.loads(ILLUSTRATIVE.read_text(encoding="utf-8"))


def through_form(data: dict[str, Any]) -> dict[str, Any]:
    form = document_to_form(data, vendor_id=7)
    return form_to_document(form, vendor=data["vendor"], calendars=data["calendars"])


def document_of(form: MultiDict[str, str]) -> dict[str, Any]:
    data = illustrative()
    return form_to_document(form, vendor=data["vendor"], calendars=data["calendars"])


def test_the_illustrative_contract_goes_through_the_form_unchanged() -> None:
    original = illustrative()
    form = document_to_form(original, vendor_id=7)
    assert form.getlist("penalties.clauses.0.targets") == ["gtr"]
    assert form["penalties.clauses.0.severities"] == "bloquant"
    assert form["penalties.caps.1.percent"] == "10"
    back = through_form(original)
    assert back["penalties"] == original["penalties"]
    document, problems = parse_document(back)
    assert problems == [] and document is not None
    first, _problems = parse_document(original)
    assert first is not None
    assert document.data == first.data  # the whole document, as a version stores it
    assert document.sla.penalties == first.sla.penalties


def test_a_clause_writes_only_the_keys_its_kind_reads_and_none_empty() -> None:
    form = document_to_form(illustrative(), vendor_id=7)
    name = "penalties.clauses.2."  # per_breach
    assert form[name + "kind"] == "per_breach"
    form[name + "unit"] = "calendar_day"
    form[name + "grace"] = "3"
    form[name + "divisor"] = "1000"
    form[name + "step"] = "point"
    form[name + "value_ht"] = ""
    form[name + "article"] = "  "
    clause = document_of(form)["penalties"]["clauses"][2]
    assert clause == {
        "key": "prise-en-charge",
        "kind": "per_breach",
        "label": "30 € HT forfaitaires par prise en charge hors délai",
        "targets": ["prise-en-charge"],
        "amount_ht": "30.00",
    }
    # An availability clause keeps its amount and step, never targets or levels.
    name = "penalties.clauses.4."
    form.setlist(name + "targets", ["gtr"])
    form[name + "severities"] = "bloquant"
    form[name + "amount_ht"] = "1 500,5"
    form[name + "step"] = "point"
    availability = document_of(form)["penalties"]["clauses"][4]
    assert "targets" not in availability and "severities" not in availability
    assert availability["amount_ht"] == "1500.5" and availability["step"] == "point"
    _document, problems = parse_document(document_of(form))
    assert problems == []


def test_a_kind_the_form_does_not_know_writes_every_key_typed_for_the_reader_to_name() -> None:
    form = document_to_form(illustrative(), vendor_id=7)
    form["penalties.clauses.0.kind"] = "bonus"
    form["penalties.clauses.0.value_ht"] = "10"
    clause = document_of(form)["penalties"]["clauses"][0]
    assert clause["kind"] == "bonus" and clause["value_ht"] == "10"
    _document, problems = parse_document(document_of(form))
    by_field, elsewhere = place_problems(problems, form)
    assert [p.code for p in by_field["penalties.clauses.0.kind"]] == ["document.not_one_of"]
    assert elsewhere == []


def test_a_part_left_empty_writes_no_penalties_table() -> None:
    form = blank_form(vendor_id=1)
    assert form["penalties.answer_days"] == "15"  # the CCAG-TIC's answer period, ready
    grown = apply_action(apply_action(form, "add-clause") or form, "add-cap")
    assert grown is not None
    assert grown["penalties.clauses.0.kind"] == "formula"
    assert grown["penalties.clauses.0.unit"] == "calendar_day"
    assert grown["penalties.clauses.0.divisor"] == "1000"
    assert grown["penalties.caps.0.per"] == "year"
    assert "penalties" not in form_to_document(grown, vendor={}, calendars={})
    # A contract without penalties goes through the form without any either.
    data = illustrative()
    del data["penalties"]
    assert "penalties" not in through_form(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("penalties.clauses.0.label", "Retard"),
        ("penalties.caps.0.percent", "5"),
        ("penalties.threshold_ht", "1000"),
        ("penalties.answer_days", "30"),
    ],
)
def test_one_field_typed_writes_the_table_and_the_reader_says_what_it_lacks(
    field: str, value: str
) -> None:
    form = apply_action(apply_action(blank_form(1), "add-clause") or blank_form(1), "add-cap")
    assert form is not None
    form[field] = value
    document = form_to_document(form, vendor={}, calendars={})
    assert "penalties" in document
    _parsed, problems = parse_document(document)
    by_field, _elsewhere = place_problems(problems, form)
    assert any(name.startswith("penalties.") for name in by_field), by_field


def test_without_a_clause_the_list_of_clauses_says_so() -> None:
    form = blank_form(vendor_id=1)
    form["penalties.threshold_ht"] = "1000"
    _parsed, problems = parse_document(form_to_document(form, vendor={}, calendars={}))
    by_field, _elsewhere = place_problems(problems, form)
    assert [p.code for p in by_field["penalties.clauses"]] == ["document.no_penalty_clause"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("penalties", "clauses", 0, "amount_ht"), "penalties.clauses.0.amount_ht"),
        (("penalties", "clauses", 3, "targets"), "penalties.clauses.3.targets"),
        (("penalties", "clauses", 1, "key"), "penalties.clauses.1.key"),
        (("penalties", "clauses"), "penalties.clauses"),
        (("penalties", "caps", 1), "penalties.caps.1.percent"),
        (("penalties", "caps", 0, "per"), "penalties.caps.0.per"),
        (("penalties", "threshold_ht"), "penalties.threshold_ht"),
        (("penalties", "notify_to"), "penalties.notify_to"),
        (("penalties", "clauses", 9, "key"), None),  # no such row in the form
        (("penalties", "clauses", 0, "unknown"), None),
        (("penalties",), None),
    ],
)
def test_a_penalty_problem_names_its_field(path: tuple[Any, ...], field: str | None) -> None:
    form = document_to_form(illustrative(), vendor_id=1)
    assert field_for(path, form) == field
    if field is not None:
        assert field in field_names(form)


def test_every_problem_of_a_bad_penalties_table_lands_beside_a_field() -> None:
    form = document_to_form(illustrative(), vendor_id=1)
    form["penalties.answer_days"] = "quinze"
    form["penalties.notify_to"] = "pas une adresse"
    form["penalties.clauses.0.amount_ht"] = "abc"
    form["penalties.clauses.1.key"] = "gtr-bloquant"  # twice
    form["penalties.clauses.2.targets"] = "inconnu"
    form["penalties.clauses.3.unit"] = "fortnight"
    form["penalties.caps.0.percent"] = "5"  # and its amount: both
    _parsed, problems = parse_document(document_of(form))
    by_field, elsewhere = place_problems(problems, form)
    assert elsewhere == []
    # The first problem of each field (the reader also finds the bad amount missing).
    assert {name: found[0].code for name, found in by_field.items()} == {
        "penalties.answer_days": "document.expected_integer",
        "penalties.notify_to": "document.bad_email",
        "penalties.clauses.0.amount_ht": "document.expected_amount",
        "penalties.clauses.1.key": "document.duplicate_clause",
        "penalties.clauses.2.targets": "document.unknown_target",
        "penalties.clauses.3.unit": "document.not_one_of",
        "penalties.caps.0.percent": "document.one_cap",
    }


def test_clause_rows_move_and_go_with_their_ticked_targets() -> None:
    form = document_to_form(illustrative(), vendor_id=1)
    moved = apply_action(form, "up-clause:2")
    assert moved is not None
    assert moved["penalties.clauses.1.key"] == "prise-en-charge"
    assert moved.getlist("penalties.clauses.1.targets") == ["prise-en-charge"]
    keys = [c["key"] for c in document_of(moved)["penalties"]["clauses"]]
    assert keys == ["gtr-bloquant", "prise-en-charge", "gtr-majeur", "correctif", "disponibilite"]
    removed = apply_action(moved, "remove-cap:0")
    assert removed is not None
    assert document_of(removed)["penalties"]["caps"] == [{"per": "year", "percent": 10}]


def test_targets_ticked_in_another_order_change_nothing() -> None:
    original = illustrative()
    original["penalties"]["clauses"][0]["targets"] = ["gtr", "correctif"]
    form = document_to_form(original, vendor_id=7)
    form.setlist("penalties.clauses.0.targets", ["correctif", "gtr"])  # the page's order
    document = form_to_document(form, vendor=original["vendor"], calendars=original["calendars"])
    assert keeping_unchanged(document, original) == original
    form["penalties.clauses.0.amount_ht"] = "60.00"
    changed = keeping_unchanged(
        form_to_document(form, vendor=original["vendor"], calendars=original["calendars"]),
        original,
    )
    assert changed["penalties"]["clauses"][0]["amount_ht"] == "60.00"
    assert changed["sla"] == original["sla"]  # the SLA, untouched, as it was written


# -- through the page ------------------------------------------------------------------------


def with_penalties(vendor_id: int, **changes: Any) -> dict[str, Any]:
    """The form's contract with a per-unit clause on its first level's restoration and a
    yearly cap of 10 % of its yearly amount (2 400,00 € HT)."""
    fields = new_contract(vendor_id)
    fields.update(
        {
            "penalties.article": "CCAP art. 9",
            "penalties.answer_days": "15",
            "penalties.clauses.0.key": "retablissement-bloquant",
            "penalties.clauses.0.kind": "per_unit",
            "penalties.clauses.0.label": "50 € HT par heure ouvrée de retard",
            "penalties.clauses.0.article": "CCAP art. 9.2",
            "penalties.clauses.0.targets": ["retablissement"],
            "penalties.clauses.0.severities": "bloquant",
            "penalties.clauses.0.unit": "business_hour",
            "penalties.clauses.0.amount_ht": "50,00",
            "penalties.clauses.0.grace": "1",
            "penalties.clauses.0.divisor": "1000",  # the formula's, not saved for this kind
            "penalties.caps.0.per": "year",
            "penalties.caps.0.percent": "10",
        }
    )
    fields.update(changes)
    return fields


def test_a_contract_is_created_with_a_clause_and_a_yearly_cap(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    response = post(admin, "/contracts/new", with_penalties(libriciel(engine)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [version] = versions_of(engine, REFERENCE)
    assert version.document["penalties"] == {
        "article": "CCAP art. 9",
        "answer_days": 15,
        "clauses": [
            {
                "key": "retablissement-bloquant",
                "kind": "per_unit",
                "label": "50 € HT par heure ouvrée de retard",
                "article": "CCAP art. 9.2",
                "targets": ["retablissement"],
                "severities": ["bloquant"],
                "unit": "business_hour",
                "amount_ht": "50.00",
                "grace": 1,
            }
        ],
        "caps": [{"per": "year", "percent": 10}],
    }
    # The form of the contract saved shows the clause, its target ticked; saved again as it
    # is, it makes no new version.
    url = f"/contracts/{version.contract_id}/edit"
    html = admin.get(url).get_data(as_text=True)
    fields = form_of(html)
    assert fields.getlist("penalties.clauses.0.targets") == ["retablissement"]
    assert fields["penalties.caps.0.per"] == "year"
    fields["csrf_token"] = token_of(html)
    fields["action"] = "save"
    assert admin.post(url, data=fields).status_code == 302
    assert len(versions_of(engine, REFERENCE)) == 1


def test_a_bad_amount_and_an_unknown_kind_come_back_beside_their_fields_in_french(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = with_penalties(
        libriciel(engine),
        **{
            "penalties.clauses.0.amount_ht": "abc",
            "penalties.clauses.1.key": "bonus",
            "penalties.clauses.1.kind": "bonus",
            "penalties.clauses.1.label": "Une prime",
        },
    )
    response = post(admin, "/contracts/new", fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    amount = re.search(r'id="f-penalties-clauses-0-amount_ht-error">([^<]*)<', html)
    assert (
        amount and amount.group(1) == "montant attendu, par exemple 1350.00, et non &#39;abc&#39;"
    )
    assert 'aria-describedby="f-penalties-clauses-0-amount_ht-hint' in html
    kind = re.search(r'id="f-penalties-clauses-1-kind-error">([^<]*)<', html)
    assert kind and kind.group(1).startswith("valeur attendue parmi") and "bonus" in kind.group(1)
    assert versions_of(engine, REFERENCE) == []
    shown = form_of(html)
    assert shown["penalties.clauses.0.amount_ht"] == "abc"
    assert shown["penalties.clauses.1.kind"] == "bonus"
    assert shown.getlist("penalties.clauses.0.targets") == ["retablissement"]


def test_a_penalties_part_left_empty_stores_no_penalties(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    admin = client_as(Role.admin)
    fields = new_contract(libriciel(engine))
    page = admin.get("/contracts/new").get_data(as_text=True)
    assert form_of(page)["penalties.answer_days"] == "15"
    # A clause and a cap added without JavaScript, and left as they came.
    fields["penalties.answer_days"] = "15"
    fields["action"] = "add-clause"
    added = form_of(post(admin, "/contracts/new", fields).get_data(as_text=True))
    assert added["penalties.clauses.0.kind"] == "formula"
    added["action"] = "add-cap"
    added["csrf_token"] = token_of(page)
    shown = form_of(admin.post("/contracts/new", data=added).get_data(as_text=True))
    assert shown["penalties.caps.0.per"] == "year"
    shown["action"] = "save"
    shown["csrf_token"] = token_of(page)
    response = admin.post("/contracts/new", data=shown)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [version] = versions_of(engine, REFERENCE)
    assert "penalties" not in version.document


def test_the_illustrative_contract_edits_through_its_page_unchanged(
    client_as: Callable[[Role], FlaskClient], contracts: dict[str, int], engine: Engine
) -> None:
    with session_scope(engine) as session:
        document = read_contract_text(ILLUSTRATIVE.read_text(encoding="utf-8"), ILLUSTRATIVE.name)
        service.import_documents(session, [(ILLUSTRATIVE.name, document)], now=utcnow())
    [version] = versions_of(engine, "EXEMPLE-PENALITES-2026")
    admin = client_as(Role.admin)
    url = f"/contracts/{version.contract_id}/edit"
    html = admin.get(url).get_data(as_text=True)
    fields = form_of(html)
    names = set(re.findall(r'name="([^"#]+)"', html))
    missing = field_names(fields) - names - {"sla.severities", "penalties.clauses", "vendor"}
    assert not missing, sorted(missing)
    # Every target of the levels is a choice of each lateness clause, the clause's ticked.
    assert fields.getlist("penalties.clauses.2.targets") == ["prise-en-charge"]
    assert html.count('name="penalties.clauses.0.targets"') == 3
    assert form_to_document(
        fields, vendor=illustrative()["vendor"], calendars=illustrative()["calendars"]
    )["penalties"] == copy.deepcopy(illustrative()["penalties"])
    fields["csrf_token"] = token_of(html)
    fields["action"] = "save"
    assert admin.post(url, data=fields).status_code == 302
    assert len(versions_of(engine, "EXEMPLE-PENALITES-2026")) == 1
    # A changed clause is a new version, its SLA written as it was.
    fields["penalties.clauses.0.amount_ht"] = "60.00"
    fields["sla.effective_from"] = "2026-07-01"
    assert admin.post(url, data=fields).status_code == 302
    first, second = versions_of(engine, "EXEMPLE-PENALITES-2026")
    assert second.document["penalties"]["clauses"][0]["amount_ht"] == "60.00"
    assert second.document["sla"]["severities"] == first.document["sla"]["severities"]


@pytest.mark.parametrize(
    "change",
    [
        {"penalties.clauses.0.divisor": "1e400", "penalties.clauses.0.kind": "formula"},
        {"penalties.clauses.0.grace": "99999999999999999999999999"},
        {"penalties.caps.0.percent": "1e400"},
        {"penalties.threshold_ht": "NaN", "penalties.answer_days": "-3"},
        {"penalties.clauses.0.targets": ["inconnu", "retablissement", ""]},
        {"penalties.clauses.0.unit": "fortnight", "penalties.caps.0.per": ""},
        {"action": "up-clause:99999"},
        {"action": "remove-cap:0:1"},
    ],
)
def test_odd_penalty_input_never_answers_500(
    client_as: Callable[[Role], FlaskClient],
    contracts: dict[str, int],
    engine: Engine,
    change: dict[str, Any],
) -> None:
    admin = client_as(Role.admin)
    fields = with_penalties(libriciel(engine), **change)
    fields["csrf_token"] = token_of(admin.get("/contracts/new").get_data(as_text=True))
    for url in ("/contracts/new", "/contracts/form/preview"):
        response = admin.post(url, data=fields)
        assert response.status_code < 500, (url, change)
    assert versions_of(engine, REFERENCE) == []
