"""The contract form's flat fields ↔ the contract document, and problems ↔ fields.

The contract form posts flat fields whose names mirror the document's paths
(`contract.reference`, `sla.severities.0.targets.1.amount` with its unit in
`sla.severities.0.targets.1.unit`…). `form_to_document` builds the document mapping the TOML
import reads (format 2), so the form goes through the same validator and the same import;
`document_to_form` gives the fields of a stored document, to edit it; `place_problems` puts
each problem of the validator beside the field at fault (or in the list at the top when no
field is); `apply_action` adds, removes and moves rows for the buttons of a page without
JavaScript. Empty optional fields are left out of the document, and a value the form cannot
read (`quatre` for a number) is passed as typed, so that the validator names it
(`form_values`). The [penalties] table has its own module (`form_penalties`).

Pure: no database, no request, no clock.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from sla.contracts.document import Problem, parse_document
from sla.contracts.document.contract import CONTRACT_KEYS
from sla.contracts.document.parse import FORMAT
from sla.contracts.document.sla_terms import DURATION_KEYS, LEGACY_PAUSING_KINDS
from sla.contracts.form_penalties import (
    CAPS,
    CLAUSES,
    PENALTIES,
    blank_penalties,
    new_cap,
    new_clause,
    penalties_fields,
    penalties_table,
    penalty_field,
    penalty_field_names,
    same_penalties,
)
from sla.contracts.form_values import (
    Form,
    Path,
    Table,
    as_keys,
    as_lines,
    as_number,
    joined,
    row_indexes,
    shown,
    table_in,
    tables_in,
    text_of,
)
from sla.engine.terms import REPORT, TargetKind, WaitingState

# A target's delay: an amount and its unit (the document's duration keys), or no fixed time.
AMOUNT_UNITS = tuple(DURATION_KEYS)
NO_FIXED_TIME = "no_fixed_time"
UNITS = (*AMOUNT_UNITS, NO_FIXED_TIME)
KINDS = tuple(kind.value for kind in TargetKind)
WAITING = tuple(state.value for state in WaitingState)
ALERT_THRESHOLDS = ("warn_used_ratio", "warn_remaining_minutes", "reminder_hours")

# The rows the form repeats: their name prefix (a target's holds its level's index).
SEVERITIES = "sla.severities"
EXCLUSIONS = "sla.exclusions"
PRICES = "contract.unit_prices"


def targets_of(level: int | str) -> str:
    """The name prefix of a level's targets."""
    return f"{SEVERITIES}.{level}.targets"


# The fields of each part, by their name under the part's prefix.
CONTRACT_FIELDS = tuple(key for key in CONTRACT_KEYS if key != "unit_prices")  # rows apart
PRICE_FIELDS = ("label", "unit", "amount_ht", "minutes", "severities")
SEVERITY_FIELDS = ("key", "label", "definition", *(f"alerts.{k}" for k in ALERT_THRESHOLDS))
TARGET_FIELDS = (
    "key",
    "kind",
    "label",
    "amount",
    "unit",
    "from",
    "calendar",
    "pauses",
    "end_of_day",
    "article",
    "pauses_article",
)
EXCLUSION_FIELDS = ("key", "text", "article", "targets")
AVAILABILITY_FIELDS = ("target_percent", "calendar", "period", "article")
ALERT_FIELDS = ("contacts", "escalate_to_vendor", *ALERT_THRESHOLDS)
# Fields that stand for a whole part: the vendor, its calendars, the list of levels.
PART_FIELDS = ("vendor", "calendars", "sla.effective_from", SEVERITIES)
# A hidden field of a target: "1" while its waiting states are the format's default (waiting
# on the customer) because the document did not say, so that saving does not write them.
PAUSES_DEFAULT = "pauses_default"

