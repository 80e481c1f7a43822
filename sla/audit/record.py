"""Writing to the audit trail: who acts (`Actor`) and `record`, which adds the row to the
caller's transaction (it commits or rolls back with the act it describes)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from sla.audit.actions import ALL_ACTIONS, CHANNELS
from sla.audit.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (None when signed in by nobody yet, or a machine), a name as it
    read then, the channel and the source address."""

    user_id: int | None
    name: str
    channel: str
    remote_addr: str = ""


SYSTEM = Actor(None, "", "system")


def command_line() -> Actor:
    """The person at the command line: the system account that runs `sla`."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        name = ""
    return Actor(None, name, "cli")


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    target_kind: str = "",
    target_id: int | None = None,
    target_label: str = "",
    **detail: str | int | float | bool | None,
) -> AuditEvent:
    """Add one act to the trail (flushed, not committed)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if actor.channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {actor.channel!r}")
    facts: dict[str, Any] = {key: value for key, value in detail.items() if value is not None}
    event = AuditEvent(
        at=now,
        action=action,
        actor_id=actor.user_id,
        actor_name=actor.name[:128],
        channel=actor.channel,
        remote_addr=actor.remote_addr[:64],
        target_kind=target_kind,
        target_id=target_id,
        target_label=target_label[:200],
        detail=facts,
    )
    session.add(event)
    session.flush()
    return event
