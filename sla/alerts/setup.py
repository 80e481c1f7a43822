"""What of the alerts' configuration is missing for alerts to reach anyone, a notice per piece."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, col, func, or_, select

from sla.alerts.models import Notification
from sla.alerts.recipients import Directory, contacts_of
from sla.auth.models import User
from sla.config import Settings
from sla.contracts.service import list_contracts

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "localhost.localdomain"})


@dataclass(frozen=True)
class Notice:
    """One missing piece of the alerts' configuration, said plainly. `blocking`: without it,
    some alerts reach nobody (shown as an error); otherwise a channel simply is not used."""

    key: str
    text: str
    blocking: bool = True
    link: str = ""  # an endpoint where it is fixed, for those who may


def mail_server(smtp: Mapping[str, Any]) -> str:
    """`host:port` of the configured mail server."""
    host = str(smtp["host"])
    return f"[{host}]:{smtp['port']}" if ":" in host else f"{host}:{smtp['port']}"


def _count(session: Session, *conditions: Any) -> int:
    return int(session.exec(select(func.count()).select_from(User).where(*conditions)).one())


def _contract_contacts(session: Session) -> int:
    """How many addresses the contracts' own [alerts] contacts name."""
    directory = Directory(session, {})
    return sum(len(contacts_of(directory, c.id)) for c in list_contracts(session))


def setup_notices(session: Session, settings: Settings) -> list[Notice]:
    """What of the configuration is missing for alerts to be sent: a notice per piece."""
    return [
        *_recipient_notices(session, settings["alerts"]),
        *_mail_server_notices(session, settings["smtp"]),
        *_optional_notices(session, settings["alerts"]),
    ]


def _recipient_notices(session: Session, alerts: Mapping[str, Any]) -> list[Notice]:
    """Nobody at all, no team address, no user with an address (or none who wants alerts)."""
    notices: list[Notice] = []
    active = col(User.active).is_(True)
    has_email = col(User.email) != ""
    with_email = _count(session, active, has_email)
    wanting = _count(
        session,
        active,
        has_email,
        or_(col(User.notify_warnings).is_(True), col(User.notify_breaches).is_(True)),
    )
    contacts = _contract_contacts(session)
    if not (alerts["team_email"] or alerts["webhooks"] or wanting or contacts):
        notices.append(
            Notice(
                "recipients",
                _(
                    "No recipient: warnings and breaches are sent to nobody. Set at least a "
                    "team address, a webhook or users' email addresses."
                ),
            )
        )
    if not alerts["team_email"]:
        notices.append(
            Notice(
                "team_email",
                _(
                    "No team address: alerts reach no shared mailbox of the IT department. "
                    "Set [alerts] team_email in the configuration."
                ),
            )
        )
    if not with_email:
        notices.append(
            Notice(
                "users",
                _(
                    "No user has an email address: whoever reports an incident is not told "
                    "of its deadlines. Add the addresses on the users' page."
                ),
                link="users.index",
            )
        )
    elif not wanting:
        notices.append(
            Notice(
                "users",
                _(
                    "No user with an email address receives warnings or breaches: each has "
                    "turned them off on their account page."
                ),
            )
        )
    return notices


def _mail_server_notices(session: Session, smtp: Mapping[str, Any]) -> list[Notice]:
    """No mail server, or one on this machine through which nothing was ever sent."""
    notices: list[Notice] = []
    host = str(smtp["host"]).strip()
    if not host:
        notices.append(
            Notice(
                "smtp",
                _("No mail server: [smtp] host is empty, so no email can be sent."),
            )
        )
    elif (
        host.lower() in LOCAL_HOSTS
        and not session.exec(
            select(Notification.id).where(
                Notification.channel == "email", Notification.status == "sent"
            )
        ).first()
    ):
        notices.append(
            Notice(
                "smtp",
                _(
                    "Emails go through %(server)s, on this very machine, and none has been "
                    "sent yet: check that a mail server answers there, or set [smtp] host "
                    "and port.",
                    server=mail_server(smtp),
                ),
            )
        )
    return notices


def _optional_notices(session: Session, alerts: Mapping[str, Any]) -> list[Notice]:
    """What is worth knowing but not required: no webhook, nobody reading the digest."""
    notices: list[Notice] = []
    active = col(User.active).is_(True)
    has_email = col(User.email) != ""
    if not alerts["webhooks"]:
        notices.append(
            Notice(
                "webhooks",
                _(
                    "No webhook: no alert is posted to a chat (Mattermost, Teams…). "
                    "Set [alerts] webhooks to add one."
                ),
                blocking=False,
            )
        )
    digest_readers = _count(session, active, has_email, col(User.notify_digest).is_(True))
    if not (alerts["digest_recipients"] or digest_readers):
        notices.append(
            Notice(
                "digest",
                _(
                    "Nobody receives the daily digest: set [alerts] digest_recipients, or "
                    "choose it on an account page."
                ),
                blocking=False,
            )
        )
    return notices
