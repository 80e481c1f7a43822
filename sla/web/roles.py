"""The roles pages and API operations are granted to: access control is plumbing that every
blueprint uses, so the roles live here and the accounts domain stores them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do; each role includes the ones before it."""

    viewer = "viewer"  # read everything
    agent = "agent"  # log and update incidents
    admin = "admin"  # configure vendors, contracts, calendars and users

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank
