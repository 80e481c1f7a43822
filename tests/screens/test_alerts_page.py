"""The alerts page explains itself: what of the configuration is missing for alerts to reach
anyone, and why a delivery failed, in plain words (the raw error kept for administrators)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlmodel import select

from incidents.service import report_incident
from sla.alerts.delivery import deliver
from sla.alerts.failures import failure_reason, webhook_server
from sla.alerts.models import Notification
from sla.alerts.scheduler import transports_for
from sla.auth import service as accounts
from sla.contracts.models import Contract
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.alerts.conftest import free_port
from tests.conftest import EXAMPLES
from tests.screens.conftest import AppFactory, french, french_plural, text_of
from tests.support import ALERTS, PASSWORD, login

PARIS = ZoneInfo("Europe/Paris")
H = datetime(2025, 5, 5, 9, 0, tzinfo=PARIS)  # a Monday, 09:00: long past its deadlines

NOTICES = {
    "recipients": (
        "No recipient: warnings and breaches are sent to nobody. Set at least a team "
        "address, a webhook or users' email addresses."
    ),
    "team_email": (
        "No team address: alerts reach no shared mailbox of the IT department. "
        "Set [alerts] team_email in the configuration."
    ),
    "users": (
        "No user has an email address: whoever reports an incident is not told of its "
        "deadlines. Add the addresses on the users' page."
    ),
    "webhooks": (
        "No webhook: no alert is posted to a chat (Mattermost, Teams…). "
        "Set [alerts] webhooks to add one."
    ),
    "digest": (
        "Nobody receives the daily digest: set [alerts] digest_recipients, or choose it on "
        "an account page."
    ),
}
LOCAL_SERVER = (
    "Emails go through %(server)s, on this very machine, and none has been sent yet: check "
    "that a mail server answers there, or set [smtp] host and port."
)


def user_client(app: Flask, username: str, role: Role, email: str = "") -> FlaskClient:
    with session_scope(app.extensions["sla.engine"]) as session:
        accounts.create_user(
            session, username=username, password=PASSWORD, role=role, now=utcnow(), email=email
        )
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def breached_incident(app: Flask) -> int:
    """The example contracts, and an incident reported long ago, still open: past its
    deadlines."""
    with session_scope(app.extensions["sla.engine"]) as session:
        import_documents(session, read_documents(contract_files(EXAMPLES)), now=H)
        contract = session.exec(select(Contract).where(Contract.reference == "D_2024_0110")).one()
        incident = report_incident(
            session,
            contract_id=contract.id or 0,
            severity="bloquant",
            title="Convocations bloquées",
            reported_at=H,
            now=H,
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        return incident.id or 0


def notices_of(page: str) -> set[str]:
    return set(re.findall(r'data-notice="([a-z_]+)"', page))


def test_with_nothing_configured_the_page_names_each_missing_piece_not_just_no_alert(
    configured_app: AppFactory,
) -> None:
    app = configured_app()  # the shipped defaults: no address, no webhook, mail on localhost
    breached_incident(app)
    page = text_of(user_client(app, "chef", Role.admin).get("/alerts/"))
    for text in NOTICES.values():
        assert french(app, text) in page
    assert french(app, LOCAL_SERVER, server="localhost:25") in page
    assert notices_of(page) == {*NOTICES, "smtp"}
    # The empty list says why it is empty: an incident is past its deadline, nobody was told.
    assert (
        french_plural(
            app,
            "No alert recorded, although %(num)d open incident is past a deadline.",
            "No alert recorded, although %(num)d open incidents are past a deadline.",
            1,
        )
        in page
    )
    assert french(app, "No alert yet.") not in page


def test_an_empty_mail_server_host_is_named_as_no_mail_server(
    configured_app: AppFactory,
) -> None:
    app = configured_app(smtp={"host": ""}, alerts={"team_email": "dsi@ville.example"})
    page = text_of(user_client(app, "lecteur", Role.viewer).get("/alerts/"))
    assert french(app, "No mail server: [smtp] host is empty, so no email can be sent.") in page
    assert "recipients" not in notices_of(page)  # the team address is a recipient
    assert "team_email" not in notices_of(page)


def test_users_with_addresses_who_turned_alerts_off_are_named_as_such(
    configured_app: AppFactory,
) -> None:
    app = configured_app()
    client = user_client(app, "camille", Role.agent, email="camille@ville.example")
    with session_scope(app.extensions["sla.engine"]) as session:
        user = accounts.find_user(session, "camille")
        assert user is not None
        user.notify_warnings = user.notify_breaches = False
    page = text_of(client.get("/alerts/"))
    assert french(app, NOTICES["users"]) not in page
    assert (
        french(
            app,
            "No user with an email address receives warnings or breaches: each has turned "
            "them off on their account page.",
        )
        in page
    )
    assert "recipients" in notices_of(page)


def test_a_complete_configuration_shows_no_notice(configured_app: AppFactory) -> None:
    app = configured_app(
        smtp={"host": "smtp.ville.example", "port": 587},
        alerts={
            "team_email": "dsi@ville.example",
            "webhooks": ["https://chat.ville.example/hooks/garantie"],
            "digest_recipients": ["dg@ville.example"],
        },
    )
    page = text_of(
        user_client(app, "camille", Role.agent, email="camille@ville.example").get("/alerts/")
    )
    assert notices_of(page) == set()
    assert french(app, "No alert yet.") in page


def pending(app: Flask, channel: str, recipient: str) -> None:
    now = utcnow()
    with session_scope(app.extensions["sla.engine"]) as session:
        session.add(
            Notification(
                key=f"test:{channel}:{recipient}",
                kind="breach",
                channel=channel,
                recipient=recipient,
                subject="[Garantie] Délai dépassé — Convocations bloquées",
                body_text="Délai dépassé.",
                payload={"text": "Délai dépassé."},
                next_attempt_at=now,
                created_at=now,
            )
        )


def test_a_failed_delivery_shows_a_plain_reason_and_keeps_the_raw_error_for_admins(
    configured_app: AppFactory,
) -> None:
    """A real drill: nothing listens on the configured mail server's port nor on the
    webhook's; each delivery fails once (one attempt allowed) and the page says why."""
    mail_port, hook_port = free_port(), free_port()
    app = configured_app(
        smtp={"host": "127.0.0.1", "port": mail_port},
        alerts={"team_email": "dsi@ville.example"},
    )
    hook = f"http://127.0.0.1:{hook_port}/hooks/secret-token"
    pending(app, "email", "dsi@ville.example")
    pending(app, "webhook", hook)
    engine = app.extensions["sla.engine"]
    sent, failed = deliver(
        engine,
        now=utcnow(),
        worker="test",
        transports=transports_for(app.config["SLA_SETTINGS"]),
        max_attempts=1,
    )
    assert (sent, failed) == (0, 2)
    with session_scope(engine) as session:
        raw = {n.channel: n.last_error for n in session.exec(select(Notification))}
    assert "Connection refused" in raw["email"]

    admin = text_of(user_client(app, "chef", Role.admin).get("/alerts/?state=failed"))
    mail_reason = french(
        app, "the mail server does not answer (%(server)s)", server=f"127.0.0.1:{mail_port}"
    )
    hook_reason = french(
        app, "the webhook does not answer (%(server)s)", server=f"127.0.0.1:{hook_port}"
    )
    assert mail_reason in admin and hook_reason in admin
    # The raw Python text only inside the administrators' technical detail.
    details = re.findall(r"<details>.*?</details>", admin, flags=re.S)
    assert any(raw["email"] in block for block in details)
    assert raw["email"] not in re.sub(r"<details>.*?</details>", "", admin, flags=re.S)
    # And the week's failures are summed up by reason.
    assert french(app, "Why deliveries failed (last 7 days)") in admin

    viewer = text_of(user_client(app, "lecteur", Role.viewer).get("/alerts/?state=failed"))
    assert mail_reason in viewer
    assert raw["email"] not in viewer and "<details>" not in viewer


