"""The contract form's fields ↔ the contract document: round trips of the five examples and
the illustrative one (penalties), problems beside their fields, rows added, removed and moved
without losing what is typed."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from sla.contracts.document import Problem, parse_document
from sla.contracts.form_document import (
    PART_FIELDS,
    apply_action,
    blank_form,
    document_to_form,
    field_for,
    field_names,
    form_to_document,
    keeping_unchanged,
    place_problems,
    renumbered,
)
from sla.contracts.form_values import filled, row_indexes

ROOT = Path(__file__).resolve().parents[2] / "examples"
# The five seeds first (tests below pick one by its index), then the illustrative contracts.
EXAMPLES = [
    *sorted((ROOT / "contracts").glob("*.toml")),
    *sorted((ROOT / "illustrative").glob("*.toml")),
]
LEGACY_PAUSING = ("restoration", "resolution", "other")


def as_format_2(data: dict[str, Any]) -> dict[str, Any]:
    """A format 1 document written in format 2 with the same meaning: each target's waiting
    states said explicitly (format 1: true for both, by default for restoration, resolution
    and other)."""
    if data.get("format", 1) != 1:
        return data
    converted = copy.deepcopy(data)
    converted["format"] = 2
    for severity in converted["sla"]["severities"]:
        for target in severity.get("targets", []):
            pauses = target.get("pauses", target["kind"] in LEGACY_PAUSING)
            if isinstance(pauses, bool):
                target["pauses"] = ["customer", "third_party"] if pauses else []
    return converted


def stored(data: dict[str, Any]) -> dict[str, Any]:
    """What a version would store of a document (its validated, JSON-safe mapping)."""
    document, problems = parse_document(data)
    assert document is not None, [(p.where(), p.message) for p in problems]
    return document.data


def through_form(data: dict[str, Any]) -> dict[str, Any]:
    form = document_to_form(data, vendor_id=7)
    return form_to_document(form, vendor=data["vendor"], calendars=data["calendars"])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_goes_through_the_form_unchanged(path: Path) -> None:
    original = tomllib.loads(path.read_text(encoding="utf-8"))
    if original.get("format", 1) == 1:
        # A format 1 file still: the form writes format 2, so compare with the same document
        # in format 2 (same meaning), and check the meaning is the format 1 file's.
        assert parse_document(through_form(original))[0].sla == parse_document(original)[0].sla  # type: ignore[union-attr]
        original = as_format_2(original)
    assert stored(through_form(original)) == stored(original)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_form_of_an_example_reads_back_the_same_form(path: Path) -> None:
    original = as_format_2(tomllib.loads(path.read_text(encoding="utf-8")))
    form = document_to_form(original, vendor_id=7)
    again = document_to_form(through_form(original), vendor_id=7)
    assert sorted(again.items(multi=True)) == sorted(form.items(multi=True))


def test_empty_optional_fields_are_left_out_and_numbers_read_as_numbers() -> None:
    form = blank_form(vendor_id=1)
    form["contract.reference"] = "  REF-1 "
    form["contract.end"] = ""
    form["contract.yearly_amount_ht"] = "5 429,84"
    form["contract.services"] = "ComElus\r\n\r\n  Parapheur \r\n"
    form["sla.severities.0.targets.0.amount"] = "3,5"
    form["sla.severities.0.targets.0.article"] = ""
    document = form_to_document(form, vendor={"name": "V"}, calendars={})
    contract = document["contract"]
    assert contract["reference"] == "REF-1"
    assert "end" not in contract and "max_renewals" not in contract
    assert contract["yearly_amount_ht"] == "5429.84"
    assert contract["services"] == ["ComElus", "Parapheur"]
    assert contract["initial_months"] == 12
    target = document["sla"]["severities"][0]["targets"][0]
    assert target["business_hours"] == 3.5
    assert "article" not in target and "from" not in target
    assert "pauses" not in target  # the default (waiting on the customer), not written
    assert document["format"] == 2
    assert "alerts" not in document


def test_a_value_the_form_cannot_read_goes_to_the_validator_as_typed() -> None:
    form = blank_form(vendor_id=1)
    form["sla.severities.0.targets.0.amount"] = "quatre"
    form["contract.initial_months"] = "douze"
    document = form_to_document(form, vendor={"name": "V"}, calendars={})
    assert document["sla"]["severities"][0]["targets"][0]["business_hours"] == "quatre"
    _parsed, problems = parse_document(document)
    by_field, _elsewhere = place_problems(problems, form)
    assert [p.code for p in by_field["sla.severities.0.targets.0.amount"]] == [
        "document.expected_number"
    ]
    assert [p.code for p in by_field["contract.initial_months"]] == ["document.expected_integer"]


def test_waiting_states_said_are_written_even_when_they_are_the_default() -> None:
    form = blank_form(vendor_id=1)
    name = "sla.severities.0.targets.0."
    form.setlist(name + "pauses", ["third_party", "customer"])
    target = form_to_document(form, vendor={}, calendars={})["sla"]["severities"][0]["targets"][0]
    assert target["pauses"] == ["customer", "third_party"]
    form.setlist(name + "pauses", [])
    target = form_to_document(form, vendor={}, calendars={})["sla"]["severities"][0]["targets"][0]
    assert target["pauses"] == []
    form.setlist(name + "pauses", ["customer"])
    form.poplist(name + "pauses_default")  # the document said ["customer"] itself
    target = form_to_document(form, vendor={}, calendars={})["sla"]["severities"][0]["targets"][0]
    assert target["pauses"] == ["customer"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (
            ("sla", "severities", 0, "targets", 1, "business_hours"),
            "sla.severities.0.targets.1.amount",
        ),
        (
            ("sla", "severities", 0, "targets", 1, "no_fixed_time"),
            "sla.severities.0.targets.1.unit",
        ),
        (("sla", "severities", 0, "targets", 1), "sla.severities.0.targets.1.amount"),
        (("sla", "severities", 0, "targets", 1, "from"), "sla.severities.0.targets.1.from"),
        (("sla", "severities", 0, "targets", 1, "pauses"), "sla.severities.0.targets.1.pauses"),
        (("sla", "severities", 1, "key"), "sla.severities.1.key"),
        (("sla", "severities"), "sla.severities"),
        (("sla", "effective_from"), "sla.effective_from"),
        (("sla", "exclusions", 0, "targets"), "sla.exclusions.0.targets"),
        (("sla", "availability", "target_percent"), "sla.availability.target_percent"),
        (("contract", "unit_prices", 0, "severities"), "contract.unit_prices.0.severities"),
        (("contract", "max_renewals"), "contract.max_renewals"),
        (
            ("alerts", "severities", "majeur", "warn_used_ratio"),
            "sla.severities.1.alerts.warn_used_ratio",
        ),
        (("alerts", "contacts"), "alerts.contacts"),
        (("vendor", "siret"), "vendor"),
        (("calendars", "support", "hours", "mon"), "calendars"),
        (("calendars",), "calendars"),
        (("format",), None),
        (("alerts", "severities", "inconnu", "reminder_hours"), None),
        (("sla", "severities", 5, "key"), None),  # no such row in the form
        (("contract", "unknown"), None),
    ],
)
def test_a_problem_path_names_its_field(path: tuple[Any, ...], field: str | None) -> None:
    data = tomllib.loads((EXAMPLES[2]).read_text(encoding="utf-8"))  # libriciel
    data["sla"]["exclusions"] = [{"key": "x", "text": "y"}]
    data["contract"]["unit_prices"] = [{"label": "l", "amount_ht": "1.00"}]
    form = document_to_form(data, vendor_id=1)
    assert field_for(path, form) == field
    if field is not None:
        assert field in field_names(form)


def test_problems_no_field_is_about_go_to_the_top() -> None:
    form = blank_form()
    by_field, elsewhere = place_problems(
        [Problem(("format",), "document.unsupported_format"), Problem(("contract", "title"), "x")],
        form,
    )
    assert list(by_field) == ["contract.title"]
    assert [p.path for p in elsewhere] == [("format",)]


def libriciel_form() -> MultiDict[str, str]:
    data = as_format_2(tomllib.loads(EXAMPLES[2].read_text(encoding="utf-8")))
    return document_to_form(data, vendor_id=1)


def level_keys(form: MultiDict[str, str]) -> list[str]:
    return [form[f"sla.severities.{i}.key"] for i in row_indexes(form, "sla.severities")]


def test_moving_a_level_takes_its_targets_and_thresholds_along() -> None:
    form = libriciel_form()
    form["sla.severities.1.alerts.reminder_hours"] = "4"
    majeur_targets = [
        form[f"sla.severities.1.targets.{j}.key"]
        for j in row_indexes(form, "sla.severities.1.targets")
    ]
    moved = apply_action(form, "up-severity:1")
    assert moved is not None
    assert level_keys(moved)[:2] == ["majeur", "bloquant"]
    assert [
        moved[f"sla.severities.0.targets.{j}.key"]
        for j in row_indexes(moved, "sla.severities.0.targets")
    ] == majeur_targets
    assert moved["sla.severities.0.alerts.reminder_hours"] == "4"
    assert moved["sla.severities.0.targets.1.pauses_article"] == "§5.2.4.1"
    # Down again: the form is back as it was.
    back = apply_action(moved, "down-severity:0")
    assert back is not None
    assert sorted(back.items(multi=True)) == sorted(form.items(multi=True))


def test_moving_keeps_every_value_and_the_document_follows() -> None:
    form = libriciel_form()
    moved = apply_action(form, "down-target:0:0")
    assert moved is not None
    assert sorted(moved.values()) == sorted(form.values())  # nothing lost
    document = form_to_document(moved, vendor={}, calendars={})
    keys = [t["key"] for t in document["sla"]["severities"][0]["targets"]]
    assert keys == ["contournement", "prise-en-charge", "resolution"]
    # The first and last rows do not move past the ends.
    assert apply_action(form, "up-target:0:0") == form
    assert apply_action(form, "down-severity:4") == form


def test_rows_are_added_and_removed_keeping_the_others() -> None:
    form = libriciel_form()
    added = apply_action(form, "add-target:2")
    assert added is not None
    assert row_indexes(added, "sla.severities.2.targets") == [0, 1, 2]
    assert added["sla.severities.2.targets.2.unit"] == "business_hours"
    assert added.getlist("sla.severities.2.targets.2.pauses") == ["customer"]
    removed = apply_action(form, "remove-severity:0")
    assert removed is not None
    assert level_keys(removed) == level_keys(form)[1:]
    assert removed["sla.severities.0.targets.1.amount"] == "24"
    new_level = apply_action(form, "add-severity")
    assert new_level is not None
    assert row_indexes(new_level, "sla.severities") == [0, 1, 2, 3, 4, 5]
    assert row_indexes(new_level, "sla.severities.5.targets") == [0]
    for action in ("add-exclusion", "add-price"):
        grown = apply_action(form, action)
        assert grown is not None and len(grown) > len(form)
    assert apply_action(form, "remove-target:9:0") == form
    assert apply_action(form, "save") is None
    assert apply_action(form, "remove-severity:1:2:3:4:5") == form


def test_rows_sent_with_gaps_are_numbered_in_their_order() -> None:
    form = MultiDict(
        [
            ("sla.severities.3.key", "b"),
            ("sla.severities.3.targets.7.key", "t2"),
            ("sla.severities.3.targets.2.key", "t1"),
            ("sla.severities.1.key", "a"),
        ]
    )
    numbered = renumbered(form)
    assert numbered["sla.severities.0.key"] == "a"
    assert numbered["sla.severities.1.key"] == "b"
    assert numbered["sla.severities.1.targets.0.key"] == "t1"
    assert numbered["sla.severities.1.targets.1.key"] == "t2"


def test_names_of_row_fields() -> None:
    assert filled("sla.severities.#.targets.#.key", [2, 0]) == "sla.severities.2.targets.0.key"
    assert filled("sla.severities.#.key", None) == "sla.severities.#.key"
    assert "sla.severities" in PART_FIELDS


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_what_the_form_leaves_alone_is_written_as_it_was(path: Path) -> None:
    original = stored(tomllib.loads(path.read_text(encoding="utf-8")))
    original["sla"]["severities"][0]["label"] += "  "  # a blank the validator ignores
    kept = keeping_unchanged(through_form(original), original)
    assert kept == original  # nothing changed: the document edited, as it was
    form = document_to_form(original, vendor_id=7)
    form["contract.title"] = "Un autre intitulé"
    changed = keeping_unchanged(
        form_to_document(form, vendor=original["vendor"], calendars=original["calendars"]),
        original,
    )
    assert changed["contract"]["title"] == "Un autre intitulé"
    assert changed["sla"] == original["sla"]  # the SLA, untouched, keeps its text and format
    assert changed.get("format") == original.get("format")
    form["sla.severities.0.targets.0.amount"] = "99"
    amended = keeping_unchanged(
        form_to_document(form, vendor=original["vendor"], calendars=original["calendars"]),
        original,
    )
    assert amended["format"] == 2 and amended["sla"] != original["sla"]
    assert (
        stored(amended)["sla"]["severities"][0]["targets"][0]
        != original["sla"]["severities"][0]["targets"][0]
    )
