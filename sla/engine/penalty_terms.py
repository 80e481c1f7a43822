"""A contract's penalty clauses, as plain immutable data (read from its `[penalties]` table by
`sla.contracts.document.penalty_terms`).

Four kinds of clause, each quoting its article:
- `per_unit`: an amount per started unit of lateness (business hour, calendar hour, calendar
  day, business day), after an optional grace counted in the same unit;
- `per_breach`: a fixed amount per breach;
- `formula`: the CCAGs' daily formula `P = V × R / D` (V the value of the late services in
  € HT, R the days late, D the divisor: 1000 in CCAG-TIC 2021, 3000 in CCAG-PI);
- `availability`: an amount per started tenth of a point (or point) below the availability
  target over the period.
Lateness clauses name the targets (keys) and severity levels they apply to; none named: all.
The contract's limits: a threshold (a statement whose total is at most this amount brings no
penalty: the CCAGs' exemption) and caps (a percentage of the yearly amount or a fixed sum, per
statement period or per contract year). Amounts are € HT, outside VAT, as `Decimal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class ClauseKind(StrEnum):
    per_unit = "per_unit"
    per_breach = "per_breach"
    formula = "formula"
    availability = "availability"


class LatenessUnit(StrEnum):
    business_hour = "business_hour"
    calendar_hour = "calendar_hour"
    calendar_day = "calendar_day"
    business_day = "business_day"


class AvailabilityStep(StrEnum):
    tenth = "tenth"  # per started tenth of a point below the target
    point = "point"  # per started point


class CapScope(StrEnum):
    month = "month"  # each month of a statement's period (a part of a month pro rata)
    year = "year"  # each contract year (from the contract's start, anniversary to anniversary)


# CCAG-TIC 2021 art. 14.1: the daily formula's divisor, and the vendor's answer period.
CCAG_TIC_DIVISOR = 1000
DEFAULT_ANSWER_DAYS = 15


@dataclass(frozen=True, slots=True)
class PenaltyClause:
    key: str
    kind: ClauseKind
    label: str  # the clause as the contract words it, short
    article: str
    targets: tuple[str, ...] = ()  # target keys; none: every target
    severities: tuple[str, ...] = ()  # severity keys; none: every level
    unit: LatenessUnit = LatenessUnit.calendar_day  # per_unit and formula (R's unit)
    amount_ht: Decimal = Decimal(0)  # per unit, per breach, or per availability step
    grace: int = 0  # units of lateness not charged (per_unit, formula)
    value_ht: Decimal | None = None  # formula's V; None: the contract's yearly amount
    divisor: int = CCAG_TIC_DIVISOR  # formula's D
    step: AvailabilityStep = AvailabilityStep.tenth

    def applies_to(self, severity: str, target: str) -> bool:
        """A lateness clause that covers this level's target."""
        if self.kind is ClauseKind.availability:
            return False
        return (not self.targets or target in self.targets) and (
            not self.severities or severity in self.severities
        )


@dataclass(frozen=True, slots=True)
class PenaltyCap:
    scope: CapScope
    percent: Decimal | None = None  # of the yearly amount (a twelfth of it per month)
    amount_ht: Decimal | None = None  # a fixed sum


@dataclass(frozen=True, slots=True)
class PenaltyTerms:
    """The clauses and limits of one contract version."""

    clauses: tuple[PenaltyClause, ...]
    threshold_ht: Decimal | None = None
    threshold_article: str = ""
    caps: tuple[PenaltyCap, ...] = ()
    cap_article: str = ""
    answer_days: int = DEFAULT_ANSWER_DAYS
    procedure_article: str = ""  # where the contract sets the contradictory procedure
    notify_to: str = ""  # where the letter goes; empty: the vendor's support address

    def lateness_clauses(self, severity: str, target: str) -> list[PenaltyClause]:
        return [clause for clause in self.clauses if clause.applies_to(severity, target)]

    def availability_clauses(self) -> list[PenaltyClause]:
        return [c for c in self.clauses if c.kind is ClauseKind.availability]

    def clause(self, key: str) -> PenaltyClause | None:
        return next((c for c in self.clauses if c.key == key), None)
