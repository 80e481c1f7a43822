"""The outbox of notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


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
    incident_id: int | None = Field(default=None, foreign_key="incidents.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="contracts.id")
    # A mail carrying an archived report as its attachment (the monthly SLA report).
    report_id: int | None = Field(default=None, foreign_key="archived_reports.id")
    status: str = Field(default="pending", max_length=16, index=True)  # pending, sent, failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str = Field(default="")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
