"""The [penalties] table: a contract's penalty clauses and their limits → `PenaltyTerms`.

```toml
[penalties]
article = "CCAP art. 9"              # where the contract sets its penalties
answer_days = 15                     # the vendor's answer period (CCAG-TIC art. 14.1: 15 days)
threshold_ht = "1000.00"             # a statement totalling at most this brings no penalty
threshold_article = "CCAG-TIC art. 14.1.3"
notify_to = "contrats@vendor.fr"     # where the letter goes (else the vendor's support address)

[[penalties.clauses]]
key = "gtr-bloquant"
kind = "per_unit"                    # per_unit, per_breach, formula, availability
label = "50 € HT par heure ouvrée de retard au-delà de la GTR"
article = "CCAP art. 9.2"
targets = ["gtr"]                    # target keys; none: every target
severities = ["bloquant"]            # severity keys; none: every level
unit = "business_hour"               # business_hour, calendar_hour, calendar_day, business_day
amount_ht = "50.00"
grace = 1                            # units not charged

[[penalties.caps]]
per = "year"                         # month (each month of a statement) or year
percent = 10                         # of the yearly amount; or amount_ht = "..."
```
A formula clause takes `value_ht` (V; else the contract's yearly amount), `divisor` (D,
default 1000, CCAG-TIC) and `unit` (R's unit, default calendar days); an availability clause
takes `amount_ht` and `step` ("tenth" or "point") and needs the contract's availability target.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from sla.contracts.document.checker import Checker
from sla.contracts.document.types import ContractInfo
from sla.contracts.toml_lines import Path as KeyPath
from sla.engine.penalty_terms import (
    CCAG_TIC_DIVISOR,
    DEFAULT_ANSWER_DAYS,
    AvailabilityStep,
    CapScope,
    ClauseKind,
    LatenessUnit,
    PenaltyCap,
    PenaltyClause,
    PenaltyTerms,
)
from sla.engine.terms import SlaTerms

# The keys of the table and of a clause, in the order the form shows them.
TABLE_KEYS = (
    "article",
    "answer_days",
    "threshold_ht",
    "threshold_article",
    "cap_article",
    "notify_to",
    "clauses",
    "caps",
)
CLAUSE_KEYS = (
    "key",
    "kind",
    "label",
    "article",
    "targets",
    "severities",
    "unit",
    "amount_ht",
    "grace",
    "value_ht",
    "divisor",
    "step",
)
# The keys each kind of clause reads, beyond those every clause has.
KIND_KEYS = {
    ClauseKind.per_unit: {"targets", "severities", "unit", "amount_ht", "grace"},
    ClauseKind.per_breach: {"targets", "severities", "amount_ht"},
    ClauseKind.formula: {"targets", "severities", "unit", "grace", "value_ht", "divisor"},
    ClauseKind.availability: {"amount_ht", "step"},
}
COMMON_KEYS = {"key", "kind", "label", "article"}
MAX_ANSWER_DAYS = 365
MAX_DIVISOR = 100_000
MAX_GRACE = 10_000


def penalty_terms(
    check: Checker, data: Mapping[str, Any], sla: SlaTerms, contract: ContractInfo
) -> PenaltyTerms | None:
    """The [penalties] table (None when the contract has none), checked against the targets,
    levels and availability of [sla] and the amounts of [contract]."""
    path: KeyPath = ("penalties",)
    table = check.table(data, "penalties", (), required=False)
    if not table:
        return None
    check.unknown(table, set(TABLE_KEYS), path)
    clauses = _clauses(check, table, path, sla, contract)
    answer_days = check.integer(
        table, "answer_days", path, default=DEFAULT_ANSWER_DAYS, low=1, high=MAX_ANSWER_DAYS
    )
    caps = _caps(check, table, path, contract)
    notify_to = check.text(table, "notify_to", path)
    if notify_to and ("@" not in notify_to or any(c.isspace() for c in notify_to)):
        check.fail((*path, "notify_to"), "document.bad_email", value=repr(notify_to))
    return PenaltyTerms(
        clauses=tuple(clauses),
        threshold_ht=check.money(table, "threshold_ht", path),
        threshold_article=check.text(table, "threshold_article", path),
        caps=tuple(caps),
        cap_article=check.text(table, "cap_article", path),
        answer_days=answer_days or DEFAULT_ANSWER_DAYS,
        procedure_article=check.text(table, "article", path),
        notify_to=notify_to,
    )


def _clauses(
    check: Checker,
    table: Mapping[str, Any],
    path: KeyPath,
    sla: SlaTerms,
    contract: ContractInfo,
) -> list[PenaltyClause]:
    clauses: list[PenaltyClause] = []
    seen: set[str] = set()
    raw_clauses = check.array(table, "clauses", path)
    if not raw_clauses:
        check.fail((*path, "clauses"), "document.no_penalty_clause")
    for index, raw in enumerate(raw_clauses):
        clause_path: KeyPath = (*path, "clauses", index)
        if not isinstance(raw, Mapping):
            check.fail(clause_path, "document.expected_table")
            continue
        clause = _clause(check, raw, clause_path, sla, contract)
        if clause is None:
            continue
        if clause.key in seen:
            check.fail((*clause_path, "key"), "document.duplicate_clause", clause=repr(clause.key))
        seen.add(clause.key)
        clauses.append(clause)
    return clauses


E = TypeVar("E", ClauseKind, LatenessUnit, AvailabilityStep, CapScope)


def _choice(
    check: Checker,
    raw: Mapping[str, Any],
    key: str,
    path: KeyPath,
    enum: type[E],
    default: E | None,
) -> E | None:
    text = check.text(raw, key, path, required=default is None)
    if not text:
        return default
    try:
        return enum(text)
    except ValueError:
        check.fail(
            (*path, key),
            "document.not_one_of",
            choices=[member.value for member in enum],
            value=repr(text),
        )
        return None


def _clause(
    check: Checker,
    raw: Mapping[str, Any],
    path: KeyPath,
    sla: SlaTerms,
    contract: ContractInfo,
) -> PenaltyClause | None:
    kind = _choice(check, raw, "kind", path, ClauseKind, None)
    if kind is None:
        check.unknown(raw, set(CLAUSE_KEYS), path)
        return None
    check.unknown(raw, COMMON_KEYS | KIND_KEYS[kind], path)
    key = check.slug(raw, "key", path)
    targets = _names(check, raw, "targets", path, _target_keys(sla), "document.unknown_target")
    severities = _names(
        check, raw, "severities", path, sla.severity_keys(), "document.unknown_severity"
    )
    amount = check.money(raw, "amount_ht", path)
    if kind is not ClauseKind.formula and amount is None and "amount_ht" not in raw:
        check.fail((*path, "amount_ht"), "document.missing_key", key="amount_ht")
    unit_default = LatenessUnit.calendar_day if kind is ClauseKind.formula else None
    unit = LatenessUnit.calendar_day
    if kind in (ClauseKind.per_unit, ClauseKind.formula):
        unit = _choice(check, raw, "unit", path, LatenessUnit, unit_default) or unit
    value = check.money(raw, "value_ht", path)
    no_value = value is None and "value_ht" not in raw
    if kind is ClauseKind.formula and no_value and contract.yearly_amount_ht is None:
        check.fail((*path, "value_ht"), "document.formula_value")
    if kind is ClauseKind.availability and sla.availability is None:
        check.fail((*path, "kind"), "document.no_availability_target")
    return PenaltyClause(
        key=key,
        kind=kind,
        label=check.text(raw, "label", path, required=True),
        article=check.text(raw, "article", path),
        targets=targets,
        severities=severities,
        unit=unit,
        amount_ht=amount or Decimal(0),
        grace=check.integer(raw, "grace", path, default=0, high=MAX_GRACE) or 0,
        value_ht=value,
        divisor=check.integer(
            raw, "divisor", path, default=CCAG_TIC_DIVISOR, low=1, high=MAX_DIVISOR
        )
        or CCAG_TIC_DIVISOR,
        step=_choice(check, raw, "step", path, AvailabilityStep, AvailabilityStep.tenth)
        or AvailabilityStep.tenth,
    )


def _target_keys(sla: SlaTerms) -> list[str]:
    return sorted({target.key for severity in sla.severities for target in severity.targets})


def _names(
    check: Checker,
    raw: Mapping[str, Any],
    key: str,
    path: KeyPath,
    known: list[str],
    code: str,
) -> tuple[str, ...]:
    """A list of target or severity keys the contract defines."""
    names = []
    for name in check.array(raw, key, path):
        if name not in known:
            field = "target" if key == "targets" else "severity"
            check.fail((*path, key), code, **{field: repr(name), "known": sorted(known)})
            continue
        names.append(str(name))
    return tuple(names)


def _caps(
    check: Checker, table: Mapping[str, Any], path: KeyPath, contract: ContractInfo
) -> list[PenaltyCap]:
    caps = []
    for index, raw in enumerate(check.array(table, "caps", path)):
        cap_path: KeyPath = (*path, "caps", index)
        if not isinstance(raw, Mapping):
            check.fail(cap_path, "document.expected_table")
            continue
        check.unknown(raw, {"per", "percent", "amount_ht"}, cap_path)
        scope = _choice(check, raw, "per", cap_path, CapScope, None)
        percent = check.number(raw, "percent", cap_path, high=100)
        amount = check.money(raw, "amount_ht", cap_path)
        if (percent is None) == (amount is None):
            check.fail(cap_path, "document.one_cap")
            continue
        if percent is not None and contract.yearly_amount_ht is None:
            check.fail((*cap_path, "percent"), "document.cap_needs_amount")
        if scope is not None:
            caps.append(
                PenaltyCap(
                    scope,
                    Decimal(str(percent)) if percent is not None else None,
                    amount,
                )
            )
    return caps
