"""Who an alert goes to, and why it goes to nobody when it does.

An incident's alert goes to whoever reported it (when they have an address and chose that
kind of alert), to the DSI's team address, to the contract's own contacts and to the
webhooks; a contract date (notice, end) to the team address, the contacts, the webhooks and
the active administrators with an address. When that is nobody, the reasons are codes the
alerts page words (`UNREACHABLE`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from sla.alerts.outbox import Recipient
from sla.auth.models import User
from sla.contracts.models import Contract
from sla.contracts.service import document_of, latest_version
from sla.errors import DomainError
from sla.web.roles import Role

CONTRACT_DATES = ("notice", "end")
# The kinds administrators receive beside the contract's contacts: a contract's dates, and
# the penalty procedure's alerts (administrators decide the penalties).
FOR_ADMINS = (*CONTRACT_DATES, "penalty_answer", "penalty_draft")

# Why an alert reached nobody, each a code the alerts page words.
UNREACHABLE = (
    "no_team_address",  # [alerts] team_email is empty
    "no_webhook",  # [alerts] webhooks is empty
    "no_contract_contact",  # the contract's [alerts] contacts name nobody
    "no_reporter_address",  # whoever reported it has no address (or is inactive)
    "reporter_declined",  # whoever reported it turned that kind of alert off
    "no_admin_address",  # no active administrator has an address (contract dates)
    "no_vendor_address",  # an escalation, and the vendor has no support address
)


@dataclass
class Directory:
    """The contracts, vendors, versions and users a sweep refers to, loaded once and held
    (the session's identity map is weak: a `get` per incident would go back to the database)."""

    session: Session
    loaded: dict[tuple[type, Any], Any]

    def get(self, model: type, key: int | None) -> Any:
        if key is None:
            return None
        if (model, key) not in self.loaded:
            self.loaded[(model, key)] = self.session.get(model, key)
        return self.loaded[(model, key)]

    def admins(self) -> list[User]:
        """The active administrators with an address."""
        if (User, "admins") not in self.loaded:
            self.loaded[(User, "admins")] = list(
                self.session.exec(
                    select(User).where(
                        col(User.active).is_(True),
                        User.role == Role.admin.value,
                        col(User.email) != "",
                    )
                )
            )
        admins: list[User] = self.loaded[(User, "admins")]
        return admins


@dataclass(frozen=True)
class Audience:
    """Who receives an alert, and why nobody does when `recipients` is empty."""

    recipients: list[Recipient]
    unreachable: tuple[str, ...]


def _wants(user: User, kind: str) -> bool:
    return user.notify_warnings if kind == "warning" else user.notify_breaches


def _reporter(directory: Directory, reporter_id: int | None, kind: str) -> tuple[list[str], str]:
    """The reporter's address when they take this kind of alert, else why not."""
    user = directory.get(User, reporter_id)
    if user is None or not user.active or not user.email:
        return [], "no_reporter_address"
    if not _wants(user, kind):
        return [], "reporter_declined"
    return [user.email], ""


def audience(
    directory: Directory,
    settings: Mapping[str, Any],
    contacts: Sequence[str],
    reporter_id: int | None,
    kind: str,
) -> Audience:
    """The recipients of one alert of `kind` (deduplicated, case-insensitive addresses)."""
    addresses: list[str] = []
    reasons: list[str] = []
    if kind in FOR_ADMINS:
        admins = [user.email for user in directory.admins()]
        addresses += admins
        reasons += [] if admins else ["no_admin_address"]
    else:
        reporter, why = _reporter(directory, reporter_id, kind)
        addresses += reporter
        reasons += [why] if why else []
    if settings["team_email"]:
        addresses.append(settings["team_email"])
    else:
        reasons.append("no_team_address")
    addresses += contacts
    reasons += [] if contacts else ["no_contract_contact"]
    found = [Recipient("email", address) for address in addresses]
    found += [Recipient("webhook", url) for url in settings["webhooks"]]
    reasons += [] if settings["webhooks"] else ["no_webhook"]
    unique = {(r.channel, r.address.lower()): r for r in found}
    recipients = list(unique.values())
    return Audience(recipients, () if recipients else tuple(reasons))


def contacts_of(directory: Directory, contract_id: int | None) -> tuple[str, ...]:
    """The addresses a contract's own [alerts] section names (its latest version)."""
    if (Contract, ("contacts", contract_id)) not in directory.loaded:
        contract = directory.get(Contract, contract_id)
        contacts: tuple[str, ...] = ()
        if contract is not None:
            try:
                contacts = document_of(latest_version(directory.session, contract)).alerts.contacts
            except DomainError:  # no version, or one this release cannot read: no contact
                contacts = ()
        directory.loaded[(Contract, ("contacts", contract_id))] = contacts
    found: tuple[str, ...] = directory.loaded[(Contract, ("contacts", contract_id))]
    return found


def fingerprint(session: Session, settings: Mapping[str, Any]) -> str:
    """What decides who receives alerts, as a digest: the team address, the webhooks, the
    contracts' contacts, and the users' addresses and choices. When it changes, the open
    breaches are offered to whoever was added (`sla.alerts.catch_up`)."""
    users = session.exec(select(User).where(col(User.email) != "").order_by(col(User.id))).all()
    directory = Directory(session, {})
    contracts = session.exec(select(Contract.id).order_by(col(Contract.id))).all()
    state = {
        "team": settings["team_email"].lower(),
        "webhooks": sorted(settings["webhooks"]),
        "users": [
            [u.id, u.email.lower(), u.active, u.role, u.notify_warnings, u.notify_breaches]
            for u in users
        ],
        "contacts": [[cid, sorted(contacts_of(directory, cid))] for cid in contracts],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
