"""Why a delivery failed, in plain words, from the error recorded as `Type: message`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

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


def unreachable_reasons(codes: list[str]) -> list[str]:
    """Why an alert reached nobody when it came due (codes of `sla.alerts.recipients`)."""
    words = {
        "no_team_address": _("no team address ([alerts] team_email is empty)"),
        "no_webhook": _("no webhook ([alerts] webhooks is empty)"),
        "no_contract_contact": _("the contract names no contact for its alerts"),
        "no_reporter_address": _("whoever reported the incident has no email address"),
        "reporter_declined": _("whoever reported the incident turned this alert off"),
        "no_admin_address": _("no administrator has an email address"),
        "no_vendor_address": _("the contract gives no support address for the vendor"),
    }
    return [str(words.get(code, code)) for code in codes]
