"""Asking the directory about every account it made, between sign-ins: a person gone from the
directory (or excluded by user_filter: disabled) or out of every mapped group has their account
withdrawn (deactivated: sessions end, API tokens are revoked); the others have role, name and
address refreshed. The scheduler runs it every [ldap] sync_minutes, `sla users sync` by hand.

All or nothing: every person is looked up first, over one connection, before any account
changes; a directory that cannot be asked changes nothing (DirectoryUnavailable), and neither
does one that would withdraw implausibly many accounts at once (`_implausible`: the service
account lost its rights, a base moved). An account follows its login: a person moved to
another OU or renamed keeps it (see sla.auth.external).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sla.audit.record import Actor
from sla.auth import external, ldap_directory
from sla.auth.external import ExternalIdentity
from sla.auth.ldap_connection import DirectoryUnavailable
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
    identities: dict[str, ExternalIdentity | None] = {}
    for user in accounts:
        person = people[user.username]
        identities[user.username] = (
            None if person is None else ldap_directory.identity_of(section, person)
        )
    leaving = [
        user for user in accounts if (found := identities[user.username]) is None or not found.role
    ]
    if _implausible(len(leaving), len(accounts)):
        raise DirectoryUnavailable(
            f"the directory would withdraw {len(leaving)} of its {len(accounts)} accounts at once; "
            "nothing changed (has bind_dn lost the right to read the people or the groups?)",
            key="bind_dn",
        )
    withdrawn = refreshed = 0
    for user in accounts:
        identity = identities[user.username]
        if identity is None or identity.role is None:
            if external.withdraw(session, user, now=now, actor=ACTOR):
                withdrawn += 1
            continue
        before = (user.role, user.display_name, user.email, user.external_id)
        external.refresh(session, user, identity, now=now, actor=ACTOR)
        if before != (user.role, user.display_name, user.email, user.external_id):
            refreshed += 1
    return SyncOutcome(checked=len(accounts), withdrawn=withdrawn, refreshed=refreshed)


def _implausible(leaving: int, accounts: int) -> bool:
    """Whether so many withdrawals at once say more about the directory than about people:
    every account of two or more, or more than half of four or more (the service account
    lost its rights, a base moved). People leave a few at a time."""
    return (accounts >= 2 and leaving == accounts) or (accounts >= 4 and 2 * leaving > accounts)
