"""Request and response bodies of the JSON API (pydantic: validation and JSON Schema).

Each response model reads the domain objects directly (`Model.model_validate(obj,
from_attributes=True)`, or `Model.of(first, second, …)` when its fields come from several
objects); where the JSON name or shape differs from the object's attribute, the field says
so once, with a `validation_alias` or a `mode="before"` validator. Aliases are for reading
only: the JSON keys, and the OpenAPI schema (built in serialization mode), are the field names.

What a client sends is checked here, whole, before any domain code or database sees it: a
request body is strict JSON (no boolean for a number, no number for a date), a query string
holds ASCII whole numbers; ids fit the database's integer, instants carry their offset and fall
in years 1970 to 2200, text holds no control character (one-line fields no line break either).
Each rule is stated in the JSON Schema the OpenAPI document publishes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from incidents.replay import IncidentView
from sla.api.fields import (
    MULTILINE,
    ONE_LINE,
    WHOLE_NUMBER,
    AttributeSources,
    EnumValue,
    Id,
    Instant,
    Key,
    QueryFlag,
    QueryId,
    WaitingStates,
)
from sla.engine.lifecycle import EventKind


class Strict(BaseModel):
    """A request body, validated from its JSON text: an unknown key is an error, not silently
    ignored, and no type is coerced (`true` is no number, `"1"` no integer, `1700000000` no
    date; only an id written `3.0` is the integer JSON Schema says it is)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    """The query parameters of a request, from the URL's text: each converted and checked by
    its type; a parameter the operation does not know is ignored."""

    model_config = ConfigDict(extra="ignore", strict=True)


class ContractQuery(Query):
    """The filter of the contract list."""

    vendor_id: QueryId | None = Field(default=None, description="Only this vendor's contracts")


class IncidentQuery(Query):
    """The filters and page of the incident list."""

    vendor_id: QueryId | None = None
    contract_id: QueryId | None = None
    status: Literal["open", "paused", "resolved", "closed"] | None = None
    severity: Key | None = Field(default=None, description="The current severity's key")
    open: QueryFlag = Field(default=False, description="Only open or paused incidents")
    limit: Annotated[int, Field(ge=1, le=500), WHOLE_NUMBER] = 50
    offset: Annotated[int, Field(ge=0, le=10**9), WHOLE_NUMBER] = 0


class Public(BaseModel):
    """A response body, read from the attributes of domain objects."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, *sources: object) -> Self:
        """The model read from the attributes of `sources`, the first object having each one."""
        return cls.model_validate(AttributeSources(sources), from_attributes=True)


class ErrorItem(BaseModel):
    """What is wrong with one field of the input: the field, a stable code when a domain
    rule refused it (e.g. `event.not_waiting`), and the message in the reader's language."""

    field: str
    message: str
    code: str | None = None


class ErrorBody(BaseModel):
    """Every error response: a message, the domain rule's code when one refused the request,
    and per-field details when there are some."""

    error: str
    code: str | None = None
    errors: list[ErrorItem] = []


class ServerErrorBody(BaseModel):
    """A 500: the server failed; the request id leads to the traceback in its log."""

    error: str
    request_id: str | None


class UserOut(Public):
    """The user a token belongs to."""

    # Read from a `User`.

    id: int
    username: str
    display_name: str
    role: str


class VendorOut(Public):
    """A vendor and how to reach its support."""

    # Read from a `Vendor`.

    id: int
    name: str
    siret: str
    support_email: str
    support_phone: str
    portal_url: str
    notes: str


class TargetTermsOut(Public):
    """A target the contract promises: `amount` of `unit`, counted from `origin` (heure H or
    another target) in `calendar`."""

    # Read from a `TargetTerms`, its `Duration` flattened.

    key: str
    kind: EnumValue
    label: str
    unit: EnumValue = Field(validation_alias=AliasPath("duration", "unit"))
    amount: float = Field(validation_alias=AliasPath("duration", "amount"))
    end_of_day: bool = Field(validation_alias=AliasPath("duration", "end_of_day"))
    origin: str
    calendar: str
    pauses: WaitingStates  # the waiting states that freeze it: customer, third_party
    article: str


