"""Tables of vendors, contracts and contract versions (amendments). A vendor's calendars are
in `calendars.models`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class Vendor(SQLModel, table=True):
    __tablename__ = "vendors"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    siret: str = Field(default="", max_length=14)
    support_email: str = Field(default="", max_length=254)
    support_phone: str = Field(default="", max_length=64)
    portal_url: str = Field(default="", max_length=500)
    notes: str = Field(default="")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Contract(SQLModel, table=True):
    __tablename__ = "contracts"

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    reference: str = Field(max_length=100, unique=True, index=True)
    title: str = Field(max_length=300)
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    start_date: date
    end_date: date | None = None
    initial_months: int = 12
    renewal: str = Field(default="none", max_length=16)
    max_renewals: int | None = None
    notice_months: int = 0
    notice_days: int = 0
    yearly_amount_ht: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    calendar_key: str = Field(max_length=64)
    notes: str = Field(default="")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ContractVersion(SQLModel, table=True):
    """One version of a contract's terms, in force from `effective_from`. Never modified:
    an amendment adds a version, and each incident keeps the version it was reported under."""

    __tablename__ = "contract_versions"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contracts.id", index=True)
    number: int
    effective_from: date
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
