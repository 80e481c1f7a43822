"""Request and response bodies of the JSON API (pydantic: validation and JSON Schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sla.engine.lifecycle import EventKind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    error: str
    errors: list[ErrorItem] = []


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str


class VendorOut(BaseModel):
    id: int
    name: str
    siret: str
    support_email: str
    support_phone: str
    portal_url: str
    notes: str


class TargetTermsOut(BaseModel):
    key: str
    kind: str
    label: str
    unit: str
    amount: float
    end_of_day: bool
    origin: str
    calendar: str
    pauses: bool
    article: str


class SeverityOut(BaseModel):
    key: str
    label: str
    definition: str
    targets: list[TargetTermsOut]


class ExclusionOut(BaseModel):
    key: str
    text: str
    article: str


class ContractOut(BaseModel):
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
    calendar: str
    version: int
    version_effective_from: date


class ContractDetailOut(ContractOut):
    severities: list[SeverityOut]
    exclusions: list[ExclusionOut]
    availability_percent: float | None


class IncidentIn(Strict):
    contract_id: int
    severity: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    service: str = Field(default="", max_length=200)
    channel: Literal["phone", "email", "portal", "other"] = "phone"
    vendor_ticket_ref: str = Field(default="", max_length=100)
    reported_at: AwareDatetime | None = Field(default=None, description="Heure H; default: now")


class EventIn(Strict):
    kind: EventKind
    revision: int = Field(description="The incident revision you saw; 409 if it changed")
    occurred_at: AwareDatetime | None = Field(default=None, description="Default: now")
    severity: str | None = Field(default=None, max_length=64)
    exclusion: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=64)
    cancels: int | None = None
    text: str = Field(default="", max_length=20_000)


class EventOut(BaseModel):
    id: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    recorded_by_id: int | None
    severity: str | None
    exclusion: str | None
    target: str | None
    cancels: int | None
    text: str


class TargetOut(BaseModel):
    key: str
    kind: str
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
    status: str
    business_time: bool


class IncidentOut(BaseModel):
    id: int
    vendor_id: int
    contract_id: int
    contract_version_id: int
    service: str
    title: str
    description: str
    severity: str
    initial_severity: str
    reported_at: datetime
    channel: str
    vendor_ticket_ref: str
    status: str
    revision: int
    created_at: datetime


class IncidentDetailOut(IncidentOut):
    events: list[EventOut]
    targets: list[TargetOut]


class IncidentPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[IncidentOut]
