"""Asking the directory about every account it made, between sign-ins: a person gone from the
directory (or excluded by user_filter: disabled), out of every mapped group, or whose name now
belongs to another entry, has their account withdrawn (deactivated: sessions end, API tokens
are revoked); the others have role, name and address refreshed. The scheduler runs it every
[ldap] sync_minutes, `sla users sync` by hand.

All or nothing: every person is looked up first, over one connection, before any account
changes; a directory that cannot be asked changes nothing (DirectoryUnavailable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sla.audit.record import Actor
from sla.auth import external, ldap_directory
from sla.auth.models import User

ACTOR = Actor(None, "", "ldap")


@dataclass(frozen=True)
class SyncOutcome:
    checked: int  # active accounts the directory made, looked up
    withdrawn: int  # deactivated now
    refreshed: int  # whose role, name or address changed


def sync(session: Session, section: Mapping[str, Any], *, now: datetime) -> SyncOutcome:
    """Bring every active directory account in line with the directory (flushed, not
    committed). Raises DirectoryUnavailable, before any change, when it cannot be asked."""
    accounts = session.exec(
        select(User)
        .where(User.auth_source == "ldap", col(User.active).is_(True))
        .order_by(col(User.id))
    ).all()
    if not accounts:
        return SyncOutcome(0, 0, 0)
    people = ldap_directory.lookup_all(section, [user.username for user in accounts])
    withdrawn = refreshed = 0
    for user in accounts:
        person = people[user.username]
        # The name now found on another entry is another person: not the account's.
        if person is not None and not ldap_directory.same_dn(person.dn, user.external_id or ""):
            person = None
        identity = None if person is None else ldap_directory.identity_of(section, person)
        if identity is None or identity.role is None:
            if external.withdraw(session, user, now=now, actor=ACTOR):
                withdrawn += 1
            continue
        before = (user.role, user.display_name, user.email)
        external.refresh(session, user, identity, now=now, actor=ACTOR)
        if before != (user.role, user.display_name, user.email):
            refreshed += 1
    return SyncOutcome(checked=len(accounts), withdrawn=withdrawn, refreshed=refreshed)