_ACTION = re.compile(
    r"(add|remove|up|down)-(severity|target|exclusion|price|clause|cap)((?::[0-9]{1,4})*)"
)
# The lists of rows an action works on, by the kind of row (targets: a level's own).
_ROWS = {
    "severity": SEVERITIES,
    "exclusion": EXCLUSIONS,
    "price": PRICES,
    "clause": CLAUSES,
    "cap": CAPS,
}


# -- reading the form ------------------------------------------------------------------------


def target_keys(form: Form, level: int) -> list[str]:
    """The keys typed for a level's targets, in order (empty ones left out)."""
    keys = [
        text_of(form, f"{targets_of(level)}.{number}.key")
        for number in row_indexes(form, targets_of(level))
    ]
    return [key for key in keys if key]


def target_choices(form: Form) -> list[tuple[str, str]]:
    """Every target key typed in the levels, once, in order, with the label of its first
    target: the targets a penalty clause may name."""
    choices: dict[str, str] = {}
    for level in row_indexes(form, SEVERITIES):
        for number in row_indexes(form, targets_of(level)):
            name = f"{targets_of(level)}.{number}."
            key = text_of(form, name + "key")
            if key and key not in choices:
                choices[key] = text_of(form, name + "label")
    return list(choices.items())


def _prices(form: Form) -> list[dict[str, Any]]:
    prices: list[dict[str, Any]] = []
    for index in row_indexes(form, PRICES):
        name = f"{PRICES}.{index}."
        table = Table()
        table.text(form, name + "label", "label")
        table.text(form, name + "unit", "unit")
        table.amount(form, name + "amount_ht", "amount_ht")
        table.number(form, name + "minutes", "minutes")
        table.put("severities", as_keys(text_of(form, name + "severities")))
        prices.append(table.data)
    return prices


def _contract(form: Form) -> dict[str, Any]:
    table = Table()
    for key in ("reference", "title"):
        table.text(form, f"contract.{key}", key)
    table.put("services", as_lines(text_of(form, "contract.services")))
    table.text(form, "contract.start", "start")
    table.number(form, "contract.initial_months", "initial_months")
    table.text(form, "contract.renewal", "renewal")
    for key in ("max_renewals", "notice_months", "notice_days"):
        table.number(form, f"contract.{key}", key)
    table.text(form, "contract.end", "end")
    table.amount(form, "contract.yearly_amount_ht", "yearly_amount_ht")
    table.text(form, "contract.calendar", "calendar")
    table.text(form, "contract.notes", "notes")
    table.put("unit_prices", _prices(form))
    return table.data


def _pauses(form: Form, name: str) -> list[str] | None:
    """The waiting states checked, in the format's order; None (left out) when they are the
    default and the document did not say."""
    checked = [state for state in WAITING if state in form.getlist(name + "pauses")]
    if checked == [WaitingState.customer.value] and form.get(name + PAUSES_DEFAULT) == "1":
        return None
    return checked


def _target(form: Form, name: str) -> dict[str, Any]:
    table = Table()
    table.text(form, name + "key", "key")
    table.text(form, name + "kind", "kind")
    table.text(form, name + "label", "label")
    unit = text_of(form, name + "unit")
    amount = text_of(form, name + "amount")
    if unit == NO_FIXED_TIME:
        table.put(NO_FIXED_TIME, True)
    elif unit in AMOUNT_UNITS and amount:
        table.put(unit, as_number(amount))
    if form.get(name + "end_of_day"):
        table.put("end_of_day", True)
    origin = text_of(form, name + "from")
    table.put("from", origin if origin != REPORT else None)
    table.text(form, name + "calendar", "calendar")
    pauses = _pauses(form, name)
    if pauses is not None:
        table.data["pauses"] = pauses
    table.text(form, name + "pauses_article", "pauses_article")
    table.text(form, name + "article", "article")
    return table.data


