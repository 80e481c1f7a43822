"""Demo data for `sla demo` and `make run`: a small DSI with its users (vendors, contracts and
incidents are added by the features that own them)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlmodel import Session

from sla.auth import service as accounts
from sla.auth.models import Role

DEMO_USERS = (
    ("agent", "Camille Agent", Role.agent),
    ("lecteur", "Dominique Lecteur", Role.viewer),
)


def load_demo(session: Session, *, now: datetime) -> Iterator[str]:
    """Create what is missing and say what was done; never overwrite what exists."""
    for username, name, role in DEMO_USERS:
        if accounts.find_user(session, username) is not None:
            continue
        password = accounts.generate_password()
        accounts.create_user(
            session,
            username=username,
            password=password,
            role=role,
            now=now,
            display_name=name,
            must_change_password=True,
        )
        yield f"demo user {username} ({role.value}), one-time password: {password}"
