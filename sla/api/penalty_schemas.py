"""Request and response bodies of the API's penalty statements (pydantic: validation and JSON
Schema), after the habits of `sla.api.schemas`: responses read the domain's views
(`sla.penalties.statement`, `sla.penalties.reading.Listed`) by their attributes, requests are
strict JSON checked whole before the procedure sees them.

Amounts are € HT as strings with two decimals ("150.00"), never floats: what the vendor owes
is counted in cents, and a float would not say 0.10 exactly.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AliasPath,
    BeforeValidator,
    Field,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from sla.api.fields import MULTILINE, EnumValue, Id, Instant, QueryId
from sla.api.schemas import Public, Query, Strict
from sla.engine.penalties import Lateness
from sla.engine.penalty_terms import LatenessUnit
from sla.penalties.procedure import MAX_REASON

# -- values ---------------------------------------------------------------------------------

# A valid day of years 1970 to 2200, written YYYY-MM-DD: the months of 31 days, of 30, February
# to the 28th, and the 29th of February of the leap years (2000, not 2100 nor 2200). Stated
# whole in the JSON Schema, so that a client (or a fuzzer) knows exactly what is accepted.
_COMMON_DAY = (
    "(19[7-9][0-9]|20[0-9][0-9]|21[0-9][0-9]|2200)-"
    "((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    "|02-(0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = (
    "(19(7[26]|8[048]|9[26])|20([02468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-02-29"
)
DAY_PATTERN = f"^({_COMMON_DAY}|{_LEAP_DAY})$"
_DAY = re.compile(DAY_PATTERN)


def _iso_day(value: object) -> date:
    """The day `value` writes, if it is a string of DAY_PATTERN; an error otherwise (a
    timestamp, a number, a date with a time, a year before 1970 or after 2200)."""
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise PydanticCustomError(
            "iso_day", "a date written YYYY-MM-DD, years 1970 to 2200, e.g. 2026-10-01"
        )
    return date.fromisoformat(value)


# A day a client gives (in a body or a query string).
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DAY_PATTERN,
            "description": "YYYY-MM-DD, years 1970 to 2200",
        }
    ),
]


def _two_decimals(value: object) -> object:
    """An amount (a Decimal) as a string with two decimals, e.g. "150.00"."""
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def _decimal_text(value: object) -> object:
    """A Decimal as its plain text, without trailing zeros (a percentage: "10", "2.5")."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


# An amount in € HT, as a string with two decimals.
Money = Annotated[
    str,
    BeforeValidator(_two_decimals),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^-?[0-9]+\.[0-9]{2}$",
            "description": "€ HT, two decimals",
        }
    ),
]
DecimalText = Annotated[
    str,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}),
]
# An amount a client gives: € HT, at most two decimals, a point for the decimal separator.
AmountIn = Annotated[str, Field(pattern=r"^[0-9]{1,10}(\.[0-9]{1,2})?$")]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON), MULTILINE]

# The values of `sla.penalties.statement.State`, of `Decision`, and the transitions' names
# (the last segment of their paths); a test holds them equal.
StateName = Literal["draft", "notified", "observations", "final", "superseded", "abandoned"]
DecisionName = Literal["applied", "reduced", "waived"]
Transition = Literal["notify", "observations", "decisions", "finalise", "supersede", "abandon"]

# -- queries and requests ---------------------------------------------------------------------


class StatementQuery(Query):
    """The filters of the statement list (a period: those that overlap it)."""

    contract_id: QueryId | None = Field(default=None, description="Only this contract's")
    state: StateName | None = Field(default=None, description="Only those in this state")
    first: Day | None = Field(
        default=None, alias="from", description="Only periods ending on or after this day"
    )
    last: Day | None = Field(
        default=None, alias="to", description="Only periods starting on or before this day"
    )


class StatementIn(Strict):
    """A new draft statement of a contract's penalties over a period that has ended: the
    month or the quarter of `first` (any day of it), or a range (`first` to `last`)."""

    contract_id: Id
    period_kind: Literal["month", "quarter", "range"]
    first: Day = Field(description="A day of the month or quarter; the range's first day")
    last: Day | None = Field(default=None, description="The range's last day (range only)")


class RevisionIn(Strict):
    """A transition at the revision the client saw."""

    revision: Id = Field(description="The statement revision you saw; 409 if it changed")


class ObservationsIn(RevisionIn):
    """The vendor's observations, as received (their files: through the web form only)."""

    text: Annotated[str, Field(min_length=1, max_length=20_000), MULTILINE]
    received_at: Instant = Field(description="When the vendor's answer was received")


class DecisionIn(RevisionIn):
    """The decision on one line of a notified statement, with its reason."""

    line_id: Id
    decision: DecisionName
    amount: AmountIn | None = Field(
        default=None, description="Reduced: the amount kept, € HT, below the line's"
    )
    reason: Reason


class ReasonIn(RevisionIn):
    """A transition that needs its reason (supersede, abandon)."""

    reason: Reason


