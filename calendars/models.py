"""The calendar table: a business-hours calendar as last imported, owned by a vendor.

The owner is a foreign key to the vendors table by name only: calendars sit below contracts
and import none of them. Pages that show the owner's name ask for it by a signal
(`calendars.signals.owner_names`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class VendorCalendar(SQLModel, table=True):
    """A vendor's calendar as last imported (each contract version keeps its own copy)."""

    __tablename__ = "vendor_calendars"
    __table_args__ = (UniqueConstraint("vendor_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
