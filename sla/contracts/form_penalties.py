"""The contract form's "Penalties" part: its flat fields ↔ the document's [penalties] table.

The table's own fields are `penalties.article`, `penalties.answer_days`…; its clauses and
caps are rows, `penalties.clauses.0.amount_ht`, `penalties.caps.1.percent`. Every field of a
clause is shown whatever its kind (the page works without JavaScript): only the keys the
clause's kind reads are written (`sla.contracts.document.penalty_terms.KIND_KEYS`), and empty
ones are left out. A fieldset left empty writes no [penalties] table at all: the reader
refuses a table without clauses. New rows and a contract without penalties start from the
CCAG-TIC 2021's defaults (art. 14.1): the formula P = V × R / 1000 in calendar days, and 15
days for the vendor to answer.

`form_document` puts this part in the whole form. Pure: no database, no request, no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sla.contracts.document.penalty_terms import CLAUSE_KEYS, COMMON_KEYS, KIND_KEYS, TABLE_KEYS
from sla.contracts.form_values import (
    Form,
    Table,
    as_keys,
    joined,
    row_indexes,
    shown,
    table_in,
    tables_in,
    text_of,
)
from sla.engine.penalty_terms import (
    CCAG_TIC_DIVISOR,
    DEFAULT_ANSWER_DAYS,
    AvailabilityStep,
    CapScope,
    ClauseKind,
    LatenessUnit,
    PenaltyTerms,
)

PENALTIES = "penalties"
# The rows: their name prefix.
CLAUSES = "penalties.clauses"
CAPS = "penalties.caps"

# The fields of the table, of a clause and of a cap, by their key in the document.
TABLE_FIELDS = tuple(key for key in TABLE_KEYS if key not in ("clauses", "caps"))  # rows apart
CLAUSE_FIELDS = CLAUSE_KEYS
CAP_FIELDS = ("per", "percent", "amount_ht")
# The choices of the selects.
CLAUSE_KINDS = tuple(kind.value for kind in ClauseKind)
LATENESS_UNITS = tuple(unit.value for unit in LatenessUnit)
STEPS = tuple(step.value for step in AvailabilityStep)
CAP_SCOPES = tuple(scope.value for scope in CapScope)

_AMOUNTS = {"threshold_ht", "amount_ht", "value_ht"}
_NUMBERS = {"answer_days", "grace", "divisor", "percent"}
# The keys each kind of clause reads (a kind the reader does not know: every key typed, and
# the reader names the kind).
_READ = {kind.value: COMMON_KEYS | KIND_KEYS[kind] for kind in ClauseKind}

# A new clause: the CCAG-TIC 2021's formula (art. 14.1), P = V × R / 1000, R in calendar days.
NEW_CLAUSE = {
    "kind": ClauseKind.formula.value,
    "unit": LatenessUnit.calendar_day.value,
    "divisor": str(CCAG_TIC_DIVISOR),
}
NEW_CAP = {"per": CapScope.year.value}


# -- reading the form ------------------------------------------------------------------------


def _chosen(form: Form, name: str) -> list[str]:
    """The boxes ticked of a multiple choice, in order."""
    return [value.strip() for value in form.getlist(name) if value.strip()]


def _blank(form: Form, name: str, fields: tuple[str, ...], new: Mapping[str, str]) -> bool:
    """A row nothing was typed in: each field empty or as a new row has it."""
    return not _chosen(form, name + "targets") and all(
        text_of(form, name + field) in ("", new.get(field, ""))
        for field in fields
        if field != "targets"
    )


def _clause(form: Form, name: str) -> dict[str, Any]:
    read = _READ.get(text_of(form, name + "kind"), set(CLAUSE_FIELDS))
    table = Table()
    for field in CLAUSE_FIELDS:
        if field not in read:
            continue  # the reader refuses a key the clause's kind does not read
        if field == "targets":
            table.put(field, _chosen(form, name + field))
        elif field == "severities":
            table.put(field, as_keys(text_of(form, name + field)))
        elif field in _AMOUNTS:
            table.amount(form, name + field, field)
        elif field in _NUMBERS:
            table.number(form, name + field, field)
        else:
            table.text(form, name + field, field)
    return table.data


def _cap(form: Form, name: str) -> dict[str, Any]:
    table = Table()
    table.text(form, name + "per", "per")
    table.number(form, name + "percent", "percent")
    table.amount(form, name + "amount_ht", "amount_ht")
    return table.data


def penalties_table(form: Form) -> dict[str, Any]:
    """The [penalties] table of the form's fields; empty (no table) when the fieldset was
    left empty: no clause or cap typed, no field of the table but the answer period as new
    forms have it."""
    table = Table()
    for field in TABLE_FIELDS:
        if field in _AMOUNTS:
            table.amount(form, f"{PENALTIES}.{field}", field)
        elif field in _NUMBERS:
            table.number(form, f"{PENALTIES}.{field}", field)
        else:
            table.text(form, f"{PENALTIES}.{field}", field)
    clauses = [f"{CLAUSES}.{index}." for index in row_indexes(form, CLAUSES)]
    caps = [f"{CAPS}.{index}." for index in row_indexes(form, CAPS)]
    said = any(
        key != "answer_days" or value != DEFAULT_ANSWER_DAYS for key, value in table.data.items()
    )
    typed = any(not _blank(form, name, CLAUSE_FIELDS, NEW_CLAUSE) for name in clauses) or any(
        not _blank(form, name, CAP_FIELDS, NEW_CAP) for name in caps
    )
    if not said and not typed:
        return {}
    table.put("clauses", [_clause(form, name) for name in clauses])
    table.put("caps", [_cap(form, name) for name in caps])
    return table.data


# -- writing the form ------------------------------------------------------------------------


def penalties_fields(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The fields of a document's [penalties] table; a document without one: the CCAG-TIC's
    answer period, ready for clauses to be added."""
    if PENALTIES not in data:
        return [(f"{PENALTIES}.answer_days", str(DEFAULT_ANSWER_DAYS))]
    table = table_in(data, PENALTIES)
    fields = [(f"{PENALTIES}.{field}", shown(table.get(field))) for field in TABLE_FIELDS]
    for index, clause in enumerate(tables_in(table, "clauses")):
        name = f"{CLAUSES}.{index}."
        for field in CLAUSE_FIELDS:
            value = clause.get(field)
            if field == "targets":
                if isinstance(value, list):
                    fields += [(name + field, str(key)) for key in value]
            elif field == "severities":
                fields.append((name + field, joined(value, ", ")))
            else:
                fields.append((name + field, shown(value)))
    for index, cap in enumerate(tables_in(table, "caps")):
        fields += [(f"{CAPS}.{index}.{field}", shown(cap.get(field))) for field in CAP_FIELDS]
    return fields


