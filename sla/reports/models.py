"""Archived reports: frozen copies, never recomputed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class ArchivedReport(SQLModel, table=True):
    """A report as it was produced: its figures, PDF and XLSX. Later changes to incidents do
    not alter it. The scheduled monthly report is unique per period (`scheduled`)."""

    __tablename__ = "archived_reports"
    __table_args__ = (UniqueConstraint("period_start", "period_end", "scope", "scheduled"),)

    id: int | None = Field(default=None, primary_key=True)
    period_start: date
    period_end: date  # inclusive, as people read it
    scope: str = Field(default="all", max_length=100)  # all, vendor:ID or contract:ID
    scope_label: str = Field(default="", max_length=300)
    scheduled: bool = Field(default=False)  # produced by the scheduler (else by a person)
    made_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    made_by_id: int | None = Field(default=None, foreign_key="users.id")
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    xlsx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
