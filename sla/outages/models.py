"""The outages table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class Outage(SQLModel, table=True):
    """A service of a contract was unavailable from `started_at` to `ended_at` (None: still
    down). Never deleted: a mistaken record is cancelled (who, when, why) and entered again;
    an ongoing outage gets its end once."""

    __tablename__ = "outages"
    __table_args__ = (Index("ix_outages_contract_started", "contract_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id")
    service: str = Field(default="", max_length=200)
    started_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    cause: str = Field(default="")
    incident_id: int | None = Field(default=None, foreign_key="incidents.id")
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by_id: int | None = Field(default=None, foreign_key="users.id")
    ended_by_id: int | None = Field(default=None, foreign_key="users.id")
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    cancelled_by_id: int | None = Field(default=None, foreign_key="users.id")
    cancel_reason: str = Field(default="")
