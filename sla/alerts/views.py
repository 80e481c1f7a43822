"""The alerts page: what was sent, to whom, when, why a delivery failed, and what of the
configuration is missing for alerts to reach anyone."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, func, or_, select

from incidents.models import Incident
from sla.alerts.models import Notification
from sla.auth.models import User
from sla.config import Settings
from sla.contracts.service import document_of, latest_version, list_contracts
from sla.db import utcnow
from sla.errors import NotFound
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
PAGE = 100


FAILURES_SHOWN_FOR = timedelta(days=7)
# Failed deliveries read to explain the banner's count (the most recent first).
FAILURES_EXPLAINED = 1000
OPEN = ("open", "paused")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "localhost.localdomain"})


@bp.app_context_processor
def delivery_failures() -> dict[str, Any]:
    """Administrators see on every page how many alerts of the last week could not be sent."""
    if not (current_user and current_user.is_authenticated and current_user.can(Role.admin)):
        return {}
    since = utcnow() - FAILURES_SHOWN_FOR
    failed = (
        db_session()
        .exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.status == "failed", col(Notification.created_at) >= since)
        )
        .one()
    )
    return {"failed_alerts": failed}


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
    found = 0
    for contract in list_contracts(session):
        try:
            found += len(document_of(latest_version(session, contract)).alerts.contacts)
        except NotFound:
            continue
    return found


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


HTTP_STATUS = re.compile(r"\b(?:HTTP(?: Error)?\s+)(\d{3})\b")
NAME_NOT_FOUND = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
)


def webhook_server(url: str) -> str:
    """The host (and port) of a webhook's URL: its path may hold a secret token."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "?", parts.port
    except ValueError:
        return "?"
    return f"{host}:{port}" if port else host


def failure_reason(channel: str, error: str, server: str) -> str:
    """A plain reason for a failed delivery, from the error recorded as `Type: message`
    (`sla.alerts.delivery`). `server` names where it was sent: the mail server (`host:port`)
    of an email, the host of a webhook's URL."""
    return str(_reason(channel, error, server))


def _reason(channel: str, error: str, server: str) -> Any:
    kind, _sep, detail = error.partition(": ")
    lowered = error.lower()
    if kind == "Undeliverable" and detail.startswith("recipient refused"):
        return _("address refused by the mail server")
    if kind == "Undeliverable" and detail.startswith("message cannot be built"):
        return _("the message could not be built (an address or a header is not valid)")
    if kind == "SMTPRecipientsRefused":
        return _("address refused by the mail server for now (the attempts ran out)")
    if kind == "SMTPSenderRefused":
        return _("the mail server refused the sender address ([smtp] sender)")
    if kind == "SMTPAuthenticationError":
        return _("the mail server refused the login ([smtp] username and password)")
    if kind == "SMTPNotSupportedError":
        return _("the mail server does not offer what [smtp] security asks for")
    if kind == "SMTPDataError":
        return _("the mail server refused the message")
    if kind == "SMTPServerDisconnected" and "connect()" in detail:
        return _("no mail server is set ([smtp] host is empty)")
    if kind == "SMTPServerDisconnected":
        return _("the mail server closed the connection (%(server)s)", server=server)
    if channel == "webhook" and (match := HTTP_STATUS.search(detail)):
        return _("the webhook answered with the HTTP error %(code)s", code=match.group(1))
    if "certificate" in lowered or kind.startswith("SSL"):
        return _("the encrypted connection failed (certificate or TLS settings)")
    if "connection refused" in lowered or kind == "SMTPConnectError":
        if channel == "email":
            return _("the mail server does not answer (%(server)s)", server=server)
        return _("the webhook does not answer (%(server)s)", server=server)
    if "timed out" in lowered or kind in ("TimeoutError", "timeout"):
        if channel == "email":
            return _("the mail server did not answer in time (%(server)s)", server=server)
        return _("the webhook did not answer in time (%(server)s)", server=server)
    if kind == "gaierror" or any(text in lowered for text in NAME_NOT_FOUND):
        if channel == "email":
            return _("the mail server's name is unknown (%(server)s)", server=server)
        return _("the webhook's server name is unknown (%(server)s)", server=server)
    if "network is unreachable" in lowered or "no route to host" in lowered:
        return _("the network does not reach the server")
    return _("unexpected error: an administrator sees the technical detail on this page")


@dataclass(frozen=True)
class Row:
    notification: Notification
    reason: str  # "" when nothing failed


def _breached_open_incidents(session: Session, now: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Incident)
            .where(col(Incident.status).in_(OPEN), col(Incident.breach_at) <= now)
        ).one()
    )


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    session = db_session()
    settings: Settings = current_app.config["SLA_SETTINGS"]
    server = mail_server(settings["smtp"])
    now = utcnow()
    status = request.args.get("status", "")
    query = select(Notification)
    if status in ("pending", "sent", "failed"):
        query = query.where(Notification.status == status)
    found = session.exec(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(PAGE)
    ).all()

    def reason(channel: str, recipient: str, error: str) -> str:
        where = server if channel == "email" else webhook_server(recipient)
        return failure_reason(channel, error, where)

    rows = [
        Row(n, reason(n.channel, n.recipient, n.last_error) if n.last_error else "") for n in found
    ]
    counts = dict(
        session.exec(select(Notification.status, func.count()).group_by(Notification.status)).all()
    )
    failed = session.exec(
        select(Notification.channel, Notification.recipient, Notification.last_error)
        .where(
            Notification.status == "failed",
            col(Notification.created_at) >= now - FAILURES_SHOWN_FOR,
        )
        .order_by(col(Notification.created_at).desc())
        .limit(FAILURES_EXPLAINED)
    ).all()
    reasons = Counter(reason(channel, recipient, error) for channel, recipient, error in failed)
    breached = 0 if counts else _breached_open_incidents(session, now)
    return render_template(
        "alerts/index.html",
        rows=rows,
        counts=counts,
        status=status,
        notices=setup_notices(session, settings),
        reasons=reasons.most_common(),
        breached=breached,
    )
