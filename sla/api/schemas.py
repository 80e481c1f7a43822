"""Request and response bodies of the JSON API (pydantic: validation and JSON Schema).

Each response model reads the domain objects directly (`Model.model_validate(obj,
from_attributes=True)`, or `Model.of(first, second, …)` when its fields come from several
objects); where the JSON name or shape differs from the object's attribute, the field says
so once, with a `validation_alias` or a `mode="before"` validator. Aliases are for reading
only: the JSON keys, and the OpenAPI schema (built in serialization mode), are the field names.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AliasPath,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from incidents.replay import IncidentView
from sla.engine.lifecycle import EventKind


def _enum_value(value: object) -> object:
    """An enum member as its value; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


# A string the domain holds as an enum member (TargetKind, TargetStatus, DurationUnit).
EnumValue = Annotated[str, BeforeValidator(_enum_value)]

_MISSING = object()


class _Attributes:
    """The attributes of several objects as one object: each name is looked up on each object
    in turn, the first that has it wins. Lets one model read fields from several sources."""

    __slots__ = ("_sources",)

    def __init__(self, sources: tuple[object, ...]) -> None:
        """Look attributes up on `sources`, in this order."""
        self._sources = sources

    def __getattr__(self, name: str) -> Any:
        """The attribute `name` of the first source having it; AttributeError if none has."""
        for source in self._sources:
            value = getattr(source, name, _MISSING)
            if value is not _MISSING:
                return value
        raise AttributeError(name)


class Strict(BaseModel):
    """A request body: an unknown key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Public(BaseModel):
    """A response body, read from the attributes of domain objects."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, *sources: object) -> Self:
        """The model read from the attributes of `sources`, the first object having each one."""
        return cls.model_validate(_Attributes(sources), from_attributes=True)


class ErrorItem(BaseModel):
    """What is wrong with one field of the input."""

    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error response: a message, and per-field details when there are some."""

    error: str
    errors: list[ErrorItem] = []


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
    pauses: bool
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


class ContractOut(Public):
    """A contract, with the number and effective date of its latest version."""

    # ContractOut.of(contract, version): a `Contract` and its latest `ContractVersion`.

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
    """A contract with the SLA of its latest version."""

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

    contract_id: int
    severity: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    service: str = Field(default="", max_length=200)
    channel: Literal["phone", "email", "portal", "other"] = "phone"
    vendor_ticket_ref: str = Field(default="", max_length=100)
    reported_at: AwareDatetime | None = Field(default=None, description="Heure H; default: now")


class EventIn(Strict):
    """The body recording an event on an incident."""

    kind: EventKind
    revision: int = Field(description="The incident revision you saw; 409 if it changed")
    occurred_at: AwareDatetime | None = Field(default=None, description="Default: now")
    severity: str | None = Field(default=None, max_length=64)
    exclusion: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=64)
    cancels: int | None = None
    text: str = Field(default="", max_length=20_000)


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
