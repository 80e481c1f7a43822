"""Tables of incidents and their append-only events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime

CHANNELS = ("phone", "email", "portal", "other")
# An incident's statuses; the first two are open (paused: waiting on the customer or a third
# party, its clocks may still run).
STATUSES = ("open", "paused", "resolved", "closed")
OPEN_STATUSES = ("open", "paused")


class Incident(SQLModel, table=True):
    """An incident reported to a vendor. Its life is in its events; `revision` guards against
    two agents updating it at once (each change must name the revision it saw)."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_contract_reported", "contract_id", "reported_at"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    contract_id: int = Field(foreign_key="contracts.id")
    contract_version_id: int = Field(foreign_key="contract_versions.id")
    service: str = Field(default="", max_length=200)
    title: str = Field(max_length=300)
    description: str = Field(default="")
    severity: str = Field(max_length=64)  # as reported; requalifications are events
    reporter_id: int | None = Field(default=None, foreign_key="users.id")
    reported_at: datetime = Field(
        sa_column=Column(UTCDateTime, nullable=False, index=True)
    )  # heure H
    channel: str = Field(default="phone", max_length=16)
    vendor_ticket_ref: str = Field(default="", max_length=100)
    # Denormalised from the events, for lists and dashboards: open, paused, resolved, closed.
    status: str = Field(default="open", max_length=16, index=True)
    current_severity: str = Field(max_length=64)
    # From the SLA engine after each change, for ordering and filtering many incidents
    # without recomputing them: the earliest deadline still to meet, its target, and the
    # instant the incident is (or will be, if nothing happens) in breach. None while paused.
    next_deadline_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, index=True)
    )
    next_target: str = Field(default="", max_length=200)
    breach_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    # When the next deadline's warning falls due (share used or business time left).
    warn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    # The next instant an alert may fall due; the scheduler only looks at incidents past it.
    next_alert_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    # When the vendor resolved it (or the customer closed it) in its current episode; None
    # while open. Reports use it for "still open at the end of the period".
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    revision: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Title, description and vendor ticket folded without case nor accents (`search_key`):
    # what the list's text search compares, the same on SQLite and PostgreSQL.
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class IncidentEvent(SQLModel, table=True):
    """One event. Never updated nor deleted: a mistake is cancelled by a later event."""

    __tablename__ = "incident_events"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incidents.id", index=True)
    kind: str = Field(max_length=32)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    severity: str | None = Field(default=None, max_length=64)
    exclusion: str | None = Field(default=None, max_length=64)
    target: str | None = Field(default=None, max_length=64)
    cancels_id: int | None = Field(default=None, foreign_key="incident_events.id")
    text: str = Field(default="")
    # A `corrected` event: which detail of the incident changed, from what, to what.
    field: str | None = Field(default=None, max_length=32)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class IncidentTarget(SQLModel, table=True):
    """One target of an incident as the SLA engine last computed it, written with the
    incident's summary after every change. Reports read outcomes from here instead of
    replaying every incident: a stored deadline only ever changes through an event (which
    rewrites the row); the passing of time is derived (`sla.reports.outcomes`)."""

    __tablename__ = "incident_targets"

    incident_id: int = Field(foreign_key="incidents.id", primary_key=True)
    key: str = Field(max_length=64, primary_key=True)
    kind: str = Field(max_length=32)  # a TargetKind
    label: str = Field(max_length=200)
    article: str = Field(default="", max_length=200)
    business: bool = Field(default=True)  # seconds are business seconds
    status: str = Field(max_length=32)  # the TargetStatus when computed
    deadline: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    milestone_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    excluded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    total_seconds: float | None = Field(default=None)
    # Time counted until the milestone (or until the computation, while it runs).
    consumed_seconds: float = Field(default=0.0)
