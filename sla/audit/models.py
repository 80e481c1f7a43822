"""The audit trail's table: one row per act of administration, never changed nor deleted
(triggers refuse both, see `sla.audit.append_only`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from sla.db import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    # What happened: a key of `sla.audit.actions.ACTIONS` (e.g. "signin.failure").
    action: str = Field(max_length=48, index=True)
    # Who did it, as they were then: the account (None for a failed sign-in, the command line
    # or the scheduler) and a name kept even if the account is renamed later.
    actor_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(default="", max_length=128)
    # Through what: "web", "api", "cli", "ldap", "oidc" or "system" (CHANNELS).
    channel: str = Field(default="web", max_length=8)
    remote_addr: str = Field(default="", max_length=64)
    # On what: a kind ("user", "token", "contract"), its id and a label as it read then.
    target_kind: str = Field(default="", max_length=16)
    target_id: int | None = Field(default=None)
    target_label: str = Field(default="", max_length=200)
    # The facts of the act (e.g. {"from": "viewer", "to": "agent"}); strings and numbers.
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