def _severities(form: Form) -> list[dict[str, Any]]:
    severities: list[dict[str, Any]] = []
    for index in row_indexes(form, SEVERITIES):
        name = f"{SEVERITIES}.{index}."
        table = Table()
        table.text(form, name + "key", "key")
        table.text(form, name + "label", "label")
        table.text(form, name + "definition", "definition")
        targets = [
            _target(form, f"{targets_of(index)}.{number}.")
            for number in row_indexes(form, targets_of(index))
        ]
        table.put("targets", targets)
        severities.append(table.data)
    return severities


def _exclusions(form: Form) -> list[dict[str, Any]]:
    exclusions: list[dict[str, Any]] = []
    for index in row_indexes(form, EXCLUSIONS):
        name = f"{EXCLUSIONS}.{index}."
        table = Table()
        table.text(form, name + "key", "key")
        table.text(form, name + "text", "text")
        table.text(form, name + "article", "article")
        table.put("targets", as_keys(text_of(form, name + "targets")))
        exclusions.append(table.data)
    return exclusions


def _availability(form: Form) -> dict[str, Any]:
    table = Table()
    table.number(form, "sla.availability.target_percent", "target_percent")
    table.text(form, "sla.availability.calendar", "calendar")
    if table.data or text_of(form, "sla.availability.article"):
        table.text(form, "sla.availability.period", "period")
    table.text(form, "sla.availability.article", "article")
    return table.data


def _sla(form: Form) -> dict[str, Any]:
    table = Table()
    table.text(form, "sla.effective_from", "effective_from")
    table.put("availability", _availability(form))
    table.put("exclusions", _exclusions(form))
    table.data["severities"] = _severities(form)
    return table.data


def _thresholds(form: Form, prefix: str) -> dict[str, Any]:
    table = Table()
    for key in ALERT_THRESHOLDS:
        table.number(form, prefix + key, key)
    return table.data


def _alerts(form: Form) -> dict[str, Any]:
    table = Table()
    table.put("contacts", as_keys(text_of(form, "alerts.contacts")))
    if form.get("alerts.escalate_to_vendor"):
        table.put("escalate_to_vendor", True)
    table.data.update(_thresholds(form, "alerts."))
    levels = Table()
    for index in row_indexes(form, SEVERITIES):
        key = text_of(form, f"{SEVERITIES}.{index}.key")
        if key:
            levels.put(key, _thresholds(form, f"{SEVERITIES}.{index}.alerts."))
    table.put("severities", levels.data)
    return table.data