class SeverityOut(Public):
    """A severity level of the contract and the targets it sets."""

    # Read from a `SeverityTerms`.

    key: str
    label: str
    definition: str
    targets: list[TargetTermsOut]


class ExclusionOut(Public):
    """An exclusion clause of the contract."""

    # Read from an `ExclusionTerms`.

    key: str
    text: str
    article: str
    targets: list[str]  # the target keys it covers; none: every target


class ContractOut(Public):
    """A contract, with the number and effective date of its version in force today (before
    the first version takes effect, of that first one; never of an amendment to come)."""

    # ContractOut.of(contract, version): a `Contract` and its `ContractVersion` in force.

    id: int
    vendor_id: int
    reference: str
    title: str
    services: list[str]
    start_date: date
    end_date: date | None
    renewal: str
    max_renewals: int | None
    notice_months: int
    notice_days: int
    yearly_amount_ht: str | None
    calendar: str = Field(validation_alias="calendar_key")
    version: int = Field(validation_alias="number")
    version_effective_from: date = Field(validation_alias="effective_from")

    @field_validator("yearly_amount_ht", mode="before")
    @classmethod
    def _two_decimals(cls, value: object) -> object:
        """The amount (a Decimal) as a string with two decimals, e.g. "5429.84"."""
        return f"{value:.2f}" if isinstance(value, Decimal) else value


class ContractDetailOut(ContractOut):
    """A contract with the SLA of its version in force today."""

    # ContractDetailOut.of(contract, version, terms): ContractOut's, and the version's `SlaTerms`.

    severities: list[SeverityOut]
    exclusions: list[ExclusionOut]
    availability_percent: float | None = Field(validation_alias="availability")

    @field_validator("availability_percent", mode="before")
    @classmethod
    def _target_percent(cls, value: object) -> object:
        """The availability terms as their target percentage; None when there are none."""
        return getattr(value, "target_percent", value)


class IncidentIn(Strict):
    """The body reporting an incident."""

    contract_id: Id
    severity: Key
    title: Annotated[str, Field(min_length=1, max_length=300), ONE_LINE]
    description: Annotated[str, Field(max_length=20_000), MULTILINE] = ""
    service: Annotated[str, Field(max_length=200), ONE_LINE] = ""
    channel: Literal["phone", "email", "portal", "other"] = "phone"
    vendor_ticket_ref: Annotated[str, Field(max_length=100), ONE_LINE] = ""
    reported_at: Instant | None = Field(
        default=None, description="Heure H, with its offset (years 1970 to 2200); default: now"
    )


class CorrectionIn(Strict):
    """The body correcting an incident's details: give only what changes. Each change is
    kept in the history as a `corrected` event with what it was and what it becomes."""

    revision: Id = Field(description="The incident revision you saw; 409 if it changed")
    title: Annotated[str, Field(min_length=1, max_length=300), ONE_LINE] | None = None
    description: Annotated[str, Field(max_length=20_000), MULTILINE] | None = None
    service: Annotated[str, Field(max_length=200), ONE_LINE] | None = None
    channel: Literal["phone", "email", "portal", "other"] | None = None
    vendor_ticket_ref: Annotated[str, Field(max_length=100), ONE_LINE] | None = None


class EventIn(Strict):
    """The body recording an event on an incident."""

    kind: EventKind
    revision: Id = Field(description="The incident revision you saw; 409 if it changed")
    occurred_at: Instant | None = Field(
        default=None, description="With its offset (years 1970 to 2200); default: now"
    )
    severity: Key | None = None
    exclusion: Key | None = None
    target: Key | None = None
    cancels: Id | None = Field(default=None, description="The id of the event it cancels")
    text: Annotated[str, Field(max_length=20_000), MULTILINE] = ""