SMTP = "mail.ville.example:25"
REASONS: list[tuple[str, str, str]] = [
    (
        "email",
        "ConnectionRefusedError: [Errno 111] Connection refused",
        f"the mail server does not answer ({SMTP})",
    ),
    (
        "email",
        "Undeliverable: recipient refused by the mail server: "
        "{'dsi@ville.example': (550, b'5.1.1 No such user')}",
        "address refused by the mail server",
    ),
    (
        "email",
        "Undeliverable: message cannot be built: Invalid header value '\\nBcc'",
        "the message could not be built (an address or a header is not valid)",
    ),
    (
        "email",
        "SMTPRecipientsRefused: {'dsi@ville.example': (450, b'4.2.0 Mailbox busy')}",
        "address refused by the mail server for now (the attempts ran out)",
    ),
    (
        "email",
        "SMTPAuthenticationError: (535, b'5.7.8 Authentication credentials invalid')",
        "the mail server refused the login ([smtp] username and password)",
    ),
    (
        "email",
        "SMTPServerDisconnected: please run connect() first",
        "no mail server is set ([smtp] host is empty)",
    ),
    ("email", "TimeoutError: timed out", f"the mail server did not answer in time ({SMTP})"),
    (
        "email",
        "gaierror: [Errno -2] Name or service not known",
        f"the mail server's name is unknown ({SMTP})",
    ),
    (
        "email",
        "SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
        "the encrypted connection failed (certificate or TLS settings)",
    ),
    (
        "webhook",
        "HTTPError: HTTP Error 500: Internal Server Error",
        "the webhook answered with the HTTP error 500",
    ),
    ("webhook", "OSError: HTTP 302", "the webhook answered with the HTTP error 302"),
    (
        "webhook",
        "URLError: <urlopen error [Errno 111] Connection refused>",
        "the webhook does not answer (chat.ville.example)",
    ),
    (
        "email",
        "KeyError: 'sms'",
        "unexpected error: an administrator sees the technical detail on this page",
    ),
]


@pytest.mark.parametrize(("channel", "error", "reason"), REASONS)
def test_each_recorded_error_reads_as_a_plain_reason(
    app: Flask, channel: str, error: str, reason: str
) -> None:
    server = SMTP if channel == "email" else webhook_server("https://chat.ville.example/h/t")
    with app.test_request_context("/"), force_locale("en"):
        assert failure_reason(channel, error, server) == reason


def test_a_webhook_reason_names_its_host_never_its_secret_path() -> None:
    assert webhook_server("https://chat.ville.example:8443/hooks/s3cr3t") == (
        "chat.ville.example:8443"
    )
    assert webhook_server("https://user:pw@chat.ville.example/x") == "chat.ville.example"