def form_to_document(
    form: Form, *, vendor: Mapping[str, Any], calendars: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """The contract document of the form's fields (format 2). `vendor` is the [vendor] table
    of the vendor chosen (empty: none chosen); `calendars` the vendor's calendars by key, of
    which the form's `calendars` fields pick the contract's."""
    chosen = set(form.getlist("calendars"))
    document: dict[str, Any] = {"format": FORMAT}
    if vendor:
        document["vendor"] = dict(vendor)
    document["calendars"] = {
        key: copy.deepcopy(dict(definition))
        for key, definition in calendars.items()
        if key in chosen
    }
    document["contract"] = _contract(form)
    document["sla"] = _sla(form)
    alerts = _alerts(form)
    if alerts:
        document["alerts"] = alerts
    penalties = penalties_table(form)
    if penalties:
        document[PENALTIES] = penalties
    return document


def keeping_unchanged(document: dict[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """`document` (from the form) with each table that means what it meant in `previous`
    (the version edited) written as `previous` wrote it: so that an unchanged form changes
    nothing, and a form that leaves the SLA alone does not rewrite it (a format 1 SLA, a
    label with a trailing blank, `from = "report"` said explicitly…). Only the SLA table
    depends on the format: it keeps its format with it. The [penalties] table is read into
    the SLA's terms, but kept or written apart from the [sla] table."""
    new, _new_problems = parse_document(document)
    old, _old_problems = parse_document(previous)
    if new is None or old is None:
        return document
    kept = dict(document)
    pairs = (
        ("vendor", new.vendor == old.vendor),
        ("calendars", new.sla.calendars == old.sla.calendars),
        ("contract", new.contract == old.contract),
        ("alerts", new.alerts == old.alerts),
        (PENALTIES, same_penalties(new.sla.penalties, old.sla.penalties)),
        (
            "sla",
            dataclasses.replace(new.sla, penalties=None)
            == dataclasses.replace(old.sla, penalties=None),
        ),
    )
    for table, same in pairs:
        if not same:
            continue
        if table in previous:
            kept[table] = copy.deepcopy(previous[table])
        else:
            kept.pop(table, None)
        if table == "sla":
            if "format" in previous:
                kept["format"] = previous["format"]
            else:
                kept.pop("format", None)
    return kept


# -- writing the form ------------------------------------------------------------------------


def _target_fields(target: Mapping[str, Any], name: str, legacy: bool) -> list[tuple[str, str]]:
    fields = [(name + key, shown(target.get(key))) for key in ("key", "kind", "label")]
    unit = next((key for key in AMOUNT_UNITS if key in target), "")
    if target.get(NO_FIXED_TIME) is True:
        fields += [(name + "amount", ""), (name + "unit", NO_FIXED_TIME)]
    else:
        fields += [(name + "amount", shown(target.get(unit))), (name + "unit", unit)]
    fields.append((name + "from", shown(target.get("from")) or REPORT))
    fields.append((name + "calendar", shown(target.get("calendar"))))
    pauses = target.get("pauses")
    if pauses is None:
        if legacy:
            pauses = target.get("kind") in LEGACY_PAUSING_KINDS  # format 1's default
        else:
            pauses = [WaitingState.customer.value]
            fields.append((name + PAUSES_DEFAULT, "1"))
    if isinstance(pauses, bool):
        pauses = list(WAITING) if pauses else []
    if isinstance(pauses, list):
        fields += [(name + "pauses", str(state)) for state in pauses]
    fields.append((name + "end_of_day", shown(target.get("end_of_day"))))
    fields += [(name + key, shown(target.get(key))) for key in ("article", "pauses_article")]
    return fields


def document_to_form(data: Mapping[str, Any], *, vendor_id: int | None = None) -> Form:
    """The form's fields for a stored document (to edit it)."""
    fields: list[tuple[str, str]] = []
    if vendor_id is not None:
        fields.append(("vendor", str(vendor_id)))
    fields += [("calendars", str(key)) for key in table_in(data, "calendars")]
    contract = table_in(data, "contract")
    for key in CONTRACT_FIELDS:
        value = contract.get(key)
        text = joined(value, "\n") if key == "services" else shown(value)
        fields.append((f"contract.{key}", text))
    for index, price in enumerate(tables_in(contract, "unit_prices")):
        name = f"{PRICES}.{index}."
        fields += [(name + key, shown(price.get(key))) for key in PRICE_FIELDS[:-1]]
        fields.append((name + "severities", joined(price.get("severities"), ", ")))
    sla = table_in(data, "sla")
    fields.append(("sla.effective_from", shown(sla.get("effective_from"))))
    legacy = data.get("format", 1) == 1
    alerts = table_in(data, "alerts")
    level_alerts = table_in(alerts, "severities")
    for index, severity in enumerate(tables_in(sla, "severities")):
        name = f"{SEVERITIES}.{index}."
        fields += [(name + key, shown(severity.get(key))) for key in ("key", "label", "definition")]
        own = table_in(level_alerts, str(severity.get("key", "")))
        fields += [(f"{name}alerts.{key}", shown(own.get(key))) for key in ALERT_THRESHOLDS]
        for number, target in enumerate(tables_in(severity, "targets")):
            fields += _target_fields(target, f"{targets_of(index)}.{number}.", legacy)
    for index, exclusion in enumerate(tables_in(sla, "exclusions")):
        name = f"{EXCLUSIONS}.{index}."
        fields += [(name + key, shown(exclusion.get(key))) for key in ("key", "text", "article")]
        fields.append((name + "targets", joined(exclusion.get("targets"), ", ")))
    availability = table_in(sla, "availability")
    for key in AVAILABILITY_FIELDS:
        fields.append((f"sla.availability.{key}", shown(availability.get(key))))
    fields.append(("alerts.contacts", joined(alerts.get("contacts"), "\n")))
    fields += [(f"alerts.{key}", shown(alerts.get(key))) for key in ALERT_FIELDS[1:]]
    fields += penalties_fields(data)
    return MultiDict(fields)


# -- rows: numbering, adding, removing, moving -----------------------------------------------


def _renamed(form: Form, prefix: str, mapping: Mapping[int, int | None]) -> Form:
    """The form with the rows under `prefix` renumbered by `mapping` (None: removed)."""
    pattern = re.compile(re.escape(prefix) + r"\.([0-9]{1,4})(\..*)$", re.DOTALL)
    fields: list[tuple[str, str]] = []
    for key, value in form.items(multi=True):
        match = pattern.match(key)
        if match:
            index = mapping.get(int(match.group(1)))
            if index is None:
                continue
            key = f"{prefix}.{index}{match.group(2)}"
        fields.append((key, value))
    return MultiDict(fields)


def _compacted(form: Form, prefix: str) -> Form:
    return _renamed(form, prefix, {old: new for new, old in enumerate(row_indexes(form, prefix))})


def renumbered(form: Form) -> Form:
    """The form with each list's rows numbered 0, 1, 2… in their order (a page may send
    gaps), so that a problem's index in the document is the row's index in the form."""
    form = _compacted(form, SEVERITIES)
    for index in row_indexes(form, SEVERITIES):
        form = _compacted(form, targets_of(index))
    for prefix in (EXCLUSIONS, PRICES, CLAUSES, CAPS):
        form = _compacted(form, prefix)
    return form


def new_target(name: str) -> list[tuple[str, str]]:
    """The fields of a new target row: measured from heure H in business hours, paused by
    waiting on the customer (the format's default)."""
    return [
        (name + "key", ""),
        (name + "kind", TargetKind.take_charge.value),
        (name + "label", ""),
        (name + "amount", ""),
        (name + "unit", AMOUNT_UNITS[0]),
        (name + "from", REPORT),
        (name + "pauses", WaitingState.customer.value),
        (name + PAUSES_DEFAULT, "1"),
    ]


def _new_row(kind: str, name: str) -> list[tuple[str, str]]:
    if kind == "target":
        return new_target(name)
    if kind == "severity":
        return [(name + "key", ""), (name + "label", ""), *new_target(name + "targets.0.")]
    if kind == "exclusion":
        return [(name + "key", ""), (name + "text", "")]
    if kind == "clause":
        return new_clause(name)
    if kind == "cap":
        return new_cap(name)
    return [(name + "label", ""), (name + "amount_ht", "")]


def blank_form(vendor_id: int | None = None) -> Form:
    """A new contract's fields: one level with one target, no renewal, twelve months."""
    fields: list[tuple[str, str]] = []
    if vendor_id is not None:
        fields.append(("vendor", str(vendor_id)))
    fields += [("contract.initial_months", "12"), ("contract.renewal", "none")]
    fields += _new_row("severity", f"{SEVERITIES}.0.")
    fields += blank_penalties()
    return MultiDict(fields)


def _prefix_of(kind: str, numbers: Sequence[int]) -> tuple[str, list[int]] | None:
    """The prefix of the list an action works on, and the numbers left (the row's index)."""
    if kind == "target":
        return (targets_of(numbers[0]), list(numbers[1:])) if numbers else None
    return _ROWS[kind], list(numbers)


def apply_action(form: Form, action: str) -> Form | None:
    """The form after a row button (`add-target:0`, `remove-target:0:1`, `up-severity:1`…),
    or None when `action` is not one. A button naming a row that is not there changes nothing.
    The form is renumbered first."""
    match = _ACTION.fullmatch(action)
    if match is None:
        return None
    verb, kind = match.group(1), match.group(2)
    numbers = [int(part) for part in match.group(3).split(":") if part]
    form = renumbered(form)
    found = _prefix_of(kind, numbers)
    if found is None:
        return form
    prefix, rest = found
    if kind == "target" and numbers[0] not in row_indexes(form, SEVERITIES):
        return form
    count = len(row_indexes(form, prefix))
    if verb == "add":
        return MultiDict([*form.items(multi=True), *_new_row(kind, f"{prefix}.{count}.")])
    if len(rest) != 1 or not 0 <= rest[0] < count:
        return form
    index = rest[0]
    if verb == "remove":
        mapping: dict[int, int | None] = {
            old: (old if old < index else old - 1) for old in range(count) if old != index
        }
        return _renamed(form, prefix, mapping)
    other = index - 1 if verb == "up" else index + 1
    if not 0 <= other < count:
        return form
    swapped: dict[int, int | None] = {old: old for old in range(count)}
    swapped[index], swapped[other] = other, index
    return _renamed(form, prefix, swapped)


# -- problems beside their fields ------------------------------------------------------------


def field_names(form: Form) -> set[str]:
    """Every field the page shows for the form's rows (each shows its problems)."""
    names = {*PART_FIELDS}
    names |= {f"contract.{key}" for key in CONTRACT_FIELDS}
    names |= {f"sla.availability.{key}" for key in AVAILABILITY_FIELDS}
    names |= {f"alerts.{key}" for key in ALERT_FIELDS}
    names |= penalty_field_names(form)
    for index in row_indexes(form, PRICES):
        names |= {f"{PRICES}.{index}.{key}" for key in PRICE_FIELDS}
    for index in row_indexes(form, EXCLUSIONS):
        names |= {f"{EXCLUSIONS}.{index}.{key}" for key in EXCLUSION_FIELDS}
    for index in row_indexes(form, SEVERITIES):
        names |= {f"{SEVERITIES}.{index}.{key}" for key in SEVERITY_FIELDS}
        for number in row_indexes(form, targets_of(index)):
            names |= {f"{targets_of(index)}.{number}.{key}" for key in TARGET_FIELDS}
    return names


def _level_index(form: Form, key: object) -> int | None:
    for index in row_indexes(form, SEVERITIES):
        if text_of(form, f"{SEVERITIES}.{index}.key") == key:
            return index
    return None


def field_for(path: Path, form: Form) -> str | None:
    """The field a problem's path is about, or None when no field of the form is."""
    if not path:
        return None
    if path[0] in ("vendor", "calendars"):
        return str(path[0])
    parts = [str(part) for part in path]
    if parts[:2] == ["alerts", "severities"] and len(parts) >= 4:
        index = _level_index(form, path[2])
        parts = [SEVERITIES, str(index), "alerts", parts[3]] if index is not None else []
    elif parts[:2] == ["sla", "severities"] and len(parts) >= 5 and parts[3] == "targets":
        leaf = parts[5] if len(parts) > 5 else "amount"
        if leaf in AMOUNT_UNITS:
            leaf = "amount"
        elif leaf == NO_FIXED_TIME:
            leaf = "unit"
        parts = [targets_of(parts[2]), parts[4], leaf]
    elif parts[0] == PENALTIES:
        parts = penalty_field(parts)
    name = ".".join(parts)
    return name if name in field_names(form) else None


def place_problems(
    problems: Iterable[Problem], form: Form
) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """The problems by the field they are about, and those no field is about."""
    by_field: dict[str, list[Problem]] = {}
    elsewhere: list[Problem] = []
    for problem in problems:
        name = field_for(problem.path, form)
        if name is None:
            elsewhere.append(problem)
        else:
            by_field.setdefault(name, []).append(problem)
    return by_field, elsewhere
