"""Alerts and their deliveries.

An `AlertRecord` is a fact of an incident or a contract: a warning, a breach, a reminder, an
escalation, a notice came due at an instant. The sweep records it whether or not anyone can
receive it. A `Notification` is one delivery of it to one recipient on one channel (the
outbox); a digest or a report mail is a delivery with no alert behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class AlertRecord(SQLModel, table=True):
    """One alert that came due, once: `key` names what it is about (kind, incident, target,
    the deadline it is about; or contract and date), unique, so a second sweep or a second
    scheduler records nothing more. `unreachable` holds why it reached nobody when recorded
    (codes worded by the alerts page), empty when it had recipients."""

    __tablename__ = "alert_records"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True, index=True)
    kind: str = Field(max_length=32)  # warning, breach, reminder, escalation, notice, end
    incident_id: int | None = Field(default=None, foreign_key="incidents.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", index=True)
    target_key: str = Field(default="", max_length=64)
    subject: str = Field(max_length=300)
    body_text: str = Field(default="")
    body_html: str = Field(default="")
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    unreachable: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class Notification(SQLModel, table=True):
    """One message to one recipient on one channel. Recorded before it is sent; `key` is
    unique, so recording the same alert twice (a second sweep, a second scheduler) is a no-op."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True, index=True)
    kind: str = Field(max_length=32)  # warning, breach, reminder, escalation, notice, digest
    channel: str = Field(max_length=16)  # email, webhook
    recipient: str = Field(max_length=500)
    subject: str = Field(max_length=300)
    body_text: str = Field(default="")
    body_html: str = Field(default="")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    alert_id: int | None = Field(default=None, foreign_key="alert_records.id", index=True)
    incident_id: int | None = Field(default=None, foreign_key="incidents.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contracts.id")
    # A mail carrying an archived report as its attachment (the monthly SLA report).
    report_id: int | None = Field(default=None, foreign_key="archived_reports.id")
    # A mail carrying a penalty statement's letter (its PDF) to the vendor.
    statement_id: int | None = Field(default=None, foreign_key="penalty_statements.id")
    status: str = Field(default="pending", max_length=16, index=True)  # pending, sent, failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str = Field(default="")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class SweepMark(SQLModel, table=True):
    """What a sweep remembers between runs: e.g. the fingerprint of who could receive alerts
    at the last catch-up (`name` = "recipients")."""

    __tablename__ = "sweep_marks"

    name: str = Field(primary_key=True, max_length=32)
    value: str = Field(default="", max_length=128)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
