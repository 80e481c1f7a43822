"""Signals the calendars domain sends to the domains above it (blinker, shipped with Flask)."""

from __future__ import annotations

from collections.abc import Iterable

from blinker import Namespace
from sqlmodel import Session

_signals = Namespace()

owner_names = _signals.signal("calendar-owner-names")
"""Sent with the session as sender and `owner_ids`; a receiver returns {owner id: name}."""


def names_of_owners(session: Session, owner_ids: Iterable[int]) -> dict[int, str]:
    """The names of the calendars' owners, as the domains that own calendars give them."""
    wanted = sorted(set(owner_ids))
    names: dict[int, str] = {}
    for _receiver, found in owner_names.send(session, owner_ids=wanted):
        names.update(found)
    return names


owner_choices = _signals.signal("calendar-owner-choices")
"""Sent with the session as sender; a receiver returns {owner id: name} of every possible
owner, even one with no calendar yet (the calendar form offers them all)."""


def every_owner(session: Session) -> dict[int, str]:
    """Every owner a calendar may have, by id, as the domains that own calendars give them."""
    owners: dict[int, str] = {}
    for _receiver, found in owner_choices.send(session):
        owners.update(found)
    return owners