# -- responses ------------------------------------------------------------------------------


class StatementListedOut(Public):
    """A statement in the list: what it covers, where it stands, its amounts."""

    # Read from a `reading.Listed`.

    id: int
    contract_id: int
    contract_reference: str
    vendor: str = Field(validation_alias="vendor_name")
    period_kind: str
    period_start: date
    period_end: date
    state: StateName
    notified_total_ht: Money | None
    final_total_ht: Money | None
    answer_due_at: datetime | None
    created_at: datetime


class LatenessOut(Public):
    """How late a breach is, in each unit a clause may count in: business and real seconds,
    the started hours of each, business days touched and started 24-hour days."""

    business_seconds: float
    calendar_seconds: float
    business_hours: int
    calendar_hours: int
    business_days: int
    calendar_days: int

    @classmethod
    def of_lateness(cls, lateness: Lateness) -> LatenessOut:
        return cls(
            business_seconds=lateness.business_seconds,
            calendar_seconds=lateness.calendar_seconds,
            business_hours=lateness.started(LatenessUnit.business_hour),
            calendar_hours=lateness.started(LatenessUnit.calendar_hour),
            business_days=lateness.business_days,
            calendar_days=lateness.calendar_days,
        )


class DecisionOut(Public):
    """The decision on a line (the last one counts): the amount kept and why, when, by whom."""

    # Read from a `DecisionView`.

    decision: DecisionName
    amount: Money
    reason: str
    decided_at: datetime
    decided_by: str


class LineOut(Public):
    """One line: a breach (incident, target, deadline, milestone, lateness) or an availability
    stretch; the clause, the units it charges and the amount; its decision once decided. `id`
    is null while the statement is a draft (its lines are computed afresh at each reading)."""

    # Read from a `LineView`.

    id: int | None
    position: int
    kind: str
    clause_key: str
    clause_kind: str
    clause_label: str
    clause_article: str
    units: int
    unit: str
    amount: Money
    zone: str
    incident_id: int | None
    incident_title: str
    severity: str
    target_key: str
    target_label: str
    target_article: str
    deadline: datetime | None
    milestone_at: datetime | None
    lateness: LatenessOut | None
    stretch_start: datetime | None
    stretch_end: datetime | None
    target_percent: float | None
    measured_percent: float | None
    decision: DecisionOut | None

    @field_validator("lateness", mode="before")
    @classmethod
    def _lateness(cls, value: object) -> object:
        return LatenessOut.of_lateness(value) if isinstance(value, Lateness) else value


class CapOut(Public):
    """A cap as applied: its scope and terms, the limit it allowed, what it took off."""

    # Read from a `CapApplied`.

    scope: EnumValue = Field(validation_alias=AliasPath("cap", "scope"))
    percent: DecimalText | None = Field(validation_alias=AliasPath("cap", "percent"))
    amount_ht: Money | None = Field(validation_alias=AliasPath("cap", "amount_ht"))
    limit: Money
    reduction: Money


class TotalsOut(Public):
    """The lines added up, the threshold (exempted: the subtotal is at most it, nothing is
    owed), each cap, and the total the vendor owes."""

    # Read from `Totals`.

    subtotal: Money
    threshold_ht: Money | None
    exempted: bool
    caps: list[CapOut]
    total: Money


class FileOut(Public):
    """A file sent with the vendor's observations (its content: from the web pages)."""

    # Read from a `FileView`.

    id: int
    filename: str
    mimetype: str
    size: int
    sha256: str


class StepOut(Public):
    """A step of the procedure: its kind, when, by whom, its text (observations, a reason),
    when the vendor's answer was received, and its files."""

    # Read from a `StepView`.

    kind: EnumValue
    at: datetime
    by: str
    text: str
    received_at: datetime | None
    files: list[FileOut]


class StatementOut(Public):
    """A statement with its lines, totals (as computed or notified) and decided totals (once
    every line is decided), its steps, its revision, and the transitions it allows now."""

    # StatementOut.of(view, SimpleNamespace(transitions=…)): a `StatementView` and its transitions.

    id: int
    state: StateName
    revision: int
    contract_id: int
    contract_reference: str
    contract_title: str
    vendor: str = Field(validation_alias="vendor_name")
    vendor_siret: str
    period_kind: str
    period_start: date
    period_end: date
    zone: str
    lines: list[LineOut]
    totals: TotalsOut
    decided: TotalsOut | None
    undecided: int
    computed_at: datetime
    procedure_article: str
    threshold_article: str
    cap_article: str
    answer_days: int
    created_at: datetime
    created_by: str
    notified_at: datetime | None
    notified_to: str
    answer_due_at: datetime | None
    finalised_at: datetime | None
    final_sha256: str
    supersedes_id: int | None
    superseded_by_id: int | None
    steps: list[StepOut]
    transitions: list[Transition] = Field(
        description="What the procedure allows now (whatever the caller's role)"
    )