class EventOut(Public):
    """An event of an incident; `cancels` is the id of the event it cancels."""

    # Read from an `IncidentEvent`.

    id: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by_id: int | None
    severity: str | None
    exclusion: str | None
    target: str | None
    cancels: int | None = Field(validation_alias="cancels_id")
    text: str
    # A `corrected` event: the detail, what it was, what it became.
    field: str | None = None
    before: str | None = None
    after: str | None = None


class TargetOut(Public):
    """A target of an incident now: deadline, milestone, time consumed and left, status.
    Seconds are business seconds when `business_time`, real seconds otherwise."""

    # Read from a `TargetState`.

    key: str
    kind: EnumValue
    label: str
    article: str
    origin: str
    started_at: datetime | None
    deadline: datetime | None
    milestone_at: datetime | None
    total_seconds: float | None
    consumed_seconds: float
    remaining_seconds: float | None
    lateness_seconds: float | None
    status: EnumValue
    business_time: bool = Field(validation_alias="business")


class TargetQuery(Query):
    """What the target list adds on request."""

    explain: QueryFlag = Field(
        default=False, description="Add each target's explanation: why its deadline falls there"
    )


class StretchOut(Public):
    """A stretch of time counted toward the target (business time: an opening)."""

    # Read from a `Stretch`.

    start: datetime
    end: datetime
    seconds: float
    running_total: float


class ClosedDayOut(Public):
    """A holiday or closure between the start and the deadline."""

    # Read from a `ClosedDay`.

    day: date
    reason: str
    name: str


class PauseEffectOut(Public):
    """A wait of the incident and how much later it put this target's deadline."""

    # Read from a `PauseEffect`.

    start: datetime
    end: datetime
    waiting: EnumValue
    freezes: bool
    moved_seconds: float


class ExplanationOut(Public):
    """Why a target's deadline falls where it does: where its clock starts (heure H, or the
    milestone of `origin_target`), the calendar, each stretch counted, the closed days
    skipped, the pauses and how much they moved it; built from the same computation."""

    # Read from a `DeadlineExplanation`.

    origin: datetime | None
    origin_target: str | None
    calendar: str
    calendar_name: str
    timezone: str
    unit: EnumValue = Field(validation_alias=AliasPath("duration", "unit"))
    amount: float = Field(validation_alias=AliasPath("duration", "amount"))
    end_of_day: bool = Field(validation_alias=AliasPath("duration", "end_of_day"))
    base_deadline: datetime | None
    deadline: datetime | None
    moved_seconds: float
    counted_seconds: float
    stretches: list[StretchOut]
    closed_days: list[ClosedDayOut]
    pauses: list[PauseEffectOut]


class ExplainedTargetOut(TargetOut):
    """A target of an incident now, with the explanation of its deadline."""

    # ExplainedTargetOut.of(explanation.state, SimpleNamespace(explanation=explanation)).

    explanation: ExplanationOut


class IncidentOut(Public):
    """An incident: `severity` is its current severity, `initial_severity` the one it was
    reported with."""

    # Read from an `Incident`.

    id: int
    vendor_id: int
    contract_id: int
    contract_version_id: int
    service: str
    title: str
    description: str
    severity: str = Field(validation_alias="current_severity")
    initial_severity: str = Field(validation_alias="severity")
    reported_at: datetime
    channel: str
    vendor_ticket_ref: str
    status: str
    revision: int
    created_at: datetime


class IncidentDetailOut(IncidentOut):
    """An incident with its events, in recording order, and its targets now."""

    # Read from an `IncidentView`: IncidentDetailOut.of_view(view).

    events: list[EventOut]
    targets: list[TargetOut]

    @classmethod
    def of_view(cls, view: IncidentView) -> Self:
        """The view's incident, with the view's events and targets."""
        return cls.of(view.incident, view)


class IncidentPage(Public):
    """One page of incidents, with the total count matching the filter."""

    total: int
    limit: int
    offset: int
    items: list[IncidentOut]