def blank_penalties() -> list[tuple[str, str]]:
    """A new contract's penalty fields: no clause, the CCAG-TIC's answer period."""
    return penalties_fields({})


def new_clause(name: str) -> list[tuple[str, str]]:
    """The fields of a new clause row: the CCAG-TIC's formula."""
    return [(name + "key", ""), *((name + field, value) for field, value in NEW_CLAUSE.items())]


def new_cap(name: str) -> list[tuple[str, str]]:
    return [*((name + field, value) for field, value in NEW_CAP.items()), (name + "percent", "")]


# -- problems beside their fields ------------------------------------------------------------


def penalty_field_names(form: Form) -> set[str]:
    """Every field of the part the page shows for the form's rows, and the list of clauses
    (a table without any says so there)."""
    names = {f"{PENALTIES}.{field}" for field in TABLE_FIELDS} | {CLAUSES}
    for index in row_indexes(form, CLAUSES):
        names |= {f"{CLAUSES}.{index}.{field}" for field in CLAUSE_FIELDS}
    for index in row_indexes(form, CAPS):
        names |= {f"{CAPS}.{index}.{field}" for field in CAP_FIELDS}
    return names


def penalty_field(parts: list[str]) -> list[str]:
    """The field of a problem's path under [penalties]: a cap that gives both a percentage
    and an amount, or neither, is told beside its percentage."""
    if parts[:2] == ["penalties", "caps"] and len(parts) == 3:
        return [*parts, "percent"]
    return parts


# -- what an edit changes --------------------------------------------------------------------


def _meaning(terms: PenaltyTerms | None) -> PenaltyTerms | None:
    """Penalty terms as they mean: the targets and levels of a clause in any order (the page
    lists the targets in the levels' order, which may not be the document's)."""
    if terms is None:
        return None
    clauses = tuple(
        dataclasses.replace(
            clause,
            targets=tuple(sorted(clause.targets)),
            severities=tuple(sorted(clause.severities)),
        )
        for clause in terms.clauses
    )
    return dataclasses.replace(terms, clauses=clauses)


def same_penalties(new: PenaltyTerms | None, old: PenaltyTerms | None) -> bool:
    """Whether two versions' penalty terms mean the same."""
    return _meaning(new) == _meaning(old)
